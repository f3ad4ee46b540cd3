// What is live (L24): does the public URL serve the version the stack deployed, and do the running pods run
// the digests the stack deployed? The check postmortems 002 and 004 did by hand with curl and kubectl.
// This file does the I/O (HTTP requests, kubectl, files) and the command line; the verdicts are verify-checks.ts.
//
//   npm run verify -- --stack dev [--pods pods.json] [--timeout 120] [--interval 5]
//   npm run verify -- --url https://shop.example.com/ --expect 3f2a… [--header X-Webstack-Version]
//   npm run verify -- --help
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { VERSION_HEADER_DEFAULT_NAME } from "../components/facts";
import { CommandSpec, helpText, parseCommandLine, UsageError } from "./cli";
import { deployedImages, readStackOutputs, readStackOutputsFile, StackOutputs, stringOutput } from "./stack-outputs";
import {
    FALLBACK_POD_SELECTOR,
    PodList,
    podSelectorFor,
    podsVerdict,
    progressLine,
    servesExpected,
    shouldRetry,
    VersionAttempt,
    VersionTarget,
    VersionVerdict,
    versionVerdict,
} from "./verify-checks";

export interface LiveVersionCheck extends VersionTarget {
    /** Give up after this long (a rollout may still be replacing pods). */
    timeoutMs: number;
    /** Pause between attempts. */
    intervalMs: number;
    /** Limit for one request. */
    requestTimeoutMs: number;
    /** Called once per failed attempt that will be retried, with what was served and the time left. */
    progress?: (line: string) => void;
}

export interface LiveVersionResult extends VersionVerdict {
    attempts: number;
}

/** Requests `url` until it serves `header: expected` or the time is up. */
export async function checkLiveVersion(check: LiveVersionCheck): Promise<LiveVersionResult> {
    const started = Date.now();
    let attempts = 0;
    for (;;) {
        attempts += 1;
        const last = await requestVersion(check);
        const elapsed = Date.now() - started;
        if (servesExpected(last, check.expected) || !shouldRetry(elapsed, check.intervalMs, check.timeoutMs)) {
            return { ...versionVerdict(check, last, attempts, Date.now() - started), attempts };
        }
        check.progress?.(progressLine(check, attempts, last, elapsed, check.intervalMs, check.timeoutMs));
        await new Promise((resolve) => setTimeout(resolve, check.intervalMs));
    }
}

function requestVersion(check: LiveVersionCheck): Promise<VersionAttempt> {
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
        const req = client.get(
            url,
            { headers: { "Cache-Control": "no-cache" }, timeout: check.requestTimeoutMs },
            (res) => {
                res.resume();
                const raw = res.headers[check.header.toLowerCase()];
                const value = Array.isArray(raw) ? raw.join(", ") : raw;
                resolve({ status: res.statusCode ?? 0, value: value?.trim() });
            },
        );
        req.on("timeout", () => req.destroy(new Error(`no answer within ${check.requestTimeoutMs} ms`)));
        req.on("error", (err) => resolve({ error: err.message }));
    });
}

// ---- pods ------------------------------------------------------------------------------------------

