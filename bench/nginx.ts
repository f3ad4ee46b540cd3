// npm run bench:nginx — the generated nginx.conf against the hand-written config of postmortem 000, side by
// side on one machine: same content, same stub API, same nginx binary and worker count, load from wrk on
// loopback, bounded in time, several alternating rounds, medians compared. Needs root (nginx is dropped to an
// arbitrary UID, as in the tests) and wrk (Debian package "wrk").
// Flags: --seconds per load run (default 4), --rounds (default 3), --connections (default 32); --help.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderNginxConf } from "../components/nginx-conf";
import { CommandSpec, helpText, parseCommandLine, UsageError } from "../scripts/cli";
import { request } from "../test/support/http";
import { nginxDirs, RunningNginx, startNginx } from "../test/support/nginx";
import { freePort, makeReadOnlyDir } from "../test/support/sandbox";
import { writeSiteContent } from "../test/support/site-content";
import { startStubApi } from "../test/support/stub-api";

export const BENCH_NGINX_COMMAND = {
    name: "npm run bench:nginx --",
    summary:
        "Real nginx under wrk: the generated nginx.conf against the postmortem-000 config, same content, stub API and workers, " +
        "alternating rounds; prints medians and ratios (goals: api_rps >= 1.3, html_bytes <= 0.35, static_rps >= 0.95). Needs root and wrk. Not a test.",
    flags: {
        seconds: {
            type: "string",
            valueName: "<n>",
            default: "4",
            description: "length of one wrk load run in seconds",
        },
        rounds: {
            type: "string",
            valueName: "<n>",
            default: "3",
            description: "alternating rounds (medians are reported)",
        },
        connections: {
            type: "string",
            valueName: "<n>",
            default: "32",
            description: "open connections of wrk (wrk -c)",
        },
    },
    exitCodes: {
        0: "measured (the ratios are printed, not judged)",
        1: "not root, or nginx/wrk failed",
        2: "usage error",
    },
    example: "npm run bench:nginx -- --seconds 10 --rounds 5",
} satisfies CommandSpec;

interface LoadSettings {
    seconds: number;
    rounds: number;
    connections: number;
}
const WORKERS = Math.max(1, Math.min(4, os.cpus().length));
const BROWSER_HEADERS = ["Accept-Encoding: gzip, deflate, br", "Accept: */*"];

/** What each load run requests: an API route, a presentation page, a static image. */
const TARGETS = { api: "/state", html: "/present-blackjack.html", static: "/images/logo.png" } as const;
type Target = keyof typeof TARGETS;
type ConfigName = "generated" | "postmortem";

/**
 * The config of postmortem 000 as it stood after its fixes: the nginx image's stock main config (gzip
 * commented out, no cache headers), try_files with .html (CHANGE-003), and the API reached through two
 * allow-list regex locations with a plain proxy_pass (ISSUE-004): HTTP/1.0, a new upstream connection per
 * request. Only pid/temp paths and the listen address differ from the original, so it can run unprivileged.
 */
function postmortemConf(port: number, apiUpstream: string, contentRoot: string, tempDir: string): string {
    return `worker_processes ${WORKERS};
pid ${tempDir}/nginx.pid;
error_log stderr notice;
events {
  worker_connections 1024;
}
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  client_body_temp_path ${tempDir}/client_temp;
  proxy_temp_path ${tempDir}/proxy_temp;
  fastcgi_temp_path ${tempDir}/fastcgi_temp;
  uwsgi_temp_path ${tempDir}/uwsgi_temp;
  scgi_temp_path ${tempDir}/scgi_temp;
  log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                  '$status $body_bytes_sent "$http_referer" '
                  '"$http_user_agent" "$http_x_forwarded_for"';
  access_log /dev/stdout main;
  sendfile on;
  keepalive_timeout 65;
  #gzip on;
  server {
    listen 127.0.0.1:${port};
    root ${contentRoot};
    index index.html;
    location / {
      try_files $uri $uri.html $uri/ =404;
    }
    location ~ ^/(badge|scenario|piport|shopfloor|contractor|openblue|ot|ingest|go)/ {
      proxy_pass http://${apiUpstream};
    }
    location ~ ^/(telemetry|log|state|reset|healthz|readyz|pod-name|about)$ {
      proxy_pass http://${apiUpstream};
    }
  }
}
`;
}

