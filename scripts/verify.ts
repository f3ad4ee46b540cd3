// What is live (L24): does the public URL serve the version the stack deployed, and do the running pods run
// the digests the stack deployed? The check postmortems 002 and 004 did by hand with curl and kubectl.
//
//   npm run verify -- --stack dev [--pods pods.json] [--timeout 120] [--interval 5]
//   npm run verify -- --url https://shop.example.com/ --expect 3f2a… [--header X-Webstack-Version]
//   npm run verify -- --help
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { digestOf, LABEL_KEYS, MANAGED_BY, VERSION_HEADER_DEFAULT_NAME } from "../policy/facts";
import { CommandSpec, helpText, parseCommandLine, UsageError } from "./cli";
import { deployedImages, readStackOutputs, readStackOutputsFile, StackOutputs, stringOutput } from "./stackOutputs";

export interface LiveVersionCheck {
    url: string;
    expected: string;
    /** Response header carrying the version. */
    header: string;
    /** Give up after this long (a rollout may still be replacing pods). */
    timeoutMs: number;
    /** Pause between attempts. */
    intervalMs: number;
    /** Limit for one request. */
    requestTimeoutMs: number;
    /** Called once per failed attempt that will be retried, with what was served and the time left. */
    progress?: (line: string) => void;
}

export interface LiveVersionResult {
    ok: boolean;
    attempts: number;
    /** One line for people: what was served, what was expected, what to do. */
    message: string;
}

type Attempt = { status: number; value: string | undefined } | { error: string };

/** Requests `url` until it serves `header: expected` or the time is up. */
export async function checkLiveVersion(check: LiveVersionCheck): Promise<LiveVersionResult> {
    const started = Date.now();
    let attempts = 0;
    let last: Attempt;
    for (;;) {
        attempts += 1;
        last = await requestVersion(check);
        if ("status" in last && last.value === check.expected) {
            const seconds = ((Date.now() - started) / 1000).toFixed(1);
            return { ok: true, attempts, message: `verify: ${check.url} serves ${check.header}: ${check.expected} as expected (${attempts} attempt(s), ${seconds} s)` };
        }
        const elapsed = Date.now() - started;
        if (elapsed + check.intervalMs > check.timeoutMs) {
            break;
        }
        const left = Math.max(0, Math.round((check.timeoutMs - elapsed) / 1000));
        check.progress?.(`verify: attempt ${attempts}: ${describeAttempt(last, check.header)}, expected ${check.expected}; retrying in ${check.intervalMs / 1000} s (${left} s left)`);
        await new Promise((resolve) => setTimeout(resolve, check.intervalMs));
    }
    const tried = `after ${attempts} attempt(s) over ${Math.round((Date.now() - started) / 1000)} s`;
    let problem: string;
    if ("error" in last) {
        problem = `could not be reached (${last.error}) ${tried}. Fix: check the URL and that the route/ingress exists`;
    } else if (last.value === undefined) {
        problem = `answered HTTP ${last.status} without a ${check.header} header ${tried}, expected ${check.expected}. ` +
            `Fix: the server answering is not this stack's nginx, or it predates the version header; check the route and roll out the stack`;
    } else {
        problem = `serves ${check.header}: ${last.value}, not the expected ${check.expected}, ${tried}. ` +
            `Fix: the rollout has not finished or stale pods still serve; run with --pods (or kubectl access) to name them`;
    }
    return { ok: false, attempts, message: `verify: ${check.url} ${problem} [L24]` };
}

/** What one attempt saw, for the progress line. */
function describeAttempt(attempt: Attempt, header: string): string {
    if ("error" in attempt) {
        return `unreachable (${attempt.error})`;
    }
    return attempt.value === undefined ? `HTTP ${attempt.status} without ${header}` : `${header}: ${attempt.value}`;
}

function requestVersion(check: LiveVersionCheck): Promise<Attempt> {
    return new Promise((resolve) => {
        let url: URL;
        try {
            url = new URL(check.url);
        } catch {
            resolve({ error: `not a URL: ${check.url}` });
            return;
        }
        const client = url.protocol === "https:" ? https : http;
        // No caching proxies between us and the truth.
        const req = client.get(url, { headers: { "Cache-Control": "no-cache" }, timeout: check.requestTimeoutMs }, (res) => {
            res.resume();
            const raw = res.headers[check.header.toLowerCase()];
            const value = Array.isArray(raw) ? raw.join(", ") : raw;
            resolve({ status: res.statusCode ?? 0, value: value?.trim() });
        });
        req.on("timeout", () => req.destroy(new Error(`no answer within ${check.requestTimeoutMs} ms`)));
        req.on("error", (err) => resolve({ error: err.message }));
    });
}

// ---- pods ------------------------------------------------------------------------------------------

