// The suite's cluster. By default a fresh local control plane per run (cluster:up), always torn down (cluster:down
// --purge). With WEBSTACK_TEST_KUBECONFIG: a cluster someone else runs, left running; the run works in namespaces of
// its own and deletes exactly those. Over the whole run: nothing left running, nothing listening beyond 127.0.0.1.
// Ctrl-C or SIGTERM during the run: the same teardown, every process the run started ended, then exit (130/143).
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    clusterDown,
    clusterUp,
    ClusterState,
    KUBECONFIG_PATH,
    kubectlPath,
    STACK_NAMESPACES,
} from "../../../tools/cluster/cluster";
import { Interrupted, onInterrupt } from "../../../tools/cluster/interrupt";

const externalKubeconfig = process.env.WEBSTACK_TEST_KUBECONFIG || undefined;
/** WEBSTACK_TEST_KUBECONFIG is set: the run uses that cluster instead of starting one (docs/cluster.md). */
export const ON_EXTERNAL_CLUSTER = externalKubeconfig !== undefined;
/** The kubeconfig every test and every Pulumi program of the run talks to. */
export const SUITE_KUBECONFIG = externalKubeconfig ? path.resolve(externalKubeconfig) : KUBECONFIG_PATH;

/** Label on what the run creates on another cluster; the run deletes exactly what carries its own value. */
const RUN_LABEL = "webstack.test/run";
const RUN_ID = crypto.randomBytes(4).toString("hex");
/** Namespaces of the dev and qa stacks: cluster:up's on the local cluster, the run's own on another one. */
export const SUITE_NAMESPACES = ON_EXTERNAL_CLUSTER
    ? { dev: `webstack-test-${RUN_ID}-dev`, qa: `webstack-test-${RUN_ID}-qa` }
    : STACK_NAMESPACES;

/** The kubectl built with the local cluster; on another cluster, the PATH's when that is not built. */
export function suiteKubectlPath(): string {
    try {
        return kubectlPath();
    } catch (err) {
        if (ON_EXTERNAL_CLUSTER) {
            return "kubectl";
        }
        throw err;
    }
}

/** kubectl against the suite's cluster; returns stdout, throws with stderr. */
export function suiteKubectl(args: string[], input?: string): string {
    try {
        return execFileSync(suiteKubectlPath(), ["--kubeconfig", SUITE_KUBECONFIG, ...args], {
            input,
            encoding: "utf8",
            stdio: ["pipe", "pipe", "pipe"],
        });
    } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new Error(`kubectl ${args.join(" ")}: ${(e.stderr || e.message).trim()}`, { cause: err });
    }
}

/** Creates namespace `name` with a Pod Security level (`create`: an existing one is never taken over). */
export function createTestNamespace(name: string, podSecurity: "restricted" | "privileged"): void {
    suiteKubectl(
        ["create", "-f", "-"],
        JSON.stringify({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name, labels: { "pod-security.kubernetes.io/enforce": podSecurity } },
        }),
    );
}

/** The command line (after `node`) of a mocha run of `spec` with this file's root hooks and no other config. */
export function suiteRunArgs(spec: string): string[] {
    const repoRoot = path.resolve(__dirname, "..", "..", "..");
    return [
        path.join(repoRoot, "node_modules", "mocha", "bin", "mocha.js"),
        "--no-config",
        "--require",
        "ts-node/register/transpile-only",
        "--require",
        __filename,
        spec,
    ];
}

/** Skips the calling test on another cluster; the reason is added to its title, so the report says why. */
export function localClusterOnly(ctx: Mocha.Context, reason: string): void {
    if (ON_EXTERNAL_CLUSTER) {
        ctx.test!.title += ` (skipped with WEBSTACK_TEST_KUBECONFIG: ${reason})`;
        ctx.skip();
    }
}