function readPodList(source: string, namespace: string | undefined, selector: string): PodList {
    let text: string;
    if (source === "kubectl") {
        const args = ["get", "pods", "-o", "json", "-l", selector, ...(namespace ? ["-n", namespace] : [])];
        try {
            text = execFileSync("kubectl", args, {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
                timeout: 30_000,
            });
        } catch (err) {
            const e = err as { stderr?: string; message: string };
            throw new Error(
                `kubectl ${args.join(" ")} failed: ${(e.stderr || e.message).trim()}. Fix: log in to the cluster, or save the pod list and pass --pods <file>`,
                { cause: err },
            );
        }
    } else {
        try {
            text = fs.readFileSync(source, "utf8");
        } catch (err) {
            throw new Error(
                `--pods ${source}: cannot read it (${(err as Error).message}). Fix: kubectl get pods -n <namespace> -o json > ${source}`,
                { cause: err },
            );
        }
    }
    const list = JSON.parse(text) as PodList;
    if (!Array.isArray(list?.items)) {
        throw new Error(
            `--pods ${source}: not a pod list (no "items"). Fix: use the output of kubectl get pods -o json`,
        );
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

export const VERIFY_COMMAND = {
    name: "npm run verify --",
    summary:
        "Checks that the live URL serves the version the stack deployed (response header, retried until the timeout) " +
        "and that every running pod runs a deployed digest (L24, L12). Give --stack or --outputs, or --url with --expect.",
    flags: {
        stack: {
            type: "string",
            valueName: "<stack>",
            description:
                "read url, version, versionHeader, namespace and images from `pulumi stack output --json --stack <stack>`",
        },
        outputs: {
            type: "string",
            valueName: "<json file>",
            description: "read them from a file saved with `pulumi stack output --json` instead (no pulumi CLI needed)",
        },
        url: { type: "string", valueName: "<url>", description: "URL to request (default: the stack's url output)" },
        expect: {
            type: "string",
            valueName: "<version>",
            description: "version the header must carry (default: the stack's version output)",
        },
        header: {
            type: "string",
            valueName: "<name>",
            description: `response header carrying the version (default: the stack's versionHeader output, else ${VERSION_HEADER_DEFAULT_NAME})`,
        },
        images: {
            type: "string",
            valueName: "<json file>",
            description: "deployed images (role → repo@sha256:…) to compare pods with, when not taken from the stack",
        },
        pods: {
            type: "string",
            valueName: "<file>|kubectl",
            description:
                "pod list (`kubectl get pods -o json` saved to a file), or kubectl to ask the cluster (default: kubectl when installed)",
        },
        selector: {
            type: "string",
            valueName: "<labels>",
            description: `label selector of the stack's pods when asking kubectl (default: the stack's podSelector output, else ${FALLBACK_POD_SELECTOR})`,
        },
        timeout: {
            type: "string",
            valueName: "<seconds>",
            default: "120",
            description: "give up on the version header after this long (a rollout may still be replacing pods)",
        },
        interval: {
            type: "string",
            valueName: "<seconds>",
            default: "5",
            description: "pause between attempts; one progress line per retry",
        },
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
            throw new UsageError(
                `--${name}: must be a number of seconds (got ${JSON.stringify(values[name])}). Fix: e.g. --${name} 60`,
            );
        }
        return n * 1000;
    };
    const timeoutMs = seconds("timeout");
    const intervalMs = seconds("interval");
    if (values.stack !== undefined && values.outputs !== undefined) {
        throw new UsageError(
            `give --stack or --outputs, not both (got --stack ${values.stack} --outputs ${values.outputs}). Fix: drop --stack to use the saved file`,
        );
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
        throw new UsageError(
            "give --stack (or --outputs <file>), or both --url and --expect. Fix: e.g. npm run verify -- --stack dev",
        );
    }
    const fromStack = source !== "command line";
    const url = values.url ?? stringOutput(outputs, "url", source);
    const expected = values.expect ?? stringOutput(outputs, "version", source);
    const header =
        values.header ??
        (typeof outputs.versionHeader === "string" ? outputs.versionHeader : VERSION_HEADER_DEFAULT_NAME);

    const live = await checkLiveVersion({
        url,
        expected,
        header,
        timeoutMs,
        intervalMs,
        requestTimeoutMs: 10_000,
        progress: log,
    });
    log(live.message);

    const podSource = values.pods ?? (kubectlPresent() ? "kubectl" : undefined);
    const images =
        values.images !== undefined
            ? deployedImages({ images: JSON.parse(fs.readFileSync(values.images, "utf8")) }, values.images)
            : fromStack
              ? deployedImages(outputs, source)
              : undefined;
    if (podSource === undefined || images === undefined) {
        log("verify: pod digests not compared (needs --pods <file> or kubectl, and --stack, --outputs or --images)");
        return live.ok ? 0 : 1;
    }
    const namespace = typeof outputs.namespace === "string" ? outputs.namespace : undefined;
    let pods: PodList;
    try {
        pods = readPodList(podSource, namespace, podSelectorFor(values.selector, outputs));
    } catch (err) {
        if (values.pods !== undefined) {
            throw err;
        }
        // kubectl found but not asked for: no cluster access here is not a failure of the rollout.
        log(`verify: pod digests not compared: ${(err as Error).message}`);
        return live.ok ? 0 : 1;
    }
    const verdict = podsVerdict(pods, images);
    verdict.lines.forEach((line) => log(line));
    return live.ok && verdict.ok ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: Error) => {
            console.error(
                `verify: ${err.message}${err instanceof UsageError ? "\n(npm run verify -- --help lists the flags)" : ""}`,
            );
            process.exit(2);
        },
    );
}
