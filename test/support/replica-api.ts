// An API replica as postmortem 001's fix made it: no state of its own, events shared through Redis pub/sub, so a
// Server-Sent Events client sees every event whichever replica it is connected to and whichever replica took the
// write. GET /events streams "hello <replica>" then each published event; POST /publish?msg=<m> publishes it.
import * as http from "http";
import * as net from "net";
import { RespClient } from "./resp";

const CHANNEL = "events";

export interface ReplicaApi {
    id: string;
    port: number;
    stop(): Promise<void>;
}

async function authenticated(redisPort: number, password: string): Promise<RespClient> {
    const client = await RespClient.connect(redisPort);
    const auth = await client.command("AUTH", password);
    if (auth !== "OK") {
        client.close();
        throw new Error(`AUTH answered ${JSON.stringify(auth)}`);
    }
    return client;
}

export async function startReplicaApi(id: string, redisPort: number, password: string): Promise<ReplicaApi> {
    const publisher = await authenticated(redisPort, password);
    const subscribers = new Set<RespClient>();
    const sockets = new Set<net.Socket>();
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://replica");
        req.resume();
        if (url.pathname === "/events") {
            void authenticated(redisPort, password).then(async (subscriber) => {
                subscribers.add(subscriber);
                subscriber.onPush = (value) => {
                    const [kind, , payload] = Array.isArray(value) ? value : [];
                    if (kind === "message" && typeof payload === "string") {
                        res.write(`data: ${payload} (to ${id})\n\n`);
                    }
                };
                await subscriber.command("SUBSCRIBE", CHANNEL);
                res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
                res.write(`data: hello ${id}\n\n`);
                res.once("close", () => {
                    subscribers.delete(subscriber);
                    subscriber.close();
                });
            });
            return;
        }
        if (url.pathname === "/publish" && req.method === "POST") {
            const message = `${url.searchParams.get("msg") ?? ""} from ${id}`;
            void publisher.command("PUBLISH", CHANNEL, message).then((receivers) => {
                res.writeHead(200, { "Content-Type": "application/json" });
                res.end(JSON.stringify({ published_by: id, receivers }));
            });
            return;
        }
        res.writeHead(404, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: "not found" }));
    });
    server.on("connection", (s) => {
        sockets.add(s);
        s.once("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        id,
        port: (server.address() as net.AddressInfo).port,
        stop: async () => {
            sockets.forEach((s) => s.destroy());
            await new Promise<void>((resolve) => server.close(() => resolve()));
            subscribers.forEach((s) => s.close());
            publisher.close();
        },
    };
}

/**
 * A Service's virtual IP as kube-proxy makes it: each new connection goes to the next endpoint in turn, and stays
 * there (no per-request balancing inside a connection).
 */
export async function startRoundRobinService(endpoints: number[]): Promise<{ port: number; stop(): Promise<void> }> {
    let next = 0;
    const sockets = new Set<net.Socket>();
    const track = (s: net.Socket) => {
        sockets.add(s);
        s.once("close", () => sockets.delete(s));
    };
    const server = net.createServer((client) => {
        track(client);
        const upstream = net.connect(endpoints[next++ % endpoints.length], "127.0.0.1");
        track(upstream);
        client.pipe(upstream).pipe(client);
        const close = () => {
            client.destroy();
            upstream.destroy();
        };
        client.once("error", close);
        upstream.once("error", close);
        client.once("close", close);
        upstream.once("close", close);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        stop: async () => {
            sockets.forEach((s) => s.destroy());
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