/** Local TCP listeners of the given pids, from /proc (no ss/netstat needed): "address:port" strings. */
export function listenersOf(pids: number[]): string[] {
    const inodes = new Set<string>();
    for (const pid of pids) {
        let fds: string[];
        try {
            fds = fs.readdirSync(`/proc/${pid}/fd`);
        } catch {
            continue;
        }
        for (const fd of fds) {
            try {
                const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
                const m = /^socket:\[(\d+)\]$/.exec(target);
                if (m) {
                    inodes.add(m[1]);
                }
            } catch {
                // closed meanwhile
            }
        }
    }
    const listeners: string[] = [];
    for (const [file, v6] of [
        ["/proc/net/tcp", false],
        ["/proc/net/tcp6", true],
    ] as const) {
        const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").slice(1) : [];
        for (const line of lines) {
            const cols = line.trim().split(/\s+/);
            const [, local, , state, , , , , , inode] = cols; // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
            if (state !== "0A" || !inodes.has(inode)) {
                // 0A = LISTEN
                continue;
            }
            const [hexAddr, hexPort] = local.split(":");
            listeners.push(`${v6 ? decodeV6(hexAddr) : decodeV4(hexAddr)}:${parseInt(hexPort, 16)}`);
        }
    }
    return listeners;
}

function decodeV4(hex: string): string {
    return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");
}

function decodeV6(hex: string): string {
    if (hex === "00000000000000000000000000000000") {
        return "[::]";
    }
    if (hex === "00000000000000000000000001000000") {
        return "[::1]";
    }
    if (hex.startsWith("0000000000000000FFFF0000")) {
        return `[::ffff:${decodeV4(hex.slice(24))}]`;
    }
    return `[${hex}]`;
}

export const isLoopback = (address: string) =>
    /^(127\.\d+\.\d+\.\d+|\[::1\]|\[::ffff:127\.\d+\.\d+\.\d+\]):\d+$/.test(address);

/** True while the process exists and is not a zombie (a killed child of this process waits to be reaped). */
export function processAlive(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
    } catch {
        return false;
    }
}

/** Polls `probe` once a second until it returns a value; throws naming `what` after `seconds`. */
export async function until<T>(what: string, seconds: number, probe: () => T | undefined): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const value = probe();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${seconds} s waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
}

/**
 * Samples `read` every `intervalMs` until `stop` is called; `stop` resolves once the sample in flight is in. The
 * rollout tests read a count this way (Ready pods, available replicas) while `pulumi up` or an eviction runs.
 */
export function sampleUntilStopped<T>(
    read: () => Promise<T>,
    intervalMs: number,
): { samples: T[]; stop: () => Promise<void> } {
    const samples: T[] = [];
    let running = true;
    const loop = (async () => {
        while (running) {
            samples.push(await read());
            await new Promise((resolve) => setTimeout(resolve, intervalMs));
        }
    })();
    return {
        samples,
        stop: async () => {
            running = false;
            await loop;
        },
    };
}

/** Every process this one started, directly or not (the cluster's daemons are detached but still its children). */
export function descendantsOf(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
        } catch {
            // exited meanwhile
        }
    }
    const found: number[] = [];
    const queue = [...(children.get(root) ?? [])];
    while (queue.length > 0) {
        const pid = queue.shift()!;
        found.push(pid);
        queue.push(...(children.get(pid) ?? []));
    }
    return found;
}

export function commandLine(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim().slice(0, 200);
    } catch {
        return "(exited)";
    }
}

/**
 * Samples, once a second for the whole run, the TCP listeners of this process and of everything it started: the
 * control plane, the Pulumi CLI and its plugins, the Automation API's servers, nginx.
 */
class ListenerWatch {
    samples = 0;
    readonly seen = new Set<string>();
    readonly beyondLoopback = new Map<string, string>();
    private timer?: NodeJS.Timeout;

    start(): void {
        this.timer = setInterval(() => this.sample(), 1000);
        this.timer.unref();
    }

    stop(): void {
        clearInterval(this.timer);
    }

    private sample(): void {
        const pids = [process.pid, ...descendantsOf(process.pid)];
        const listeners = listenersOf(pids);
        this.samples++;
        listeners.forEach((l) => this.seen.add(l));
        for (const address of listeners.filter((l) => !isLoopback(l))) {
            const owner = pids.find((pid) => listenersOf([pid]).includes(address));
            this.beyondLoopback.set(address, owner ? `pid ${owner}: ${commandLine(owner)}` : "(owner exited)");
        }
    }
}

