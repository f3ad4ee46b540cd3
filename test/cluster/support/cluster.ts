// The suite's cluster: a fresh local control plane per run (cluster:up), always torn down (cluster:down --purge),
// and the checks, over the whole run, that nothing is left running and nothing listens beyond 127.0.0.1.
import * as fs from "fs";
import { clusterDown, clusterUp, ClusterState } from "../../../tools/cluster/cluster";

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

export async function startLocalCluster(): Promise<ClusterState> {
    await clusterDown({ purge: true }); // fresh etcd, fresh static volumes
    return clusterUp({ nodes: 2 });
}

export async function stopLocalCluster(): Promise<void> {
    await clusterDown({ purge: true });
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

function commandLine(pid: number): string {
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

let running: ClusterState | undefined;
const watch = new ListenerWatch();

/** The running suite cluster's state (set by the root hooks below). */
export function suiteCluster(): ClusterState {
    if (!running) {
        throw new Error(
            "the local cluster is not up: run the suite with `npm run test:cluster` (its mocha config loads the root hooks)",
        );
    }
    return running;
}

/** Processes this run started that are still alive once `seconds` have passed; killed, so none outlives a failure. */
async function leftoverProcesses(seconds: number): Promise<string[]> {
    const deadline = Date.now() + seconds * 1000;
    let left = descendantsOf(process.pid).filter(processAlive);
    while (left.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        left = descendantsOf(process.pid).filter(processAlive);
    }
    const described = left.map((pid) => `pid ${pid}: ${commandLine(pid)}`);
    for (const pid of left) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // gone meanwhile
        }
    }
    return described;
}

/**
 * Mocha root hooks (test/cluster/.mocharc.json requires this file): one fresh cluster for the run, torn down after it
 * (also when tests or the start failed), then the run's own checks: no process left, nothing listened beyond loopback.
 */
export const mochaHooks = {
    async beforeAll(this: Mocha.Context) {
        this.timeout(30 * 60_000); // a cold run builds the control plane first (tools/cluster/build.sh)
        watch.start();
        running = await startLocalCluster();
    },
    async afterAll(this: Mocha.Context) {
        this.timeout(180_000);
        const apiserver = running ? `127.0.0.1:${running.ports.apiserver}` : undefined;
        await stopLocalCluster();
        running = undefined;
        watch.stop();
        const problems: string[] = [];
        const left = await leftoverProcesses(15);
        if (left.length > 0) {
            problems.push(`processes left after cluster:down (now killed):\n  ${left.join("\n  ")}`);
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
        if (problems.length > 0) {
            throw new Error(problems.join("\n"));
        }
        process.stderr.write(
            `cluster suite: no process left; ${watch.seen.size} listener(s) in ${watch.samples} samples, all on 127.0.0.1\n`,
        );
    },
};