/** The parts of `kubectl get pods -o json` the comparison reads. */
export interface PodList {
    items: Array<{
        metadata: { name: string; namespace?: string };
        spec?: { containers?: Array<{ name: string; image: string }>; initContainers?: Array<{ name: string; image: string }> };
        status?: {
            phase?: string;
            containerStatuses?: Array<{ name: string; image?: string; imageID?: string }>;
            initContainerStatuses?: Array<{ name: string; image?: string; imageID?: string }>;
        };
    }>;
}

export interface StalePod {
    pod: string;
    container: string;
    /** Why it is stale, with the digest it runs. */
    reason: string;
}

/**
 * Every running pod's containers must run one of the deployed digests, by what the kubelet reports
 * (`status.containerStatuses[].imageID`), not by what the spec asks for. Finished pods (Job runs) are skipped.
 */
export function findStalePods(pods: PodList, deployedRefs: string[]): StalePod[] {
    const deployed = new Set(deployedRefs.map((ref) => digestOf(ref)).filter((d): d is string => d !== undefined));
    const stale: StalePod[] = [];
    for (const pod of pods.items) {
        const phase = pod.status?.phase;
        if (phase === "Succeeded" || phase === "Failed") {
            continue;
        }
        const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
        const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
        for (const spec of specs) {
            const status = statuses.find((s) => s.name === spec.name);
            const running = status?.imageID ? digestOf(status.imageID) : undefined;
            const wanted = digestOf(spec.image);
            let reason: string | undefined;
            if (wanted === undefined || !deployed.has(wanted)) {
                reason = `its template asks for ${spec.image}, which this stack no longer deploys (an old ReplicaSet or a hand edit)`;
            } else if (running === undefined) {
                reason = `reports no image digest yet (imageID ${JSON.stringify(status?.imageID ?? "")}, phase ${phase ?? "unknown"})`;
            } else if (!deployed.has(running)) {
                reason = `runs ${running}, not a deployed digest (template asks for ${wanted})`;
            }
            if (reason !== undefined) {
                stale.push({ pod: pod.metadata.name, container: spec.name, reason });
            }
        }
    }
    return stale;
}