/**
 * Sends `signal` (if given) to each of `pids`, waits up to `seconds` for them to exit, SIGKILLs the rest and returns
 * those it had to kill, described.
 */
async function endProcesses(pids: number[], seconds: number, signal?: NodeJS.Signals): Promise<string[]> {
    const signalEach = (pidsToSignal: number[], sig: NodeJS.Signals) => {
        for (const pid of pidsToSignal) {
            try {
                process.kill(pid, sig);
            } catch {
                // gone meanwhile
            }
        }
    };
    if (signal) {
        signalEach(pids.filter(processAlive), signal);
    }
    const deadline = Date.now() + seconds * 1000;
    let left = pids.filter(processAlive);
    while (left.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        left = left.filter(processAlive);
    }
    const described = left.map((pid) => `pid ${pid}: ${commandLine(pid)}`);
    signalEach(left, "SIGKILL");
    return described;
}

let running: ClusterState | undefined;
let prepared = false;
const watch = new ListenerWatch();
/** Aborted by an interrupt: a cluster:up in progress stops starting processes. */
const startAbort = new AbortController();
let starting: Promise<ClusterState> | undefined;
let releasing: Promise<void> | undefined;
let namespacesBefore: string[] = [];

/** The local cluster's state, undefined on another cluster; throws when the root hooks below did not run. */
export function suiteCluster(): ClusterState | undefined {
    if (!prepared) {
        throw new Error(
            "the suite's cluster is not prepared: run the suite with `npm run test:cluster` (its mocha config loads the root hooks)",
        );
    }
    return running;
}

const namespaceNames = () => suiteKubectl(["get", "namespaces", "-o", "name"]).split("\n").filter(Boolean);

/** Checks another cluster is usable and creates the run's namespaces (`create`: an existing one is never taken over). */
function prepareExternalCluster(): void {
    if (!fs.existsSync(SUITE_KUBECONFIG)) {
        throw new Error(
            `WEBSTACK_TEST_KUBECONFIG=${externalKubeconfig}: no such file. Fix: point it at the kubeconfig of a disposable cluster (kind get kubeconfig > file)`,
        );
    }
    const ready = suiteKubectl(["get", "--raw", "/readyz"]).trim();
    if (ready !== "ok") {
        throw new Error(`WEBSTACK_TEST_KUBECONFIG=${externalKubeconfig}: the API's /readyz says ${ready}, not ok`);
    }
    try {
        suiteKubectl(["get", "crd", "routes.route.openshift.io", "-o", "name"]);
    } catch (err) {
        throw new Error(
            `WEBSTACK_TEST_KUBECONFIG=${externalKubeconfig}: the cluster has no OpenShift Route CRD. Fix (kind): kubectl apply -f tools/cluster/crds/route.openshift.io_routes.yaml`,
            { cause: err },
        );
    }
    namespacesBefore = namespaceNames();
    const namespaces = Object.values(SUITE_NAMESPACES).map((name) => ({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name,
            labels: {
                [RUN_LABEL]: RUN_ID,
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
            },
        },
    }));
    suiteKubectl(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: namespaces }));
}

/** What the run must leave on another cluster: the API up, none of its namespaces, every namespace that was there. */
function externalClusterProblems(): string[] {
    const problems: string[] = [];
    try {
        suiteKubectl(["get", "--raw", "/readyz"]);
    } catch (err) {
        problems.push(`the cluster no longer answers /readyz after the run: ${(err as Error).message}`);
    }
    const left = suiteKubectl(["get", "namespaces", "-l", `${RUN_LABEL}=${RUN_ID}`, "-o", "name"]).trim();
    if (left) {
        problems.push(`namespaces of this run left on the cluster: ${left.split("\n").join(", ")}`);
    }
    const now = new Set(namespaceNames());
    const gone = namespacesBefore.filter((ns) => !now.has(ns));
    if (gone.length > 0) {
        problems.push(`namespaces that were there before the run are gone: ${gone.join(", ")}`);
    }
    return problems;
}

