// A small stand-in for the north API (Flask in postmortem 000): answers its declared routes with JSON naming
// the path it saw, 404 JSON otherwise, and streams Server-Sent Events on /events.
import * as http from "http";
import * as net from "net";

/** Root-level and prefixed routes of the real API (postmortem 000, ISSUE-004), used in both routing modes (L04). */
export const REALISTIC_API_PATHS = [
    "/telemetry",
    "/log",
    "/state",
    "/reset",
    "/healthz",
    "/readyz",
    "/pod-name",
    "/about",
    "/go/x",
    "/badge/tap",
    "/scenario/piport",
    "/ingest/x",
    "/piport/telemetry",
];
/** The same API as a declared route list: root-level routes exact, the others as their first segment's prefix. */
export const REALISTIC_API_ROUTES = REALISTIC_API_PATHS.map((apiPath) => {
    const [first, ...rest] = apiPath.slice(1).split("/");
    return rest.length > 0 ? `/${first}/` : apiPath;
});
/** Delay between the first and the last SSE event; the stream ends right after the last. */
export const SSE_STREAM_MS = 1500;
/** Headers the stub sets itself, which nginx must replace with its own single value. */
export const STUB_OWN_HEADERS = { "X-Frame-Options": "DENY", "X-Webstack-Version": "from-the-api" };

export interface SeenRequest {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    /** "ip:port" of the connection it came on: distinct values = distinct upstream connections. */
    connection: string;
}

export interface StubApi {
    port: number;
    seen: SeenRequest[];
    stop(): Promise<void>;
}

function declared(pathname: string): boolean {
    return (
        REALISTIC_API_ROUTES.some((r) => (r.endsWith("/") ? pathname.startsWith(r) : pathname === r)) ||
        pathname === "/events"
    );
}

export async function startStubApi(port = 0): Promise<StubApi> {
    const seen: SeenRequest[] = [];
    const sockets = new Set<net.Socket>();
    const server = http.createServer((req, res) => {
        const pathname = new URL(req.url ?? "/", "http://stub").pathname;
        seen.push({
            method: req.method ?? "",
            url: req.url ?? "",
            headers: req.headers,
            connection: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        });
        req.resume();
        const query = new URL(req.url ?? "/", "http://stub").searchParams;
        if (pathname === "/events") {
            // ?pause=<ms>: silent that long after the first event (longer than nginx's API read timeout, L11).
            const pause = Number(query.get("pause") ?? 0);
            res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
            res.write("data: first\n\n");
            setTimeout(() => res.end(pause > 0 ? "data: after-pause\n\n" : "data: last\n\n"), pause || SSE_STREAM_MS);
            return;
        }
        if (pathname === "/slow") {
            // An ordinary API call that answers after ?ms=<ms>.
            setTimeout(
                () => {
                    res.writeHead(200, { "Content-Type": "application/json", ...STUB_OWN_HEADERS });
                    res.end(JSON.stringify({ served_by: "stub-api", path: pathname }));
                },
                Number(query.get("ms") ?? 0),
            );
            return;
        }
        const status = declared(pathname) ? 200 : 404;
        res.writeHead(status, { "Content-Type": "application/json", ...STUB_OWN_HEADERS });
        res.end(JSON.stringify({ served_by: "stub-api", method: req.method, path: pathname }));
    });
    server.keepAliveTimeout = 65_000;
    server.on("connection", (s) => {
        sockets.add(s);
        s.once("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        seen,
        stop: () =>
            new Promise<void>((resolve) => {
                if (!server.listening) {
                    resolve();
                    return;
                }
                server.close(() => resolve());
                sockets.forEach((s) => s.destroy());
            }),
    };
}
