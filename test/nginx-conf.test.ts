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

describe("renderNginxConf problems: the field, the rule, the fix and the lessons of each", function () {
    const health = { field: "healthPath", fix: 'use "/_webstack/healthz"', lessons: ["L04"] };
    const segments = {
        problem: 'must not contain empty, "." or ".." segments',
        fix: "write the normalised path",
        lessons: ["L04"],
    };
    const cases: [
        string,
        Partial<NginxConfOptions>,
        { field: string; problem?: string; fix: string; lessons?: string[] },
    ][] = [
        ["[L04] an empty segment", { ssePaths: ["/a//b"] }, { field: "ssePaths[0]", ...segments }],
        ["[L04] a . segment", { ssePaths: ["/a/./b"] }, { field: "ssePaths[0]", ...segments }],
        [
            "[L04] a .. segment",
            { apiRouting: { mode: "routes", routes: ["/a/../b"] } },
            { field: "apiRouting.routes[0]", ...segments },
        ],
        [
            "[L04] an SSE path that is no URL path",
            { ssePaths: ["events"] },
            { field: "ssePaths[0]", fix: 'e.g. "/events"', lessons: ["L04"] },
        ],
        [
            "[L04] an unknown routing mode",
            { apiRouting: { mode: "proxy" } as never },
            {
                field: "apiRouting.mode",
                problem: 'must be "fallback" or "routes"',
                fix: 'use "fallback" (default) unless the API publishes its full route list',
                lessons: ["L04"],
            },
        ],
        [
            "[L04] a duplicate route",
            { apiRouting: { mode: "routes", routes: ["/log", "/log"] } },
            { field: "apiRouting.routes", fix: "list each route once", lessons: ["L04"] },
        ],
        [
            '[L04] the route "/"',
            { apiRouting: { mode: "routes", routes: ["/"] } },
            {
                field: "apiRouting.routes",
                fix: 'use { mode: "fallback" } to send every non-static path to the API',
                lessons: ["L04"],
            },
        ],
        [
            "a route equal to the health path",
            { apiRouting: { mode: "routes", routes: ["/_webstack/healthz"] } },
            {
                field: "apiRouting.routes",
                problem: 'route "/_webstack/healthz" would shadow the health endpoint',
                fix: 'move the API route or set healthPath under "/_webstack/"',
            },
        ],
        ["[L04] the reserved prefix itself as health path", { healthPath: "/_webstack/" }, health],
        [
            "[L04] a health path that is no URL path",
            { healthPath: "_webstack/healthz" },
            { ...health, fix: 'e.g. "/_webstack/healthz"' },
        ],
        [
            "a listen address that is no IPv4 address",
            { listenAddress: "localhost" },
            { field: "listenAddress", problem: "must be an IPv4 address", fix: "omit it to listen on every address" },
        ],
        [
            "[L02] a relative content root",
            { contentRoot: "srv/www" },
            {
                field: "contentRoot",
                problem: "must be an absolute path of letters, digits and . _ - /",
                fix: 'use a plain absolute path, e.g. "/tmp"',
                lessons: ["L02"],
            },
        ],
        [
            "[L02] a temp dir with a .. segment",
            { tempDir: "/tmp/../etc" },
            { field: "tempDir", fix: 'use a plain absolute path, e.g. "/tmp"', lessons: ["L02"] },
        ],
        [
            "[L25] an origin that is no string",
            { corsOrigins: [7 as never] },
            {
                field: "corsOrigins[0]",
                problem: "must be an origin string",
                fix: 'write scheme://host[:port] exactly as the browser sends it in the Origin header, e.g. "https://app.example.com"',
                lessons: ["L25"],
            },
        ],
        [
            "[L25] the wildcard origin",
            { corsOrigins: ["*"] },
            { field: "corsOrigins[0]", fix: "list every allowed origin explicitly", lessons: ["L25"] },
        ],
        [
            "[L25] an origin of another scheme",
            { corsOrigins: ["ftp://files.example.com"] },
            {
                field: "corsOrigins[0]",
                problem: "must use http or https",
                fix: 'write scheme://host[:port] exactly as the browser sends it in the Origin header, e.g. "https://app.example.com"',
                lessons: ["L25"],
            },
        ],
        [
            "[L24] a version value that is no string",
            { versionHeader: { value: 5 as never } },
            {
                field: "versionHeader.value",
                fix: 'pass e.g. the release version "1.4.2" or the image digest "sha256:…"',
                lessons: ["L24"],
            },
        ],
        [
            "[L09] a long-cache prefix that is no URL path",
            { longCachePrefixes: ["assets/"] },
            { field: "longCachePrefixes[0]", fix: 'e.g. "/assets/"', lessons: ["L04"] },
        ],
        [
            "[L09] a long-cache prefix without the trailing /",
            { longCachePrefixes: ["/assets"] },
            { field: "longCachePrefixes[0]", fix: 'e.g. "/assets/"', lessons: ["L09"] },
        ],
        [
            "a missing upstream",
            { apiUpstream: undefined },
            { field: "apiUpstream", fix: 'pass the API Service as "host:port", e.g. "web-api.my-ns.svc:5000"' },
        ],
        [
            "an upstream host that is no DNS name",
            { apiUpstream: "web_api:5000" },
            {
                field: "apiUpstream",
                problem: 'must be "host:port" (a DNS name or IPv4 address and a port)',
                fix: 'e.g. "web-api.my-ns.svc:5000"',
            },
        ],
        [
            "an upstream port followed by more",
            { apiUpstream: "web-api:5000x" },
            { field: "apiUpstream", fix: 'e.g. "web-api.my-ns.svc:5000"' },
        ],
        [
            "a scheme-like text after the port",
            { apiUpstream: "web-api:5000/a://b" },
            { field: "apiUpstream", fix: 'e.g. "web-api.my-ns.svc:5000"' },
        ],
        [
            "an upstream port out of range",
            { apiUpstream: "web-api:65536" },
            { field: "apiUpstream", fix: "use the API Service's port" },
        ],
        [
            "upstreamKeepalive out of range",
            { upstreamKeepalive: 0 },
            { field: "upstreamKeepalive", fix: "use the default 32", lessons: [] },
        ],
        [
            "[L11] sseReadTimeoutSeconds out of range",
            { sseReadTimeoutSeconds: 60 },
            {
                field: "sseReadTimeoutSeconds",
                fix: "keep it above the API's heartbeat interval, e.g. 3600",
                lessons: ["L11"],
            },
        ],
        [
            "[L11] apiReadTimeoutSeconds out of range",
            { apiReadTimeoutSeconds: 0 },
            {
                field: "apiReadTimeoutSeconds",
                fix: "use the default 60; long-lived responses belong in ssePaths",
                lessons: ["L11"],
            },
        ],
        [
            "workerProcesses out of range",
            { workerProcesses: 65 },
            { field: "workerProcesses", fix: 'use "auto" or the container\'s CPU count', lessons: [] },
        ],
    ];
    for (const [what, opts, expected] of cases) {
        it(`${what}: ${expected.field}`, function () {
            const [first] = nginxConfProblems({ ...base, ...opts });
            assert.ok(first, "accepted");
            assert.deepEqual(
                {
                    field: first.field,
                    problem: expected.problem ?? first.problem,
                    fix: first.fix,
                    lessons: first.lessons,
                },
                { problem: first.problem, lessons: undefined, ...expected },
            );
        });
    }

    it("accepts an http origin, a route that only starts like the health path, and routes beside it", function () {
        assert.deepEqual(nginxConfProblems({ ...base, corsOrigins: ["http://app.example.com:8080"] }), []);
        assert.deepEqual(
            nginxConfProblems({
                ...base,
                apiRouting: { mode: "routes", routes: ["/_web", "/_webstack-api/", "/api/"] },
            }),
            [],
        );
        // The health rule waits until every path is valid: one problem, not two.
        assert.deepEqual(
            nginxConfProblems({ ...base, apiRouting: { mode: "routes", routes: ["/_webstack/", "bad"] } }).map(
                (p) => p.field,
            ),
            ["apiRouting.routes[1]"],
        );
    });
});