/** The run's own end on its cluster, once however often asked: the local one stopped and purged, or on another
 * cluster the run's namespaces (and with them everything its tests created) deleted. */
function releaseCluster(): Promise<void> {
    releasing ??= (async () => {
        if (ON_EXTERNAL_CLUSTER) {
            if (namespacesBefore.length > 0) {
                suiteKubectl(["delete", "namespaces", "-l", `${RUN_LABEL}=${RUN_ID}`, "--wait=true", "--timeout=180s"]);
            }
            return;
        }
        await starting?.catch(() => undefined); // an aborted cluster:up first stops what it started
        await clusterDown({ purge: true });
    })();
    return releasing;
}

/** Ctrl-C or SIGTERM: stop the cluster (or delete the run's namespaces), end every process the run started, exit. */
function interruptTeardown(interrupted: Interrupted): void {
    process.stderr.write(`\ncluster suite: ${interrupted.signal}: stopping the cluster and every process of the run\n`);
    startAbort.abort(interrupted);
    const started = descendantsOf(process.pid);
    void releaseCluster()
        .catch((err: Error) => process.stderr.write(`cluster suite: teardown: ${err.message}\n`))
        .then(() => endProcesses([...new Set([...started, ...descendantsOf(process.pid)])], 5, "SIGTERM"))
        .then((killed) => {
            const how = killed.length > 0 ? `; SIGKILLed: ${killed.join(", ")}` : "";
            process.stderr.write(`cluster suite: ${interrupted.message}${how}\n`);
        })
        .finally(() => process.exit(interrupted.exitCode));
}

/**
 * Mocha root hooks (test/cluster/.mocharc.json requires this file): the run's cluster prepared (a fresh local one,
 * or the run's namespaces on another), released after the run (also when tests or the start failed, or on an
 * interrupt), then the run's own checks: no process left, nothing listened beyond loopback, another cluster left as found.
 */
export const mochaHooks = {
    async beforeAll(this: Mocha.Context) {
        this.timeout(30 * 60_000); // a cold run builds the control plane first (tools/cluster/build.sh)
        onInterrupt(interruptTeardown);
        watch.start();
        if (ON_EXTERNAL_CLUSTER) {
            prepareExternalCluster();
        } else {
            await clusterDown({ purge: true }); // fresh etcd, fresh static volumes
            starting = clusterUp({ nodes: 2, signal: startAbort.signal });
            running = await starting;
        }
        prepared = true;
    },
    async afterAll(this: Mocha.Context) {
        this.timeout(300_000);
        const apiserver = running ? `127.0.0.1:${running.ports.apiserver}` : undefined;
        await releaseCluster();
        running = undefined;
        watch.stop();
        const problems: string[] = [];
        const left = await endProcesses(descendantsOf(process.pid), 15);
        if (left.length > 0) {
            problems.push(`processes left after the cluster's teardown (now killed):\n  ${left.join("\n  ")}`);
        }
        if (watch.beyondLoopback.size > 0) {
            problems.push(
                `listeners beyond 127.0.0.1 during the run:\n  ${[...watch.beyondLoopback].map(([a, who]) => `${a} ${who}`).join("\n  ")}`,
            );
        }
        // The watch must have looked at the right processes: it saw the API server's port.
        if (apiserver && !watch.seen.has(apiserver)) {
            problems.push(
                `the listener watch never saw kube-apiserver's ${apiserver} (${watch.samples} samples, saw ${[...watch.seen].join(", ") || "nothing"})`,
            );
        }
        if (ON_EXTERNAL_CLUSTER && namespacesBefore.length > 0) {
            problems.push(...externalClusterProblems());
        }
        if (problems.length > 0) {
            throw new Error(problems.join("\n"));
        }
        const where = ON_EXTERNAL_CLUSTER
            ? `; ${SUITE_KUBECONFIG}'s cluster still answers and has none of the run's namespaces`
            : "";
        process.stderr.write(
            `cluster suite: no process left; ${watch.seen.size} listener(s) in ${watch.samples} samples, all on 127.0.0.1${where}\n`,
        );
    },
};
