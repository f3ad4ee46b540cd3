// The complete nginx.conf for the static site in front of the API, as a pure function of typed options.
// Every behaviour is proven against a real nginx in test/nginx.real.test.ts; the inputs are validated here so a
// bad value fails at preview with the field, the value and the fix.
import {
    HTTP_HEADER_NAME,
    MAX_PORT,
    NGINX_CONTENT_ROOT,
    UNPRIVILEGED_PORT_MIN,
    VERSION_HEADER_DEFAULT_NAME,
} from "./facts";
import { FieldProblem, rejectProblems } from "./errors";
import { defaultsOf, OptionTable, tableProblems, withDefaults } from "./option-table";

/** How nginx sends requests to the API. */
export type ApiRouting =
    /** Every path that is not a static file falls back to the API (default; L04: nothing is forgotten). */
    | { mode: "fallback" }
    /**
     * Exactly these declared API routes go to the API; everything else is static. A route ending in "/" is a
     * prefix ("/scenario/" covers "/scenario/piport"), any other route is one exact path ("/telemetry").
     */
    | { mode: "routes"; routes: string[] };

/** The options of nginx.conf; the default of each optional one is in {@link NGINX_DEFAULTS}. */
export interface NginxConfOptions {
    /** Port nginx listens on (non-root, L02). */
    listenPort?: number;
    /** IP address nginx binds. Default: none (all addresses; in a pod the Service reaches the pod IP). */
    listenAddress?: string;
    /** API upstream as "host:port", e.g. "web-api.qr-demo-dev.svc:5000". Required. */
    apiUpstream: string;
    /** How API requests are routed. */
    apiRouting?: ApiRouting;
    /** Server-Sent Events paths proxied unbuffered (L11); a path ending in "/" is a prefix. */
    ssePaths?: string[];
    /** Origins allowed for CORS; preflight answered 204 only for these (L25); none by default. */
    corsOrigins?: string[];
    /** Version header added to every response (L24); the name defaults to the project's. Default: no header. */
    versionHeader?: { name?: string; value: string };
    /** nginx's own health endpoint for probes, never proxied; must lie under "/_webstack/". */
    healthPath?: string;
    /** Document root. */
    contentRoot?: string;
    /** Writable directory for pid and temp paths (L02). */
    tempDir?: string;
    /** mime.types to include (it differs outside the image; the default is where Debian and nginx images keep it). */
    mimeTypesPath?: string;
    /** Worker processes; "auto" is one per CPU nginx sees (set a small number under a CPU limit). */
    workerProcesses?: number | "auto";
    /** Path prefixes whose files are served long-lived and immutable (L09). */
    longCachePrefixes?: string[];
    /** Idle connections kept open to the API per worker (L04 benchmark). */
    upstreamKeepalive?: number;
    /** Seconds an SSE stream may stay silent before nginx closes it (L11). */
    sseReadTimeoutSeconds?: number;
    /** Seconds nginx waits for an API response before answering JSON 504. */
    apiReadTimeoutSeconds?: number;
}

export const NGINX_DEFAULT_PORT = 8080;
export const NGINX_DEFAULT_HEALTH_PATH = "/_webstack/healthz";
/** Paths under this prefix belong to nginx itself, so they cannot shadow an API route. */
export const NGINX_RESERVED_PREFIX = "/_webstack/";

/** Cache-Control of media, /assets and content-hashed files (L09). */
export const LONG_CACHE_CONTROL = "public, max-age=31536000, immutable";
/** Cache-Control of HTML and every other static file: always revalidate (ETag / Last-Modified). */
export const REVALIDATE_CACHE_CONTROL = "no-cache";

const API_CONNECT_TIMEOUT = "2s"; // an unreachable API answers JSON 502/504 within seconds, not after 60 s
const CORS_ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const CORS_MAX_AGE_SECONDS = 600;

// Characters that can never break out of an nginx token or start a variable ($), comment (#) or block.
const URL_PATH = /^\/[A-Za-z0-9._~@:+\-/]*$/;
const HEADER_VALUE = /^[A-Za-z0-9._:@/+=,-]+$/;
const HOST_NAME =
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const FILE_PATH = /^\/[A-Za-z0-9._\-/]*$/;

