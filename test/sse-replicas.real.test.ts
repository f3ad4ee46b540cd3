// Postmortem 001: the API kept its state in a file, so with more than one replica a Server-Sent Events client saw
// only what its own replica wrote ("scale to 3 pods, verify state sync" was never done). The stack runs the API
// with at least 2 replicas and Redis for shared state; this runs that path for real: the generated nginx.conf in
// front of a Service that balances per connection (as kube-proxy does) over two stateless API replicas, which
// share events through a real redis-server running the generated redis.conf and ACL file.
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { redisServerCommand } from "../components/redis-conf";
import { renderNginxConf } from "../components/nginx-conf";
import { nginxDirs, RunningNginx, startNginx } from "./support/nginx";
import { REDIS_BIN, RedisFiles, writeRedisFiles } from "./support/redis";
import { ReplicaApi, startReplicaApi, startRoundRobinService } from "./support/replica-api";
import { freePort, makeReadOnlyDir, SandboxedProcess, startSandboxed, until, waitForPort } from "./support/sandbox";

interface Stream {
    replica: string;
    events: string[];
    close(): void;
}

/** Opens GET /events through nginx; resolves once the replica's hello arrived. */
function openStream(port: number): Promise<Stream> {
    return new Promise((resolve, reject) => {
        const events: string[] = [];
        const req = http.get({ host: "127.0.0.1", port, path: "/events" }, (res) => {
            let buffered = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
                buffered += chunk;
                for (let end = buffered.indexOf("\n\n"); end >= 0; end = buffered.indexOf("\n\n")) {
                    events.push(buffered.slice(0, end).replace(/^data: /, ""));
                    buffered = buffered.slice(end + 2);
                    const hello = /^hello (\S+)$/.exec(events[0] ?? "");
                    if (hello && events.length === 1) {
                        resolve({ replica: hello[1], events, close: () => req.destroy() });
                    }
                }
            });
        });
        req.once("error", reject);
        req.setTimeout(10_000, () => req.destroy(new Error("no SSE hello within 10 s")));
    });
}

function publish(port: number, msg: string): Promise<{ published_by: string; receivers: number }> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: `/publish?msg=${msg}`, method: "POST" }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (body += c));
            res.on("end", () => resolve(JSON.parse(body) as { published_by: string; receivers: number }));
        });
        req.once("error", reject);
        req.end();
    });
}

describe("SSE through nginx to two API replicas sharing state in Redis (postmortem 001: L10, L11)", function () {
    this.timeout(120_000);
    const password = crypto.randomBytes(16).toString("hex");
    let files: RedisFiles | undefined;
    let redis: SandboxedProcess | undefined;
    let replicas: ReplicaApi[] = [];
    let service: { port: number; stop(): Promise<void> } | undefined;
    let nginx: RunningNginx | undefined;
    let contentRoot: string | undefined;
    const streams: Stream[] = [];

    before(async function () {
        const redisPort = await freePort();
        files = writeRedisFiles(redisPort, password);
        redis = startSandboxed({
            command: redisServerCommand(REDIS_BIN, files.confFile, files.aclFile),
            writableDirs: [files.dataDir],
            logFile: path.join(files.logDir, "redis.log"),
        });
        await waitForPort(redisPort, redis);
        replicas = [
            await startReplicaApi("replica-a", redisPort, password),
            await startReplicaApi("replica-b", redisPort, password),
        ];
        service = await startRoundRobinService(replicas.map((r) => r.port));
        contentRoot = makeReadOnlyDir("webstack-site-");
        const port = await freePort();
        const dirs = nginxDirs();
        nginx = await startNginx(
            renderNginxConf({
                listenPort: port,
                listenAddress: "127.0.0.1",
                apiUpstream: `127.0.0.1:${service.port}`,
                contentRoot,
                tempDir: dirs.tempDir,
                workerProcesses: 1,
            }),
            port,
            dirs,
        );
    });

    after(async function () {
        streams.forEach((s) => s.close());
        await nginx?.stop();
        await service?.stop();
        await Promise.all(replicas.map((r) => r.stop()));
        await redis?.stop();
        files?.remove();
        if (contentRoot) {
            fs.rmSync(contentRoot, { recursive: true, force: true });
        }
    });

    it("[L10, L11] an event written through either replica reaches the streams held on both, through nginx and the generated Redis ACL", async function () {
        const port = nginx!.port;
        // Each stream is one long-lived upstream connection, so the Service spreads them: open until both replicas hold one.
        for (let i = 0; i < 6 && new Set(streams.map((s) => s.replica)).size < 2; i++) {
            const stream = await openStream(port);
            if (streams.some((s) => s.replica === stream.replica)) {
                stream.close();
            } else {
                streams.push(stream);
            }
        }
        assert.deepStrictEqual(streams.map((s) => s.replica).sort(), ["replica-a", "replica-b"]);

        // A write through nginx lands on the replica its pooled upstream connection happens to reach; the other
        // replica takes a write too (another client, a worker), straight on its own port.
        const viaNginx = { ...(await publish(port, "m1")), msg: "m1" };
        const other = replicas.find((r) => r.id !== viaNginx.published_by)!;
        const direct = { ...(await publish(other.port, "m2")), msg: "m2" };
        const published = [viaNginx, direct];
        assert.deepStrictEqual(published.map((p) => p.published_by).sort(), ["replica-a", "replica-b"]);
        assert.ok(
            published.every((p) => p.receivers === 2),
            `both subscribers got each message: ${JSON.stringify(published)}`,
        );

        for (const stream of streams) {
            const wanted = published.map((p) => `${p.msg} from ${p.published_by} (to ${stream.replica})`);
            await until(`${stream.replica}'s stream to see every event`, () =>
                wanted.every((w) => stream.events.includes(w)) ? true : undefined,
            );
            // Among them an event the other replica took: the state is shared, not per pod.
            assert.ok(published.some((p) => p.published_by !== stream.replica));
        }
    });
});
