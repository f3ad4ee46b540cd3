// The generated nginx.conf on a real nginx, run as an arbitrary UID in group 0 with a read-only root
// filesystem, in front of a stub API and a content folder. Every assertion is over real HTTP.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as zlib from "zlib";
import {
    ApiRouting,
    LONG_CACHE_CONTROL,
    NGINX_DEFAULT_HEALTH_PATH,
    NginxConfOptions,
    renderNginxConf,
    REVALIDATE_CACHE_CONTROL,
} from "../components/nginx-conf";
import { request } from "./support/http";
import { checkNginxConf, nginxDirs, removeNginxDirs, RunningNginx, startNginx } from "./support/nginx";
import { ARBITRARY_UID, childPids, freePort, makeReadOnlyDir, processIdentity } from "./support/sandbox";
import { HASHED_BUNDLE, VIDEO, writeSiteContent } from "./support/site-content";
import {
    REALISTIC_API_PATHS,
    REALISTIC_API_ROUTES,
    SSE_STREAM_MS,
    startStubApi,
    StubApi,
    STUB_OWN_HEADERS,
} from "./support/stub-api";

const VERSION = "1.4.2+sha256.3f2a9c1b";
const ALLOWED_ORIGIN = "https://app.example.com";
const OTHER_ORIGIN = "https://evil.example.net";

const MODES: { name: string; routing: ApiRouting }[] = [
    { name: "fallback", routing: { mode: "fallback" } },
    { name: "routes", routing: { mode: "routes", routes: REALISTIC_API_ROUTES } },
];

/** First SSE `data:` line and when it arrived, plus when the stream ended (ms from the request). */
function readSse(
    port: number,
    path = "/events",
): Promise<{
    status: number;
    headers: http.IncomingHttpHeaders;
    firstData: string;
    firstAt: number;
    endAt: number;
    data: string[];
}> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const req = http.get(
            {
                host: "127.0.0.1",
                port,
                path,
                agent: false,
                headers: { Accept: "text/event-stream", "Accept-Encoding": "gzip" },
            },
            (res) => {
                let text = "";
                let firstData = "";
                let firstAt = -1;
                res.setEncoding("utf8");
                res.on("data", (chunk: string) => {
                    text += chunk;
                    const match = /^data: (.*)$/m.exec(text);
                    if (match && firstAt < 0) {
                        firstData = match[1];
                        firstAt = Date.now() - started;
                    }
                });
                res.on("end", () =>
                    resolve({
                        status: res.statusCode ?? 0,
                        headers: res.headers,
                        firstData,
                        firstAt,
                        endAt: Date.now() - started,
                        data: [...text.matchAll(/^data: (.*)$/gm)].map((m) => m[1]),
                    }),
                );
            },
        );
        req.on("error", reject);
    });
}