/** Options checked, with defaults filled in and normalised: what the renderer reads. */
export interface ResolvedNginxConf {
    listen: string;
    upstream: string;
    routing: ApiRouting;
    ssePaths: string[];
    corsOrigins: string[];
    versionHeader?: { name: string; value: string };
    healthPath: string;
    contentRoot: string;
    tempDir: string;
    mimeTypesPath: string;
    workerProcesses: number | "auto";
    longCachePrefixes: string[];
    upstreamKeepalive: number;
    sseReadTimeoutSeconds: number;
    apiReadTimeoutSeconds: number;
}

function pathProblem(field: string, path: unknown, fix: string): FieldProblem | undefined {
    if (typeof path !== "string" || !URL_PATH.test(path)) {
        const pattern = typeof path === "string" && /[<*{(]/.test(path);
        return {
            field,
            problem: 'must be a URL path starting with "/" made of letters, digits and . _ ~ @ : + - /',
            got: path,
            fix: pattern
                ? `declare the fixed prefix ending in "/" instead of a pattern, e.g. "${path.split(/[<*{(]/)[0]}"`
                : fix,
            lessons: ["L04"],
        };
    }
    if (path.includes("//") || path.split("/").some((s) => s === "." || s === "..")) {
        return {
            field,
            problem: 'must not contain empty, "." or ".." segments',
            got: path,
            fix: "write the normalised path",
            lessons: ["L04"],
        };
    }
    return undefined;
}

function integerProblem(
    field: string,
    value: number,
    min: number,
    max: number,
    fix: string,
    lessons: string[],
): FieldProblem | undefined {
    return Number.isInteger(value) && value >= min && value <= max
        ? undefined
        : { field, problem: `must be an integer from ${min} to ${max}`, got: value, fix, lessons };
}

function upstreamProblem(upstream: unknown): FieldProblem | undefined {
    const field = "apiUpstream";
    if (typeof upstream !== "string") {
        return {
            field,
            problem: "is required",
            got: upstream,
            fix: 'pass the API Service as "host:port", e.g. "web-api.my-ns.svc:5000"',
        };
    }
    const scheme = /^[a-z]+:\/\//i.exec(upstream);
    if (scheme) {
        return {
            field,
            problem: 'must be "host:port" without a scheme',
            got: upstream,
            fix: `use "${upstream.slice(scheme[0].length).replace(/\/.*$/, "")}"`,
        };
    }
    const match = /^(.+):(\d{1,5})$/.exec(upstream);
    if (!match || !(HOST_NAME.test(match[1]) || IPV4.test(match[1]))) {
        return {
            field,
            problem: 'must be "host:port" (a DNS name or IPv4 address and a port)',
            got: upstream,
            fix: 'e.g. "web-api.my-ns.svc:5000"',
        };
    }
    const port = Number(match[2]);
    return port >= 1 && port <= MAX_PORT
        ? undefined
        : { field, problem: `port must be from 1 to ${MAX_PORT}`, got: upstream, fix: "use the API Service's port" };
}

function originProblem(field: string, origin: unknown): FieldProblem | undefined {
    const fix =
        'write scheme://host[:port] exactly as the browser sends it in the Origin header, e.g. "https://app.example.com"';
    if (typeof origin !== "string") {
        return { field, problem: "must be an origin string", got: origin, fix, lessons: ["L25"] };
    }
    if (origin === "*") {
        return {
            field,
            problem: "wildcard origins are not allowed",
            got: origin,
            fix: "list every allowed origin explicitly",
            lessons: ["L25"],
        };
    }
    let parsed: URL;
    try {
        parsed = new URL(origin);
    } catch {
        return { field, problem: "is not an origin", got: origin, fix, lessons: ["L25"] };
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
        return { field, problem: "must use http or https", got: origin, fix, lessons: ["L25"] };
    }
    if (parsed.origin !== origin) {
        return {
            field,
            problem: "must be a bare origin: lowercase, no path, query or trailing slash, no default port",
            got: origin,
            fix: `use "${parsed.origin}"`,
            lessons: ["L25"],
        };
    }
    return undefined;
}

/**
 * Problems of the options that decide which requests go where (API routes, SSE paths, CORS origins); field names
 * are the options' own ("apiRouting.routes[0]"). StaticSite checks its arguments with it before rendering.
 */
export function nginxRoutingProblems(
    opts: Pick<NginxConfOptions, "apiRouting" | "ssePaths" | "corsOrigins">,
    healthPath: string = NGINX_DEFAULT_HEALTH_PATH,
): FieldProblem[] {
    const problems: (FieldProblem | undefined)[] = [];
    const routing = opts.apiRouting ?? { mode: "fallback" };
    (opts.ssePaths ?? []).forEach((p, i) => problems.push(pathProblem(`ssePaths[${i}]`, p, 'e.g. "/events"')));
    if (routing.mode === "routes") {
        if (!Array.isArray(routing.routes) || routing.routes.length === 0) {
            problems.push({
                field: "apiRouting.routes",
                problem: "must list every API route",
                got: routing.routes,
                fix: 'list all of the API\'s routes, or use { mode: "fallback" }',
                lessons: ["L04"],
            });
        } else {
            routing.routes.forEach((r, i) =>
                problems.push(pathProblem(`apiRouting.routes[${i}]`, r, 'e.g. "/telemetry" or "/scenario/"')),
            );
            const duplicates = routing.routes.filter((r, i) => routing.routes.indexOf(r) !== i);
            if (duplicates.length > 0) {
                problems.push({
                    field: "apiRouting.routes",
                    problem: "lists a route twice",
                    got: duplicates,
                    fix: "list each route once",
                    lessons: ["L04"],
                });
            }
            if (routing.routes.includes("/")) {
                problems.push({
                    field: "apiRouting.routes",
                    problem: '"/" would send every path to the API and shadow the static site',
                    got: "/",
                    fix: 'use { mode: "fallback" } to send every non-static path to the API',
                    lessons: ["L04"],
                });
            }
        }
    } else if (routing.mode !== "fallback") {
        problems.push({
            field: "apiRouting.mode",
            problem: 'must be "fallback" or "routes"',
            got: (routing as { mode: unknown }).mode,
            fix: 'use "fallback" (default) unless the API publishes its full route list',
            lessons: ["L04"],
        });
    }

    (opts.corsOrigins ?? []).forEach((o, i) => problems.push(originProblem(`corsOrigins[${i}]`, o)));
    const found = problems.filter((p): p is FieldProblem => p !== undefined);
    if (found.length === 0 && routing.mode === "routes") {
        // Checked once every path is valid: nginx refuses duplicate locations, and the health path must stay nginx's.
        for (const route of routing.routes) {
            if (route === healthPath || (route.endsWith("/") && healthPath.startsWith(route))) {
                found.push({
                    field: "apiRouting.routes",
                    problem: `route "${route}" would shadow the health endpoint`,
                    got: route,
                    fix: `move the API route or set healthPath under "${NGINX_RESERVED_PREFIX}"`,
                });
            }
        }
    }
    return found;
}

/** The HTTP header name rule of the version header (L24), for nginx's `versionHeader.name` and StaticSite's `versionHeaderName`. */
export function versionHeaderNameProblem(field: string, name: unknown): FieldProblem | undefined {
    return typeof name === "string" && HTTP_HEADER_NAME.test(name)
        ? undefined
        : {
              field,
              problem: "must be an HTTP header name (letters, digits and -, not starting with -)",
              got: name,
              fix: `e.g. "${VERSION_HEADER_DEFAULT_NAME}"`,
              suggested: VERSION_HEADER_DEFAULT_NAME,
              lessons: ["L24"],
          };
}

function filePathProblem(field: string, value: string): FieldProblem | undefined {
    return FILE_PATH.test(value) && !value.split("/").includes("..")
        ? undefined
        : {
              field,
              problem: "must be an absolute path of letters, digits and . _ - /",
              got: value,
              fix: 'use a plain absolute path, e.g. "/tmp"',
              lessons: ["L02"],
          };
}

/**
 * Every option of nginx.conf with its default and its check: the defaults the renderer fills in, the checks
 * {@link nginxConfProblems} runs before anything is rendered. Checks of option combinations follow the table.
 */
export const NGINX_OPTIONS: OptionTable<NginxConfOptions> = {
    listenPort: {
        default: NGINX_DEFAULT_PORT,
        check: (field, port) =>
            integerProblem(
                field,
                port,
                UNPRIVILEGED_PORT_MIN,
                MAX_PORT,
                `use 8080: ports below ${UNPRIVILEGED_PORT_MIN} need root, which OpenShift never grants`,
                ["L02"],
            ),
    },
    listenAddress: {
        check: (field, address) =>
            IPV4.test(address)
                ? undefined
                : {
                      field,
                      problem: "must be an IPv4 address",
                      got: address,
                      fix: "omit it to listen on every address",
                  },
    },
    apiUpstream: { check: (_field, upstream) => upstreamProblem(upstream) },
    // Checked with ssePaths and corsOrigins by nginxRoutingProblems (StaticSite runs those on its own arguments).
    apiRouting: { default: { mode: "fallback" }, check: () => undefined },
    ssePaths: { default: ["/events"], check: () => undefined },
    corsOrigins: { default: [], check: () => undefined },
    versionHeader: {
        check: (field, header) => [
            versionHeaderNameProblem(`${field}.name`, header.name ?? VERSION_HEADER_DEFAULT_NAME),
            typeof header.value === "string" && HEADER_VALUE.test(header.value)
                ? undefined
                : {
                      field: `${field}.value`,
                      problem: "must be a non-empty version or digest made of letters, digits and . _ : @ / + = , -",
                      got: header.value,
                      fix: 'pass e.g. the release version "1.4.2" or the image digest "sha256:…"',
                      lessons: ["L24"],
                  },
        ],
    },
    healthPath: {
        default: NGINX_DEFAULT_HEALTH_PATH,
        check: (field, healthPath) =>
            pathProblem(field, healthPath, `e.g. "${NGINX_DEFAULT_HEALTH_PATH}"`) ??
            (healthPath.startsWith(NGINX_RESERVED_PREFIX) && healthPath !== NGINX_RESERVED_PREFIX
                ? undefined
                : {
                      field,
                      problem: `must lie under "${NGINX_RESERVED_PREFIX}" so it can never shadow an API route such as /healthz or /readyz`,
                      got: healthPath,
                      fix: `use "${NGINX_DEFAULT_HEALTH_PATH}"`,
                      lessons: ["L04"],
                  }),
    },
    contentRoot: { default: NGINX_CONTENT_ROOT, check: filePathProblem },
    tempDir: { default: "/tmp", check: filePathProblem },
    mimeTypesPath: { default: "/etc/nginx/mime.types", check: filePathProblem },
    workerProcesses: {
        default: "auto",
        check: (field, workers) =>
            workers === "auto"
                ? undefined
                : integerProblem(field, workers, 1, 64, 'use "auto" or the container\'s CPU count', []),
    },
    longCachePrefixes: {
        default: ["/assets/", "/images/", "/videos/"],
        check: (field, prefixes) =>
            prefixes.map(
                (p, i) =>
                    pathProblem(`${field}[${i}]`, p, 'e.g. "/assets/"') ??
                    (p.endsWith("/") && p !== "/"
                        ? undefined
                        : {
                              field: `${field}[${i}]`,
                              problem:
                                  'must be a directory prefix ending in "/" (not "/" itself: HTML must revalidate)',
                              got: p,
                              fix: 'e.g. "/assets/"',
                              lessons: ["L09"],
                          }),
            ),
    },
    upstreamKeepalive: {
        default: 32,
        check: (field, keepalive) => integerProblem(field, keepalive, 1, 1024, "use the default 32", []),
    },
    sseReadTimeoutSeconds: {
        default: 3600,
        check: (field, seconds) =>
            integerProblem(field, seconds, 61, 86400, "keep it above the API's heartbeat interval, e.g. 3600", ["L11"]),
    },
    apiReadTimeoutSeconds: {
        default: 60,
        check: (field, seconds) =>
            integerProblem(field, seconds, 1, 3600, "use the default 60; long-lived responses belong in ssePaths", [
                "L11",
            ]),
    },
};

/**
 * The default of every option of {@link NginxConfOptions} but apiUpstream (required), listenAddress and
 * versionHeader (absent unless given).
 */
export const NGINX_DEFAULTS =
    defaultsOf<Required<Omit<NginxConfOptions, "apiUpstream" | "listenAddress" | "versionHeader">>>(NGINX_OPTIONS);

/** Every problem of the options (each option's check, then the routing rules), named by the options' own keys. */
export function nginxConfProblems(opts: NginxConfOptions): FieldProblem[] {
    const filled = withDefaults(NGINX_DEFAULTS, opts);
    // apiUpstream has no default and is required: its check reports a missing value.
    return [...tableProblems(NGINX_OPTIONS, filled, ["apiUpstream"]), ...nginxRoutingProblems(opts, filled.healthPath)];
}

/**
 * The options checked and with their defaults: what the renderer reads. Throws a WebStackArgError naming every
 * problem; a component resolves its options when it is constructed, so a bad value fails the preview there.
 */
export function resolveNginxConf(opts: NginxConfOptions): ResolvedNginxConf {
    rejectProblems(nginxConfProblems(opts));
    const o = withDefaults(NGINX_DEFAULTS, opts);
    return {
        listen: o.listenAddress ? `${o.listenAddress}:${o.listenPort}` : `${o.listenPort}`,
        upstream: o.apiUpstream,
        routing: o.apiRouting,
        ssePaths: [...new Set(o.ssePaths)],
        corsOrigins: o.corsOrigins,
        versionHeader: o.versionHeader && {
            name: o.versionHeader.name ?? VERSION_HEADER_DEFAULT_NAME,
            value: o.versionHeader.value,
        },
        healthPath: o.healthPath,
        contentRoot: o.contentRoot.replace(/(.)\/$/, "$1"),
        tempDir: o.tempDir.replace(/(.)\/$/, "$1"),
        mimeTypesPath: o.mimeTypesPath,
        workerProcesses: o.workerProcesses,
        longCachePrefixes: o.longCachePrefixes,
        upstreamKeepalive: o.upstreamKeepalive,
        sseReadTimeoutSeconds: o.sseReadTimeoutSeconds,
        apiReadTimeoutSeconds: o.apiReadTimeoutSeconds,
    };
}

const indent = (lines: string[], depth = 1): string[] => lines.map((l) => (l === "" ? l : `${"  ".repeat(depth)}${l}`));

/** "/events" → exact match; "/scenario/" → prefix that also wins over regex locations. */
function locationMatch(path: string): string {
    return path.endsWith("/") ? `^~ ${path}` : `= ${path}`;
}

function regexEscape(text: string): string {
    return text.replace(/[.+]/g, "\\$&");
}

/**
 * Headers on every response, errors included (`always`, L24). add_header is inherited only by levels that
 * define none, so every location repeats this list rather than relying on the server level.
 */
function commonHeaders(o: ResolvedNginxConf): string[] {
    const lines: string[] = [];
    if (o.versionHeader) {
        lines.push(`add_header ${o.versionHeader.name} "${o.versionHeader.value}" always;`);
    }
    lines.push(
        `add_header X-Content-Type-Options "nosniff" always;`,
        `add_header Referrer-Policy "strict-origin-when-cross-origin" always;`,
        `add_header X-Frame-Options "SAMEORIGIN" always;`,
        `add_header Content-Security-Policy "frame-ancestors 'self'" always;`,
    );
    if (o.corsOrigins.length > 0) {
        // Empty for other origins, and nginx sends no header with an empty value (L25).
        lines.push(
            `add_header Access-Control-Allow-Origin $webstack_cors_allow_origin always;`,
            `add_header Vary "Origin" always;`,
        );
    }
    return lines;
}

/** Headers this nginx owns: the API's copies are dropped so a client never sees two. */
function ownedHeaders(o: ResolvedNginxConf): string[] {
    return [
        ...(o.versionHeader ? [o.versionHeader.name] : []),
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
        ...(o.corsOrigins.length > 0 ? ["Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"] : []),
    ];
}

function proxyDirectives(o: ResolvedNginxConf, readTimeout: string): string[] {
    return [
        "proxy_pass http://webstack_api;",
        // HTTP/1.1 with a cleared Connection header is what lets the upstream keepalive pool reuse connections.
        "proxy_http_version 1.1;",
        // proxy_set_header is inherited only when a level sets none, so the full list is repeated in each location.
        `proxy_set_header Connection "";`,
        "proxy_set_header Host $host;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $webstack_forwarded_proto;",
        "proxy_set_header X-Forwarded-Host $host;",
        `proxy_connect_timeout ${API_CONNECT_TIMEOUT};`,
        `proxy_read_timeout ${readTimeout};`,
        ...ownedHeaders(o).map((h) => `proxy_hide_header ${h};`),
        // Only nginx's own 502/504 (API unreachable or silent) become JSON; the API's own errors pass through.
        "error_page 502 503 = @webstack_api_unavailable;",
        "error_page 504 = @webstack_api_timeout;",
        ...commonHeaders(o),
    ];
}

function location(match: string, body: string[]): string[] {
    return [`location ${match} {`, ...indent(body), "}", ""];
}

function apiLocations(o: ResolvedNginxConf): string[] {
    const lines: string[] = [];
    for (const path of o.ssePaths) {
        lines.push(
            `# Server-Sent Events: every event leaves as soon as the API writes it (L11).`,
            ...location(locationMatch(path), [
                ...proxyDirectives(o, `${o.sseReadTimeoutSeconds}s`),
                "proxy_buffering off;",
                "proxy_cache off;",
                "gzip off;",
            ]),
        );
    }
    if (o.routing.mode === "routes") {
        lines.push("# The API's declared routes, every one of them (L04).");
        for (const route of o.routing.routes.filter((r) => !o.ssePaths.includes(r))) {
            lines.push(...location(locationMatch(route), proxyDirectives(o, `${o.apiReadTimeoutSeconds}s`)));
        }
    }
    return lines;
}

function staticLocation(o: ResolvedNginxConf): string[] {
    // L07: "/present-blackjack" serves present-blackjack.html, as the old Flask app did.
    const last = o.routing.mode === "fallback" ? "@webstack_api" : "=404";
    const lines = location("/", [
        `try_files $uri $uri.html $uri/ ${last};`,
        ...commonHeaders(o),
        "add_header Cache-Control $webstack_static_cache_control;",
    ]);
    if (o.routing.mode === "fallback") {
        lines.push(
            "# L04: an allow-list of API prefixes forgot /telemetry, /log, /state...; here every path that is not a",
            "# static file reaches the API, so a new API route works without touching this file.",
            ...location("@webstack_api", proxyDirectives(o, `${o.apiReadTimeoutSeconds}s`)),
        );
    }
    return lines;
}

function apiErrorLocation(o: ResolvedNginxConf, name: string, status: number, error: string): string[] {
    const body = JSON.stringify({ error, status, detail: "the API did not answer; static content is still served" });
    return location(`@${name}`, ["default_type application/json;", ...commonHeaders(o), `return ${status} '${body}';`]);
}

function httpMaps(o: ResolvedNginxConf): string[] {
    const cacheRules = [
        `default "${REVALIDATE_CACHE_CONTROL}";`,
        `"~^(${o.longCachePrefixes.map(regexEscape).join("|")})" "${LONG_CACHE_CONTROL}";`,
        // Content-hashed names (app.3f9a1c2e.js, logo-5d41402abc4b.png) never change content.
        `"~[.-][0-9a-f]{8,}\\.[A-Za-z0-9]+$" "${LONG_CACHE_CONTROL}";`,
    ];
    return [
        "# Behind the OpenShift router TLS ends there: keep its X-Forwarded-Proto, else the scheme nginx saw.",
        "map $http_x_forwarded_proto $webstack_forwarded_proto {",
        ...indent(["default $http_x_forwarded_proto;", `"" $scheme;`]),
        "}",
        "",
        "# Static files only: HTML revalidates, media and hashed assets are long-lived (L09).",
        "map $uri $webstack_static_cache_control {",
        ...indent(cacheRules),
        "}",
        "",
        "# CORS (L25): the allowed origin is echoed back; every other origin gets no CORS header at all.",
        "map $http_origin $webstack_cors_allow_origin {",
        ...indent([`default "";`, ...o.corsOrigins.map((origin) => `"${origin}" $http_origin;`)]),
        "}",
        "# A preflight is OPTIONS with Access-Control-Request-Method: allowed origin → 204, any other → 403.",
        `map "$request_method $http_access_control_request_method $webstack_cors_allow_origin" $webstack_preflight {`,
        ...indent([`default "";`, `"~^OPTIONS \\S+ \\S" allowed;`, `"~^OPTIONS \\S+ $" denied;`]),
        "}",
        "map $webstack_preflight $webstack_preflight_methods {",
        ...indent([`default "";`, `allowed "${CORS_ALLOW_METHODS}";`]),
        "}",
        "map $webstack_preflight $webstack_preflight_headers {",
        ...indent([`default "";`, "allowed $http_access_control_request_headers;"]),
        "}",
        "map $webstack_preflight $webstack_preflight_max_age {",
        ...indent([`default "";`, `allowed ${CORS_MAX_AGE_SECONDS};`]),
        "}",
        "",
    ];
}

function server(o: ResolvedNginxConf): string[] {
    return [
        "server {",
        ...indent([
            `listen ${o.listen};`,
            `root ${o.contentRoot};`,
            "index index.html;",
            "",
            "# Server-level headers serve the preflight answers below; locations repeat the common ones (see there).",
            ...commonHeaders(o),
            "add_header Access-Control-Allow-Methods $webstack_preflight_methods always;",
            "add_header Access-Control-Allow-Headers $webstack_preflight_headers always;",
            "add_header Access-Control-Max-Age $webstack_preflight_max_age always;",
            "# Answered before any location: a static file or the API never sees a preflight, so never a 405 (L25).",
            "if ($webstack_preflight = allowed) {",
            "  return 204;",
            "}",
            "if ($webstack_preflight = denied) {",
            "  return 403;",
            "}",
            "",
            "# Probe endpoint of nginx itself: never proxied, under a prefix no API route uses.",
            ...location(`= ${o.healthPath}`, [
                "access_log off;",
                "default_type text/plain;",
                ...commonHeaders(o),
                `return 200 "ok\\n";`,
            ]),
            "# Dotfiles in the content volume (.git, .env) are never served.",
            ...location("~ /\\.(?!well-known/)", [...commonHeaders(o), "return 404;"]),
            ...apiLocations(o),
            ...staticLocation(o),
            ...apiErrorLocation(o, "webstack_api_unavailable", 502, "api_unavailable"),
            ...apiErrorLocation(o, "webstack_api_timeout", 504, "api_timeout"),
        ]).slice(0, -1),
        "}",
    ];
}

/** The complete nginx.conf (main context) for nginx-unprivileged; start it with `-g 'daemon off;'` (the image's CMD does). */
export function renderNginxConf(opts: NginxConfOptions): string {
    return renderResolvedNginxConf(resolveNginxConf(opts));
}

/** nginx.conf of options {@link resolveNginxConf} has checked; it checks nothing itself (safe inside an apply). */
export function renderResolvedNginxConf(o: ResolvedNginxConf): string {
    const t = o.tempDir;
    const lines = [
        "# Generated by webstack (components/nginx-conf.ts). Change the options, not this file.",
        "# Runs as any UID in group 0: no `user` directive, pid and temp paths under the writable temp dir (L02).",
        `worker_processes ${o.workerProcesses};`,
        `pid ${t}/nginx.pid;`,
        "error_log stderr warn;",
        "",
        "events {",
        "  # Each SSE client holds two connections (client and upstream) for as long as it listens.",
        "  worker_connections 4096;",
        "}",
        "",
        "http {",
        ...indent([
            `include ${o.mimeTypesPath};`,
            "default_type application/octet-stream;",
            "charset utf-8;",
            "",
            `client_body_temp_path ${t}/client_temp;`,
            `proxy_temp_path ${t}/proxy_temp;`,
            `fastcgi_temp_path ${t}/fastcgi_temp;`,
            `uwsgi_temp_path ${t}/uwsgi_temp;`,
            `scgi_temp_path ${t}/scgi_temp;`,
            "",
            `log_format webstack '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '`,
            `                    '"$http_referer" "$http_user_agent" rt=$request_time urt=$upstream_response_time';`,
            "access_log /dev/stdout webstack;",
            "",
            "server_tokens off;",
            "sendfile on;",
            "tcp_nopush on;",
            "keepalive_timeout 65s;",
            "# Redirects (/stage → /stage/) stay relative: the public scheme and port are the router's, not 8080.",
            "absolute_redirect off;",
            "",
            "# text/html is always compressed; text/event-stream is deliberately absent (L11).",
            "gzip on;",
            "gzip_vary on;",
            "gzip_proxied any;",
            "# Level 1 keeps nearly all of the saving on HTML at a fraction of the CPU of higher levels (bench/nginx.ts).",
            "gzip_comp_level 1;",
            "gzip_min_length 256;",
            "gzip_types text/plain text/css text/xml text/javascript application/javascript application/json application/xml application/rss+xml application/manifest+json image/svg+xml;",
            "",
            ...httpMaps(o),
            "upstream webstack_api {",
            ...indent([`server ${o.upstream};`, `keepalive ${o.upstreamKeepalive};`]),
            "}",
            "",
            ...server(o),
        ]),
        "}",
        "",
    ];
    return lines.join("\n");
}