function readPodList(source: string, namespace: string | undefined, selector: string): PodList {
    let text: string;
    if (source === "kubectl") {
        const args = ["get", "pods", "-o", "json", "-l", selector, ...(namespace ? ["-n", namespace] : [])];
        try {
            text = execFileSync("kubectl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
        } catch (err) {
            const e = err as { stderr?: string; message: string };
            throw new Error(`kubectl ${args.join(" ")} failed: ${(e.stderr || e.message).trim()}. Fix: log in to the cluster, or save the pod list and pass --pods <file>`);
        }
    } else {
        try {
            text = fs.readFileSync(source, "utf8");
        } catch (err) {
            throw new Error(`--pods ${source}: cannot read it (${(err as Error).message}). Fix: kubectl get pods -n <namespace> -o json > ${source}`);
        }
    }
    const list = JSON.parse(text) as PodList;
    if (!Array.isArray(list?.items)) {
        throw new Error(`--pods ${source}: not a pod list (no "items"). Fix: use the output of kubectl get pods -o json`);
    }
    return list;
}

function kubectlPresent(): boolean {
    try {
        execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

// ---- command line ----------------------------------------------------------------------------------

/** Selector for stacks deployed before they exported podSelector: every pod Pulumi manages in the namespace. */
const FALLBACK_POD_SELECTOR = `${LABEL_KEYS.managedBy}=${MANAGED_BY}`;

export const VERIFY_COMMAND = {
    name: "npm run verify --",
    summary:
        "Checks that the live URL serves the version the stack deployed (response header, retried until the timeout) " +
        "and that every running pod runs a deployed digest (L24, L12). Give --stack or --outputs, or --url with --expect.",
    flags: {
        stack: { type: "string", valueName: "<stack>", description: "read url, version, versionHeader, namespace and images from `pulumi stack output --json --stack <stack>`" },
        outputs: { type: "string", valueName: "<json file>", description: "read them from a file saved with `pulumi stack output --json` instead (no pulumi CLI needed)" },
        url: { type: "string", valueName: "<url>", description: "URL to request (default: the stack's url output)" },
        expect: { type: "string", valueName: "<version>", description: "version the header must carry (default: the stack's version output)" },
        header: { type: "string", valueName: "<name>", description: `response header carrying the version (default: the stack's versionHeader output, else ${VERSION_HEADER_DEFAULT_NAME})` },
        images: { type: "string", valueName: "<json file>", description: "deployed images (role → repo@sha256:…) to compare pods with, when not taken from the stack" },
        pods: { type: "string", valueName: "<file>|kubectl", description: "pod list (`kubectl get pods -o json` saved to a file), or kubectl to ask the cluster (default: kubectl when installed)" },
        selector: { type: "string", valueName: "<labels>", description: `label selector of the stack's pods when asking kubectl (default: the stack's podSelector output, else ${FALLBACK_POD_SELECTOR})` },
        timeout: { type: "string", valueName: "<seconds>", default: "120", description: "give up on the version header after this long (a rollout may still be replacing pods)" },
        interval: { type: "string", valueName: "<seconds>", default: "5", description: "pause between attempts; one progress line per retry" },
    },
    exitCodes: {
        0: "the live version and every pod match",
        1: "the live version differs (or the URL is unreachable) or a pod runs a stale digest",
        2: "usage error or unreadable input (outputs, pod list, images file)",
    },
    example: "npm run verify -- --stack qa --timeout 300",
} satisfies CommandSpec;

/** Runs the checks the arguments ask for; returns the process exit code. Throws UsageError/Error for exit 2. */
export async function main(argv: string[], log: (line: string) => void = console.log): Promise<number> {
    const parsed = parseCommandLine(VERIFY_COMMAND, argv);
    if (parsed.help) {
        log(helpText(VERIFY_COMMAND));
        return 0;
    }
    const values = parsed.flags;
    const seconds = (name: "timeout" | "interval"): number => {
        const n = Number(values[name]);
        if (values[name].trim() === "" || !Number.isFinite(n) || n < 0) {
            throw new UsageError(`--${name}: must be a number of seconds (got ${JSON.stringify(values[name])}). Fix: e.g. --${name} 60`);
        }
        return n * 1000;
    };
    const timeoutMs = seconds("timeout");
    const intervalMs = seconds("interval");
    if (values.stack !== undefined && values.outputs !== undefined) {
        throw new UsageError(`give --stack or --outputs, not both (got --stack ${values.stack} --outputs ${values.outputs}). Fix: drop --stack to use the saved file`);
    }
    let outputs: StackOutputs = {};
    let source = "command line";
    if (values.stack !== undefined) {
        outputs = readStackOutputs(values.stack);
        source = `stack ${values.stack}`;
    } else if (values.outputs !== undefined) {
        outputs = readStackOutputsFile(values.outputs);
        source = values.outputs;
    } else if (values.url === undefined || values.expect === undefined) {
        throw new UsageError("give --stack (or --outputs <file>), or both --url and --expect. Fix: e.g. npm run verify -- --stack dev");
    }
    const fromStack = source !== "command line";
    const url = values.url ?? stringOutput(outputs, "url", source);
    const expected = values.expect ?? stringOutput(outputs, "version", source);
    const header = values.header ?? (typeof outputs.versionHeader === "string" ? outputs.versionHeader : VERSION_HEADER_DEFAULT_NAME);

    const live = await checkLiveVersion({ url, expected, header, timeoutMs, intervalMs, requestTimeoutMs: 10_000, progress: log });
    log(live.message);
    let ok = live.ok;

    const podSource = values.pods ?? (kubectlPresent() ? "kubectl" : undefined);
    const images = values.images !== undefined
        ? deployedImages({ images: JSON.parse(fs.readFileSync(values.images, "utf8")) }, values.images)
        : fromStack ? deployedImages(outputs, source) : undefined;
    if (podSource === undefined || images === undefined) {
        log("verify: pod digests not compared (needs --pods <file> or kubectl, and --stack, --outputs or --images)");
        return ok ? 0 : 1;
    }
    const namespace = typeof outputs.namespace === "string" ? outputs.namespace : undefined;
    let pods: PodList;
    try {
        const selector = values.selector ?? (typeof outputs.podSelector === "string" && outputs.podSelector !== "" ? outputs.podSelector : FALLBACK_POD_SELECTOR);
        pods = readPodList(podSource, namespace, selector);
    } catch (err) {
        if (values.pods !== undefined) {
            throw err;
        }
        // kubectl found but not asked for: no cluster access here is not a failure of the rollout.
        log(`verify: pod digests not compared: ${(err as Error).message}`);
        return ok ? 0 : 1;
    }
    const stale = findStalePods(pods, Object.values(images));
    if (stale.length === 0) {
        log(`verify: all ${pods.items.length} pod(s) run deployed digests (${Object.keys(images).join(", ")})`);
    } else {
        ok = false;
        for (const s of stale) {
            log(`verify: stale pod ${s.pod} (container ${s.container}): ${s.reason} [L12, L24]`);
        }
        log(`verify: ${stale.length} stale container(s). Fix: wait for the rollout, or find why it stalled: kubectl rollout status / kubectl describe pod <name>`);
    }
    return ok ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: Error) => {
            console.error(`verify: ${err.message}${err instanceof UsageError ? "\n(npm run verify -- --help lists the flags)" : ""}`);
            process.exit(2);
        },
    );
}