/** The server's locations of a rendered nginx.conf: match ("= /events", "/", "@webstack_api") → directive lines. */
function locations(conf: string): Map<string, string[]> {
    const found = new Map<string, string[]>();
    let open: string[] | undefined;
    for (const line of conf.split("\n").map((l) => l.trim())) {
        const start = /^location (.+) \{$/.exec(line);
        if (start) {
            assert.ok(!found.has(start[1]), `location ${start[1]} twice`);
            open = [];
            found.set(start[1], open);
        } else if (line === "}") {
            open = undefined;
        } else if (open && line !== "" && !line.startsWith("#")) {
            open.push(line);
        }
    }
    return found;
}

const PROXIED_WITH = (readTimeout: string) => [
    "proxy_pass http://webstack_api;",
    "proxy_http_version 1.1;",
    'proxy_set_header Connection "";',
    "proxy_set_header Host $host;",
    "proxy_set_header X-Real-IP $remote_addr;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Forwarded-Proto $webstack_forwarded_proto;",
    "proxy_set_header X-Forwarded-Host $host;",
    "proxy_connect_timeout 2s;",
    `proxy_read_timeout ${readTimeout};`,
    "error_page 502 503 = @webstack_api_unavailable;",
    "error_page 504 = @webstack_api_timeout;",
];

describe("renderNginxConf locations", function () {
    const routed: NginxConfOptions = {
        ...base,
        apiRouting: { mode: "routes", routes: ["/telemetry", "/scenario/", "/events"] },
        sseReadTimeoutSeconds: 7200,
        apiReadTimeoutSeconds: 30,
    };

    it("[L04] routes mode: one location per declared route (exact, or prefix when it ends in /), the SSE path once, other misses 404", function () {
        const found = locations(renderNginxConf(routed));
        assert.deepEqual(
            [...found.keys()],
            [
                "= /_webstack/healthz",
                "~ /\\.(?!well-known/)",
                "= /events",
                "= /telemetry",
                "^~ /scenario/",
                "/",
                "@webstack_api_unavailable",
                "@webstack_api_timeout",
            ],
        );
        assert.equal(found.get("/")![0], "try_files $uri $uri.html $uri/ =404;");
    });

    it("[L04, L07] fallback mode: a path that is no static file (nor file.html, nor directory) goes to the API", function () {
        const found = locations(renderNginxConf(base));
        assert.equal(found.get("/")![0], "try_files $uri $uri.html $uri/ @webstack_api;");
        assert.deepEqual(
            found.get("@webstack_api")!.filter((line) => !/^(add|proxy_hide)_header /.test(line)),
            PROXIED_WITH("60s"),
        );
        assert.deepEqual(
            found.get("= /events")!.slice(-3),
            ["proxy_buffering off;", "proxy_cache off;", "gzip off;"],
            "[L11] the default SSE path streams unbuffered",
        );
    });

    it("[L11] every proxied location forwards the client's host and scheme over a kept-alive connection, SSE with its own read timeout", function () {
        const found = locations(renderNginxConf(routed));
        const proxied = (match: string) => found.get(match)!.filter((line) => !/^(add|proxy_hide)_header /.test(line));
        assert.deepEqual(proxied("= /events"), [
            ...PROXIED_WITH("7200s"),
            "proxy_buffering off;",
            "proxy_cache off;",
            "gzip off;",
        ]);
        assert.deepEqual(proxied("= /telemetry"), PROXIED_WITH("30s"));
        assert.deepEqual(proxied("^~ /scenario/"), PROXIED_WITH("30s"));
    });

    it("[L24, L25] add_header is not inherited, so every location repeats the common headers; proxied ones hide the API's copies", function () {
        const conf = renderNginxConf({
            ...routed,
            corsOrigins: ["https://app.example.com"],
            versionHeader: { value: "1.2" },
        });
        const found = locations(conf);
        const serverHeaders = conf
            .split("\n")
            .map((l) => l.trim())
            .filter(
                (l) => /^add_header .* always;$/.test(l) && !/Access-Control-Allow-(Methods|Headers)|Max-Age/.test(l),
            );
        const common = [...new Set(serverHeaders)];
        assert.deepEqual(common, [
            'add_header X-Webstack-Version "1.2" always;',
            'add_header X-Content-Type-Options "nosniff" always;',
            'add_header Referrer-Policy "strict-origin-when-cross-origin" always;',
            'add_header X-Frame-Options "SAMEORIGIN" always;',
            `add_header Content-Security-Policy "frame-ancestors 'self'" always;`,
            "add_header Access-Control-Allow-Origin $webstack_cors_allow_origin always;",
            'add_header Vary "Origin" always;',
        ]);
        for (const [match, lines] of found) {
            assert.deepEqual(
                lines.filter((l) => common.includes(l)),
                common,
                `location ${match}`,
            );
            if (lines.some((l) => l.startsWith("proxy_pass "))) {
                assert.deepEqual(
                    lines.filter((l) => l.startsWith("proxy_hide_header ")),
                    [
                        "X-Webstack-Version",
                        "X-Content-Type-Options",
                        "Referrer-Policy",
                        "X-Frame-Options",
                        "Access-Control-Allow-Origin",
                        "Access-Control-Allow-Credentials",
                    ].map((h) => `proxy_hide_header ${h};`),
                    `location ${match}`,
                );
            }
        }
        assert.match(conf, /^\s*"https:\/\/app\.example\.com" \$http_origin;$/m, "the allowed origin is echoed");
        const plain = renderNginxConf(base);
        assert.doesNotMatch(
            plain,
            /Access-Control-Allow-Origin|Vary "Origin"|\$http_origin;/,
            "no CORS header without origins",
        );
    });

    it("the API's unavailability and timeouts answer JSON with their own status; health is nginx's own 200", function () {
        const found = locations(renderNginxConf(base));
        for (const [name, status, error] of [
            ["@webstack_api_unavailable", 502, "api_unavailable"],
            ["@webstack_api_timeout", 504, "api_timeout"],
        ] as const) {
            const lines = found.get(name)!;
            assert.equal(lines[0], "default_type application/json;");
            const answer = /^return (\d+) '(.*)';$/.exec(lines[lines.length - 1])!;
            assert.equal(Number(answer[1]), status);
            assert.deepEqual(JSON.parse(answer[2]), {
                error,
                status,
                detail: "the API did not answer; static content is still served",
            });
        }
        const health = found.get("= /_webstack/healthz")!;
        assert.deepEqual(
            [health[0], health[1], health[health.length - 1]],
            ["access_log off;", "default_type text/plain;", 'return 200 "ok\\n";'],
        );
        assert.equal(found.get("~ /\\.(?!well-known/)")!.at(-1), "return 404;", "dotfiles are never served");
    });

    it("[L02, L09] the options reach their directives: listen address, root and temp dir without a trailing slash, upstream, workers, cache prefixes", function () {
        const conf = renderNginxConf({
            apiUpstream: "10.0.0.7:5001",
            listenAddress: "127.0.0.1",
            listenPort: 8081,
            contentRoot: "/srv/www/",
            tempDir: "/run/nginx/",
            mimeTypesPath: "/opt/nginx/mime.types",
            workerProcesses: 2,
            upstreamKeepalive: 16,
            longCachePrefixes: ["/assets.v2/", "/c++/"],
        });
        const directives = conf.split("\n").map((l) => l.trim());
        for (const expected of [
            "listen 127.0.0.1:8081;",
            "root /srv/www;",
            "pid /run/nginx/nginx.pid;",
            "include /opt/nginx/mime.types;",
            "worker_processes 2;",
            "server 10.0.0.7:5001;",
            "keepalive 16;",
            `"~^(/assets\\.v2/|/c\\+\\+/)" "public, max-age=31536000, immutable";`,
        ]) {
            assert.ok(directives.includes(expected), expected);
        }
        assert.ok(renderNginxConf(base).split("\n").includes("    listen 8080;"), "every address by default");
        assert.ok(renderNginxConf({ ...base, contentRoot: "/" }).includes("root /;"), "the root directory stays /");
    });
});
