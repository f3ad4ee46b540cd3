// Input validation of the nginx.conf renderer: a bad value fails with the field, the value and the fix.
// (What the rendered config does is proven on a real nginx in nginx.real.test.ts.)
import { strict as assert } from "assert";
import { nginxConfProblems, NginxConfOptions, renderNginxConf } from "../components/nginx-conf";

const base: NginxConfOptions = { apiUpstream: "web-api.qr-demo-dev.svc:5000" };

function rejection(opts: Partial<NginxConfOptions>): string {
    try {
        renderNginxConf({ ...base, ...opts });
    } catch (e) {
        return (e as Error).message;
    }
    assert.fail(`accepted ${JSON.stringify(opts)}`);
}

describe("renderNginxConf input validation", function () {
    it("rejects an upstream with a scheme, suggesting host:port", function () {
        const message = rejection({ apiUpstream: "http://web-api:5000/" });
        assert.match(
            message,
            /^apiUpstream: must be "host:port" without a scheme \(got "http:\/\/web-api:5000\/"\)\. Fix: use "web-api:5000"/,
        );
    });

    it("rejects an upstream without a port or with an impossible one", function () {
        assert.match(rejection({ apiUpstream: "web-api" }), /^apiUpstream: .*\(got "web-api"\)/);
        assert.match(rejection({ apiUpstream: "web-api:70000" }), /^apiUpstream: port must be from 1 to 65535/);
        assert.match(rejection({ apiUpstream: undefined }), /^apiUpstream: is required/);
    });

    it("[L25] rejects origins that the browser would never send, giving the exact origin to use", function () {
        assert.match(
            rejection({ corsOrigins: ["https://App.Example.com/"] }),
            /^corsOrigins\[0\]: must be a bare origin.*Fix: use "https:\/\/app\.example\.com" \[L25\]/,
        );
        assert.match(
            rejection({ corsOrigins: ["https://ok.example.com", "*"] }),
            /^corsOrigins\[1\]: wildcard origins are not allowed/,
        );
        assert.match(
            rejection({ corsOrigins: ["ftp://files.example.com"] }),
            /^corsOrigins\[0\]: must use http or https/,
        );
        assert.match(rejection({ corsOrigins: ["app.example.com"] }), /^corsOrigins\[0\]: is not an origin/);
    });

    it("[L04] rejects route patterns, suggesting the prefix that covers them", function () {
        const message = rejection({ apiRouting: { mode: "routes", routes: ["/telemetry", "/scenario/<name>"] } });
        assert.match(
            message,
            /^apiRouting\.routes\[1\]: .*\(got "\/scenario\/<name>"\)\. Fix: declare the fixed prefix ending in "\/" instead of a pattern, e\.g\. "\/scenario\/" \[L04\]/,
        );
    });

    it('[L04] rejects an empty route list, duplicate routes and "/" in routes mode', function () {
        assert.match(
            rejection({ apiRouting: { mode: "routes", routes: [] } }),
            /^apiRouting\.routes: must list every API route.*\{ mode: "fallback" \}/,
        );
        assert.match(
            rejection({ apiRouting: { mode: "routes", routes: ["/log", "/log"] } }),
            /^apiRouting\.routes: lists a route twice \(got \["\/log"\]\)/,
        );
        assert.match(rejection({ apiRouting: { mode: "routes", routes: ["/"] } }), /shadow the static site/);
    });

    it("rejects a health path that could shadow an API route (the API serves /healthz itself)", function () {
        assert.match(
            rejection({ healthPath: "/healthz" }),
            /^healthPath: must lie under "\/_webstack\/".*\(got "\/healthz"\)\. Fix: use "\/_webstack\/healthz"/,
        );
        assert.match(
            rejection({ apiRouting: { mode: "routes", routes: ["/_webstack/"] } }),
            /route "\/_webstack\/" would shadow the health endpoint/,
        );
    });

    it("[L02] rejects a privileged listen port", function () {
        assert.match(
            rejection({ listenPort: 80 }),
            /^listenPort: must be an integer from 1024 to 65535 \(got 80\)\. Fix: use 8080.* \[L02\]/,
        );
    });

    it("[L24] rejects version header names and values that could break out of the directive", function () {
        assert.match(
            rejection({ versionHeader: { value: '1.0"; add_header X "y' } }),
            /^versionHeader\.value: must be a non-empty version/,
        );
        assert.match(rejection({ versionHeader: { value: "$request_uri" } }), /^versionHeader\.value:/);
        assert.match(
            rejection({ versionHeader: { name: "X Version", value: "1.0" } }),
            /^versionHeader\.name: must be an HTTP header name/,
        );
    });

    it("[L11] rejects SSE paths with nginx syntax and a read timeout below the default 60 s", function () {
        assert.match(rejection({ ssePaths: ["/events; return 200"] }), /^ssePaths\[0\]:/);
        assert.match(
            rejection({ sseReadTimeoutSeconds: 30 }),
            /^sseReadTimeoutSeconds: must be an integer from 61 to 86400 \(got 30\)/,
        );
    });

    it("[L09] rejects a long-cache prefix that would make HTML immutable", function () {
        assert.match(
            rejection({ longCachePrefixes: ["/"] }),
            /^longCachePrefixes\[0\]: must be a directory prefix ending in "\/"/,
        );
        assert.match(rejection({ longCachePrefixes: ["/assets"] }), /^longCachePrefixes\[0\]:/);
    });

    it("reports every problem at once, one line each", function () {
        const lines = rejection({ apiUpstream: "x", listenPort: 443, corsOrigins: ["*"], healthPath: "/health" }).split(
            "\n",
        );
        assert.deepEqual(
            lines.map((l) => l.split(":")[0]),
            ["listenPort", "apiUpstream", "healthPath", "corsOrigins[0]"],
        );
    });

    it("[L24] adds no version header directive when no version is given, and the named one when it is", function () {
        assert.doesNotMatch(renderNginxConf(base), /X-Webstack-Version/);
        assert.match(
            renderNginxConf({ ...base, versionHeader: { name: "X-Relay-Version", value: "0.2.0" } }),
            /add_header X-Relay-Version "0\.2\.0" always;/,
        );
    });

    it("[L02] keeps every writable path under the temp dir and declares no user", function () {
        const conf = renderNginxConf({ ...base, tempDir: "/var/run/nginx-tmp" });
        assert.doesNotMatch(conf, /^\s*user\s/m);
        const writable = [...conf.matchAll(/^\s*(pid|\w+_temp_path)\s+(\S+);/gm)].map((m) => [m[1], m[2]]);
        assert.equal(writable.length, 6, JSON.stringify(writable));
        for (const [directive, target] of writable) {
            assert.ok(target.startsWith("/var/run/nginx-tmp/"), `${directive} ${target}`);
        }
    });

    it("[L02, L11] accepts each number option at both ends of its range, refuses one beyond either end or a fraction", function () {
        const ranges: [keyof NginxConfOptions, number, number, string[]][] = [
            ["listenPort", 1024, 65535, ["L02"]],
            ["workerProcesses", 1, 64, []],
            ["upstreamKeepalive", 1, 1024, []],
            ["sseReadTimeoutSeconds", 61, 86400, ["L11"]],
            ["apiReadTimeoutSeconds", 1, 3600, ["L11"]],
        ];
        for (const [option, lo, hi, lessons] of ranges) {
            assert.deepEqual(nginxConfProblems({ ...base, [option]: lo }), [], `${option} ${lo}`);
            assert.deepEqual(nginxConfProblems({ ...base, [option]: hi }), [], `${option} ${hi}`);
            for (const wrong of [lo - 1, hi + 1, lo + 0.5]) {
                const problems = nginxConfProblems({ ...base, [option]: wrong });
                assert.deepEqual(
                    problems.map(({ field, problem, got, lessons }) => ({ field, problem, got, lessons })),
                    [{ field: option, problem: `must be an integer from ${lo} to ${hi}`, got: wrong, lessons }],
                    `${option} ${wrong}`,
                );
            }
        }
    });

    it("accepts an upstream port from 1 to 65535 and an IPv4 upstream, refuses port 0", function () {
        for (const apiUpstream of ["web-api:1", "web-api:65535", "10.0.0.7:5000"]) {
            assert.deepEqual(nginxConfProblems({ apiUpstream }), [], apiUpstream);
        }
        assert.match(
            rejection({ apiUpstream: "web-api:0" }),
            /^apiUpstream: port must be from 1 to 65535 \(got "web-api:0"\)/,
        );
    });
});