interface LoadResult {
    rps: number;
    bytesPerResponse: number;
    requests: number;
    errors: number;
}

// wrk's done() hook prints exact totals (its human summary rounds bytes to MB).
const WRK_SCRIPT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WEBSTACK %d %d %d %d\\n", summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;

/** Runs wrk without blocking this process: the stub API answering the proxied requests lives here too. */
function runWrk(port: number, target: Target, scriptFile: string, load: LoadSettings): Promise<LoadResult> {
    const args = [
        "-t",
        "2",
        "-c",
        String(load.connections),
        "-d",
        `${load.seconds}s`,
        "-s",
        scriptFile,
        ...BROWSER_HEADERS.flatMap((h) => ["-H", h]),
        `http://127.0.0.1:${port}${TARGETS[target]}`,
    ];
    return new Promise((resolve, reject) => {
        const wrk = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        wrk.stdout.on("data", (c: Buffer) => (output += c.toString()));
        wrk.stderr.on("data", (c: Buffer) => (output += c.toString()));
        const timer = setTimeout(() => wrk.kill("SIGKILL"), (load.seconds + 15) * 1000);
        wrk.on("error", (e) => reject(new Error(`wrk failed to run (${e.message}); install it: apt-get install wrk`)));
        wrk.on("close", () => {
            clearTimeout(timer);
            const match = /^WEBSTACK (\d+) (\d+) (\d+) (\d+)$/m.exec(output);
            if (!match || Number(match[1]) === 0) {
                reject(new Error(`wrk completed no request against ${TARGETS[target]}:\n${output}`));
                return;
            }
            const [requests, bytes, durationUs, errors] = match.slice(1).map(Number);
            resolve({ rps: requests / (durationUs / 1e6), bytesPerResponse: bytes / requests, requests, errors });
        });
    });
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function bench(load: LoadSettings): Promise<void> {
    if (process.getuid?.() !== 0) {
        throw new Error(
            "bench:nginx starts nginx as an arbitrary UID in its own mount namespace: run it as root (as CI does)",
        );
    }
    const stub = await startStubApi();
    const contentRoot = makeReadOnlyDir("webstack-bench-site-");
    writeSiteContent(contentRoot);
    const scriptFile = path.join(contentRoot, "summary.lua");
    fs.writeFileSync(scriptFile, WRK_SCRIPT, { mode: 0o644 });
    const servers: Partial<Record<ConfigName, RunningNginx>> = {};
    try {
        const upstream = `127.0.0.1:${stub.port}`;
        for (const name of ["generated", "postmortem"] as const) {
            const port = await freePort();
            const dirs = nginxDirs();
            const conf =
                name === "generated"
                    ? renderNginxConf({
                          listenPort: port,
                          listenAddress: "127.0.0.1",
                          apiUpstream: upstream,
                          contentRoot,
                          tempDir: dirs.tempDir,
                          workerProcesses: WORKERS,
                          versionHeader: { value: "bench" },
                      })
                    : postmortemConf(port, upstream, contentRoot, dirs.tempDir);
            servers[name] = await startNginx(conf, port, dirs);
            for (const target of Object.keys(TARGETS) as Target[]) {
                const r = await request(port, TARGETS[target]);
                if (r.status !== 200) {
                    throw new Error(
                        `${name} config answers ${r.status} for ${TARGETS[target]}: the comparison would be meaningless`,
                    );
                }
            }
        }
        console.log(
            `nginx bench: ${load.rounds} rounds × ${load.seconds}s per run, wrk -t2 -c${load.connections}, ${WORKERS} nginx workers each, stub API on ${upstream}`,
        );
        const results: Record<ConfigName, Record<Target, LoadResult[]>> = {
            generated: { api: [], html: [], static: [] },
            postmortem: { api: [], html: [], static: [] },
        };
        for (let round = 1; round <= load.rounds; round++) {
            for (const target of Object.keys(TARGETS) as Target[]) {
                // Alternate which config goes first, so warm-up and drift do not favour one side.
                const order: ConfigName[] = round % 2 ? ["generated", "postmortem"] : ["postmortem", "generated"];
                for (const name of order) {
                    const r = await runWrk(servers[name]!.port, target, scriptFile, load);
                    results[name][target].push(r);
                    console.log(
                        `round ${round} ${target.padEnd(6)} ${name.padEnd(10)} ${r.rps.toFixed(0).padStart(7)} req/s  ${r.bytesPerResponse.toFixed(0).padStart(6)} B/response  ${r.requests} requests, ${r.errors} errors`,
                    );
                }
            }
        }
        const med = (name: ConfigName, target: Target, key: "rps" | "bytesPerResponse"): number =>
            median(results[name][target].map((r) => r[key]));
        console.log("medians:");
        for (const target of Object.keys(TARGETS) as Target[]) {
            console.log(
                `  ${target.padEnd(6)} generated ${med("generated", target, "rps").toFixed(0)} req/s, ${med("generated", target, "bytesPerResponse").toFixed(0)} B | postmortem ${med("postmortem", target, "rps").toFixed(0)} req/s, ${med("postmortem", target, "bytesPerResponse").toFixed(0)} B`,
            );
        }
        const errors = Object.values<Record<Target, LoadResult[]>>(results)
            .flatMap((t) => Object.values(t).flat())
            .reduce((n, r) => n + r.errors, 0);
        if (errors > 0) {
            console.log(`warning: ${errors} failed requests (non-2xx/3xx or socket errors) across all runs`);
        }
        const ratio = (target: Target, key: "rps" | "bytesPerResponse"): string =>
            (med("generated", target, key) / med("postmortem", target, key)).toFixed(2);
        console.log("goals: api_rps >= 1.3, html_bytes <= 0.35, static_rps >= 0.95");
        console.log(
            `ratios: api_rps=${ratio("api", "rps")} html_bytes=${ratio("html", "bytesPerResponse")} static_rps=${ratio("static", "rps")}`,
        );
    } finally {
        await Promise.all(Object.values(servers).map((s) => s.stop()));
        await stub.stop();
        fs.rmSync(contentRoot, { recursive: true, force: true });
    }
}

/** Parses the command line; exit code 2 on a usage error, 1 when the bench fails. */
export async function main(
    argv: string[],
    log: (text: string) => void = console.log,
    error: (text: string) => void = console.error,
): Promise<number> {
    let load: LoadSettings;
    try {
        const parsed = parseCommandLine(BENCH_NGINX_COMMAND, argv);
        if (parsed.help) {
            log(helpText(BENCH_NGINX_COMMAND));
            return 0;
        }
        const whole = (name: "seconds" | "rounds" | "connections"): number => {
            const n = Number(parsed.flags[name]);
            if (!Number.isInteger(n) || n < 1) {
                throw new UsageError(
                    `--${name} must be a whole number >= 1 (got ${JSON.stringify(parsed.flags[name])}). Fix: e.g. --${name} ${BENCH_NGINX_COMMAND.flags[name].default}`,
                );
            }
            return n;
        };
        load = { seconds: whole("seconds"), rounds: whole("rounds"), connections: whole("connections") };
    } catch (err) {
        error(`bench:nginx: ${(err as Error).message}\n(npm run bench:nginx -- --help lists the flags)`);
        return 2;
    }
    await bench(load);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: unknown) => {
            console.error(e instanceof Error ? e.message : e);
            process.exit(1);
        },
    );
}