describe("nginx.conf on a real nginx as an arbitrary UID (L02, L04, L07, L09, L11, L24, L25)", function () {
    this.timeout(180_000);
    let stub: StubApi;
    let files: Record<string, Buffer>;
    let contentRoot: string;
    const servers: Record<string, RunningNginx> = {};

    before(async function () {
        stub = await startStubApi();
        contentRoot = makeReadOnlyDir("webstack-site-");
        files = writeSiteContent(contentRoot);
        for (const mode of MODES) {
            const port = await freePort();
            const dirs = nginxDirs();
            const conf = renderNginxConf({
                listenPort: port,
                listenAddress: "127.0.0.1",
                apiUpstream: `127.0.0.1:${stub.port}`,
                apiRouting: mode.routing,
                corsOrigins: [ALLOWED_ORIGIN],
                versionHeader: { value: VERSION },
                contentRoot,
                tempDir: dirs.tempDir,
                workerProcesses: 2,
            });
            servers[mode.name] = await startNginx(conf, port, dirs);
        }
    });

    after(async function () {
        await Promise.all(Object.values(servers).map((s) => s.stop()));
        await stub?.stop();
        if (contentRoot) {
            fs.rmSync(contentRoot, { recursive: true, force: true });
        }
    });

    const port = (mode: string): number => servers[mode].port;

    it("[L02] every option combination passes nginx -t as the arbitrary UID (no CORS, no version, SSE prefixes, SSE path among routes)", function () {
        const variants: Partial<NginxConfOptions>[] = [
            {},
            {
                apiRouting: { mode: "routes", routes: ["/events", "/telemetry", "/stream/"] },
                ssePaths: ["/events", "/stream/"],
            },
            {
                corsOrigins: ["https://a.example.com", "http://localhost:3000"],
                versionHeader: { name: "X-Relay-Version", value: "sha256:3f2a9c1b" },
            },
            {
                longCachePrefixes: ["/static/"],
                workerProcesses: "auto",
                upstreamKeepalive: 8,
                sseReadTimeoutSeconds: 86400,
                healthPath: "/_webstack/ready",
            },
        ];
        for (const variant of variants) {
            const dirs = nginxDirs();
            try {
                checkNginxConf(
                    renderNginxConf({ apiUpstream: "127.0.0.1:5000", contentRoot, tempDir: dirs.tempDir, ...variant }),
                    dirs,
                );
            } finally {
                removeNginxDirs(dirs);
            }
        }
    });
    const stubSaw = (path: string): boolean => stub.seen.some((r) => r.url === path);

    it("[L02] passes nginx -t and runs as the arbitrary UID in group 0 with only its temp dir writable, logging to stdout", async function () {
        for (const mode of MODES) {
            const s = servers[mode.name];
            for (const pid of [s.process.pid, ...childPids(s.process.pid)]) {
                const { uids, gids } = processIdentity(pid);
                assert.deepEqual(uids, [ARBITRARY_UID, ARBITRARY_UID, ARBITRARY_UID, ARBITRARY_UID], `pid ${pid} uids`);
                assert.deepEqual(gids, [0, 0, 0, 0], `pid ${pid} gids`);
            }
            assert.equal(childPids(s.process.pid).length, 2, "two workers");
            assert.equal(fs.readFileSync(`${s.tempDir}/nginx.pid`, "utf8").trim(), String(s.process.pid));
            for (const temp of ["client_temp", "proxy_temp"]) {
                assert.equal(
                    fs.statSync(`${s.tempDir}/${temp}`).uid,
                    ARBITRARY_UID,
                    `${temp} created by nginx under the temp dir`,
                );
            }
            await request(s.port, "/robots.txt", { headers: { "User-Agent": `log-probe-${mode.name}` } });
            await new Promise((r) => setTimeout(r, 200));
            assert.match(
                s.process.log(),
                new RegExp(`"GET /robots.txt HTTP/1.1" 200 .*log-probe-${mode.name}`),
                "access log line on stdout",
            );
        }
    });

    for (const mode of MODES) {
        it(`[L07] ${mode.name}: /present-blackjack serves present-blackjack.html`, async function () {
            const r = await request(port(mode.name), "/present-blackjack");
            assert.equal(r.status, 200);
            assert.match(String(r.headers["content-type"]), /^text\/html/);
            assert.ok(r.body.equals(files["/present-blackjack.html"]), "body is the file");
            assert.ok(!stubSaw("/present-blackjack"), "a static page never reaches the API");
        });

        it(`[L04] ${mode.name}: every route of the realistic API route list reaches the API, GET and POST`, async function () {
            for (const path of REALISTIC_API_PATHS) {
                for (const method of ["GET", "POST"]) {
                    const r = await request(port(mode.name), path, {
                        method,
                        headers: { "Content-Type": "application/json" },
                        body: method === "POST" ? "{}" : undefined,
                    });
                    assert.equal(r.status, 200, `${method} ${path} → ${r.status} ${r.body.toString().slice(0, 80)}`);
                    assert.match(
                        String(r.headers["content-type"]),
                        /^application\/json/,
                        `${method} ${path} is JSON, not the HTML 404 page`,
                    );
                    assert.deepEqual(JSON.parse(r.body.toString()), { served_by: "stub-api", method, path });
                }
            }
        });
    }

    it("[L04] routes mode: a path the API did not declare stays static (nginx 404, the API never sees it)", async function () {
        const r = await request(port("routes"), "/not-declared");
        assert.equal(r.status, 404);
        assert.match(String(r.headers["content-type"]), /^text\/html/);
        assert.ok(!stubSaw("/not-declared"));
    });

    it("[L04] fallback mode: a path that is no static file reaches the API, which answers its own 404", async function () {
        const r = await request(port("fallback"), "/not-a-file");
        assert.equal(r.status, 404);
        assert.deepEqual(JSON.parse(r.body.toString()), { served_by: "stub-api", method: "GET", path: "/not-a-file" });
    });

    it("[L04] upstream keepalive: 30 sequential API requests share the few pooled upstream connections", async function () {
        const before = stub.seen.length;
        for (let i = 0; i < 30; i++) {
            assert.equal((await request(port("fallback"), `/state?i=${i}`)).status, 200);
        }
        const connections = new Set(stub.seen.slice(before).map((r) => r.connection));
        assert.ok(
            connections.size <= 2,
            `${connections.size} upstream connections for 30 requests (one per worker at most)`,
        );
    });

    it("nginx's own health endpoint answers without the API and does not shadow the API's /healthz", async function () {
        for (const mode of MODES) {
            const r = await request(port(mode.name), NGINX_DEFAULT_HEALTH_PATH);
            assert.equal(r.status, 200);
            assert.equal(r.body.toString(), "ok\n");
            const api = await request(port(mode.name), "/healthz");
            assert.equal(JSON.parse(api.body.toString()).served_by, "stub-api");
        }
        assert.ok(!stubSaw(NGINX_DEFAULT_HEALTH_PATH), "health endpoint never proxied");
    });

    it("[L11] an SSE stream stays open past the API read timeout, which still ends a stalled API call (504)", async function () {
        const apiReadTimeoutSeconds = 1;
        const pauseMs = 2500;
        const sitePort = await freePort();
        const dirs = nginxDirs();
        const site = await startNginx(
            renderNginxConf({
                listenPort: sitePort,
                listenAddress: "127.0.0.1",
                apiUpstream: `127.0.0.1:${stub.port}`,
                apiRouting: { mode: "fallback" },
                apiReadTimeoutSeconds,
                contentRoot,
                tempDir: dirs.tempDir,
            }),
            sitePort,
            dirs,
        );
        try {
            const sse = await readSse(sitePort, `/events?pause=${pauseMs}`);
            assert.equal(sse.status, 200);
            assert.deepEqual(sse.data, ["first", "after-pause"], "the stream was cut during the pause");
            assert.ok(sse.endAt >= pauseMs, `stream ended after ${sse.endAt} ms`);
            const stalled = await request(sitePort, `/slow?ms=${pauseMs}`);
            assert.equal(stalled.status, 504, "an ordinary API call keeps the short read timeout");
        } finally {
            await site.stop();
        }
    });

    for (const mode of MODES) {
        it(`[L11] ${mode.name}: an SSE event reaches the client before the upstream ends the stream, with X-Forwarded-* headers`, async function () {
            const seenBefore = stub.seen.length;
            const sse = await readSse(port(mode.name));
            assert.equal(sse.status, 200);
            assert.match(String(sse.headers["content-type"]), /^text\/event-stream/);
            assert.equal(sse.headers["content-encoding"], undefined, "event stream is never gzipped");
            assert.equal(sse.firstData, "first");
            assert.ok(sse.firstAt < SSE_STREAM_MS / 2, `first event after ${sse.firstAt} ms: buffered`);
            assert.ok(sse.endAt >= SSE_STREAM_MS, `stream ended after ${sse.endAt} ms`);
            const upstream = stub.seen.slice(seenBefore).find((r) => r.url === "/events");
            assert.ok(upstream, "SSE request reached the API");
            assert.equal(upstream.headers["x-forwarded-for"], "127.0.0.1");
            assert.equal(upstream.headers["x-forwarded-proto"], "http");
            assert.equal(upstream.headers["x-real-ip"], "127.0.0.1");
            assert.equal(upstream.headers["connection"], undefined, "Connection cleared for keepalive");
        });
    }

    for (const mode of MODES) {
        it(`[L25] ${mode.name}: preflight from an allowed origin gets 204 and the CORS headers, on static and API paths`, async function () {
            for (const path of ["/state", "/present-blackjack", "/scenario/piport"]) {
                const r = await request(port(mode.name), path, {
                    method: "OPTIONS",
                    headers: {
                        Origin: ALLOWED_ORIGIN,
                        "Access-Control-Request-Method": "POST",
                        "Access-Control-Request-Headers": "content-type, x-badge",
                    },
                });
                assert.equal(r.status, 204, `${path}: ${r.status}`);
                assert.equal(r.headers["access-control-allow-origin"], ALLOWED_ORIGIN);
                assert.match(String(r.headers["access-control-allow-methods"]), /\bPOST\b/);
                assert.equal(r.headers["access-control-allow-headers"], "content-type, x-badge");
                assert.equal(r.headers["access-control-max-age"], "600");
                assert.equal(r.headers["x-webstack-version"], VERSION);
                assert.ok(!stub.seen.some((s) => s.method === "OPTIONS"), "preflight answered by nginx");
            }
        });

        it(`[L25] ${mode.name}: preflight from any other origin gets no CORS header at all`, async function () {
            const r = await request(port(mode.name), "/state", {
                method: "OPTIONS",
                headers: { Origin: OTHER_ORIGIN, "Access-Control-Request-Method": "POST" },
            });
            assert.equal(r.status, 403);
            assert.deepEqual(
                Object.keys(r.headers).filter((h) => h.startsWith("access-control-")),
                [],
            );
        });
    }

    it("[L25] actual requests: the allowed origin is echoed on API and static responses, another origin gets none", async function () {
        for (const path of ["/state", "/index.html"]) {
            const allowed = await request(port("fallback"), path, { headers: { Origin: ALLOWED_ORIGIN } });
            assert.equal(allowed.headers["access-control-allow-origin"], ALLOWED_ORIGIN, path);
            assert.match(String(allowed.headers["vary"]), /Origin/);
            const other = await request(port("fallback"), path, { headers: { Origin: OTHER_ORIGIN } });
            assert.equal(other.headers["access-control-allow-origin"], undefined, path);
        }
    });

    it("[L09] gzip for HTML, CSS and JS; never for video", async function () {
        for (const path of ["/present-blackjack.html", "/assets/app.css", HASHED_BUNDLE]) {
            const r = await request(port("fallback"), path, { headers: { "Accept-Encoding": "gzip, deflate, br" } });
            assert.equal(r.headers["content-encoding"], "gzip", path);
            assert.ok(zlib.gunzipSync(r.body).equals(files[path]), `${path} decompresses to the file`);
            assert.ok(
                r.body.length < files[path].length / 2,
                `${path}: ${r.body.length} of ${files[path].length} bytes`,
            );
        }
        const video = await request(port("fallback"), VIDEO, { headers: { "Accept-Encoding": "gzip" } });
        assert.equal(video.headers["content-encoding"], undefined);
    });

    it("[L09] a Range request on the .mp4 gets 206 with exactly the requested bytes", async function () {
        const r = await request(port("fallback"), VIDEO, { headers: { Range: "bytes=1000-4999" } });
        assert.equal(r.status, 206);
        assert.equal(r.headers["content-range"], `bytes 1000-4999/${files[VIDEO].length}`);
        assert.equal(r.headers["content-type"], "video/mp4");
        assert.ok(r.body.equals(files[VIDEO].subarray(1000, 5000)));
        assert.equal(
            (await request(port("fallback"), VIDEO, { method: "HEAD" })).headers["accept-ranges"],
            "bytes",
            "players learn ranges work",
        );
    });

    it("[L09] Cache-Control by type: HTML and unhashed files revalidate, media and hashed assets are immutable, API untouched", async function () {
        const expected: Record<string, string> = {
            "/present-blackjack": REVALIDATE_CACHE_CONTROL,
            "/stage/dashboard.html": REVALIDATE_CACHE_CONTROL,
            "/": REVALIDATE_CACHE_CONTROL,
            "/robots.txt": REVALIDATE_CACHE_CONTROL,
            "/assets/app.css": LONG_CACHE_CONTROL,
            [VIDEO]: LONG_CACHE_CONTROL,
            "/images/logo.png": LONG_CACHE_CONTROL,
            [HASHED_BUNDLE]: LONG_CACHE_CONTROL,
        };
        for (const mode of MODES) {
            for (const [path, cacheControl] of Object.entries(expected)) {
                const r = await request(port(mode.name), path);
                assert.equal(r.status, 200, `${mode.name} ${path}`);
                assert.equal(r.headers["cache-control"], cacheControl, `${mode.name} ${path}`);
            }
            assert.equal(
                (await request(port(mode.name), "/state")).headers["cache-control"],
                undefined,
                "API decides its own caching",
            );
        }
    });

    it("[L24] the version header is on 200, 204, 301 and 404 responses, exactly once, replacing the API's own", async function () {
        const cases: [string, string, number][] = [
            ["fallback", "/present-blackjack", 200],
            ["fallback", "/state", 200],
            ["fallback", "/not-a-file", 404],
            ["routes", "/not-declared", 404],
            ["routes", "/.git/config", 404],
            ["fallback", "/stage", 301],
            ["fallback", NGINX_DEFAULT_HEALTH_PATH, 200],
        ];
        for (const [mode, path, status] of cases) {
            const r = await request(port(mode), path);
            assert.equal(r.status, status, `${mode} ${path}`);
            assert.equal(r.headers["x-webstack-version"], VERSION, `${mode} ${path}`);
        }
        assert.equal(
            (await request(port("fallback"), "/stage")).headers.location,
            "/stage/",
            "relative redirect (the router owns scheme and port)",
        );
    });

    it("security headers fit a static + API site, on static and API responses (the API's own copy replaced)", async function () {
        for (const path of ["/present-blackjack", "/state"]) {
            const r = await request(port("fallback"), path);
            assert.equal(r.headers["x-content-type-options"], "nosniff", path);
            assert.equal(r.headers["referrer-policy"], "strict-origin-when-cross-origin", path);
            assert.equal(
                r.headers["x-frame-options"],
                "SAMEORIGIN",
                `${path} (the stub sends ${STUB_OWN_HEADERS["X-Frame-Options"]})`,
            );
            assert.equal(r.headers["content-security-policy"], "frame-ancestors 'self'", path);
            assert.equal(r.headers["server"], "nginx", `${path}: no version in Server`);
        }
        assert.equal((await request(port("fallback"), "/.git/config")).status, 404, "dotfiles are not served");
    });

    it("[L24] an API that accepts but never answers gets a JSON 504 after apiReadTimeoutSeconds, with the version header", async function () {
        // Accepts connections and reads requests, never writes a byte.
        const silent = net.createServer((socket) => socket.resume());
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        const dirs = nginxDirs();
        const nginxPort = await freePort();
        const conf = renderNginxConf({
            listenPort: nginxPort,
            listenAddress: "127.0.0.1",
            apiUpstream: `127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
            apiReadTimeoutSeconds: 1,
            versionHeader: { value: VERSION },
            contentRoot,
            tempDir: dirs.tempDir,
            workerProcesses: 1,
        });
        const silentApiNginx = await startNginx(conf, nginxPort, dirs);
        try {
            const r = await request(nginxPort, "/state");
            assert.equal(r.status, 504);
            assert.match(String(r.headers["content-type"]), /^application\/json/);
            assert.equal(JSON.parse(r.body.toString()).error, "api_timeout");
            assert.equal(r.headers["x-webstack-version"], VERSION);
            assert.ok(r.ms >= 900 && r.ms < 3000, `answered after ${r.ms} ms`);
            assert.equal((await request(nginxPort, "/present-blackjack")).status, 200, "static still served");
        } finally {
            await silentApiNginx.stop();
            silent.close();
        }
    });

    // Last: stops the stub API.
    it("[L24] with the API down: static pages still 200, API paths answer JSON 502 quickly, with the version header", async function () {
        await stub.stop();
        for (const mode of MODES) {
            const page = await request(port(mode.name), "/present-blackjack");
            assert.equal(page.status, 200, `${mode.name}: static page`);
            for (const path of ["/state", "/scenario/piport", "/events"]) {
                const r = await request(port(mode.name), path);
                assert.equal(r.status, 502, `${mode.name} ${path}`);
                assert.match(String(r.headers["content-type"]), /^application\/json/);
                assert.deepEqual(JSON.parse(r.body.toString()).error, "api_unavailable");
                assert.equal(r.headers["x-webstack-version"], VERSION, `${mode.name} ${path}`);
                assert.ok(r.ms < 3000, `${mode.name} ${path} took ${r.ms} ms`);
            }
        }
    });
});
