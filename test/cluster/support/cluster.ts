// The suite's cluster: a fresh local control plane per run (cluster:up), always torn down (cluster:down --purge),
// and the checks that nothing is left running and nothing listens beyond 127.0.0.1.
import * as fs from "fs";
import { clusterDown, clusterUp, ClusterState } from "../../../tools/cluster/cluster";

/** Local TCP listeners of the given pids, from /proc (no ss/netstat needed): "address:port" strings. */
export function listenersOf(pids: number[]): string[] {
    const inodes = new Set<string>();
    for (const pid of pids) {
        let fds: string[] = [];
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
    for (const [file, v6] of [["/proc/net/tcp", false], ["/proc/net/tcp6", true]] as const) {
        const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").slice(1) : [];
        for (const line of lines) {
            const cols = line.trim().split(/\s+/);
            const [, local, , state, , , , , , inode] = cols; // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
            if (state !== "0A" || !inodes.has(inode)) { // 0A = LISTEN
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

export const isLoopback = (address: string) => /^(127\.\d+\.\d+\.\d+|\[::1\]|\[::ffff:127\.\d+\.\d+\.\d+\]):\d+$/.test(address);

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

let running: ClusterState | undefined;

/** The running suite cluster's state (set by the root hooks below). */
export function suiteCluster(): ClusterState {
    if (!running) {
        throw new Error("the local cluster is not up: run the suite with `npm run test:cluster` (its mocha config loads the root hooks)");
    }
    return running;
}

/** Mocha root hooks (test/cluster/.mocharc.json requires this file): one fresh cluster for every test file. */
export const mochaHooks = {
    async beforeAll(this: Mocha.Context) {
        this.timeout(30 * 60_000); // a cold run builds the control plane first (tools/cluster/build.sh)
        running = await startLocalCluster();
    },
    async afterAll(this: Mocha.Context) {
        this.timeout(120_000);
        const pids = Object.values(running?.pids ?? {});
        await stopLocalCluster();
        running = undefined;
        const left = pids.filter(processAlive);
        if (left.length > 0) {
            throw new Error(`cluster:down left processes running: ${left.join(", ")}`);
        }
    },
};
