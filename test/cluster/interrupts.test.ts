// Ctrl-C and SIGTERM during `npm run cluster:up` and during a cluster test run (docs/cluster.md): nothing the
// interrupted command started survives, and the next cluster:up starts cleanly. Each case runs a cluster of its own
// in a scratch WEBSTACK_CLUSTER_DIR, beside the suite's.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ClusterState } from "../../tools/cluster/cluster";
import { commandLine, descendantsOf, localClusterOnly, processAlive, suiteRunArgs, until } from "./support/cluster";
import { REPO_ROOT } from "./support/pulumi";

const LOCAL_ONLY = "it interrupts a local control plane of its own";
const INTERRUPTED_RUN = path.join(__dirname, "fixtures", "interrupted-run.ts");

/** A command of this repository, in a process group of its own as a shell's foreground job; output collected. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv) {
    const child = spawn(command, args, {
        cwd: REPO_ROOT,
        env: { ...process.env, WEBSTACK_TEST_KUBECONFIG: "", ...env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
    });
    const output = { text: "" };
    child.stdout.on("data", (d: Buffer) => (output.text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output.text += d.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    return { pid: child.pid!, output, exit };
}

const npm = (script: string, env: NodeJS.ProcessEnv, ...args: string[]) =>
    start("npm", ["run", "-s", script, ...(args.length > 0 ? ["--", ...args] : [])], env);

function readState(dir: string): ClusterState | undefined {
    const file = path.join(dir, "state.json");
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as ClusterState) : undefined;
}

const survivors = (pids: number[]) => pids.filter(processAlive).map((pid) => `pid ${pid}: ${commandLine(pid)}`);

describe("local cluster: interrupts (Ctrl-C, SIGTERM)", function () {
    let clusterDir: string;
    const env = () => ({ WEBSTACK_CLUSTER_DIR: clusterDir });

    beforeEach(function () {
        clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), "webstack-interrupted-cluster-"));
    });

    afterEach(async function () {
        this.timeout(120_000);
        if (fs.existsSync(clusterDir)) {
            await npm("cluster:down", env(), "--purge").exit; // whatever a failed test left
        }
    });

    const interrupts = [
        // A terminal's Ctrl-C: SIGINT to the whole foreground process group (npm, sh, node, a running kubectl).
        { how: "Ctrl-C", signal: "SIGINT", to: (npmPid: number) => -npmPid },
        // kill(1) or a supervisor: npm alone, which forwards it to its child (the script execs node, see package.json).
        { how: "SIGTERM to npm", signal: "SIGTERM", to: (npmPid: number) => npmPid },
    ] as const;
    for (const { how, signal, to } of interrupts) {
        it(`${how} during npm run cluster:up stops every process it started; the next cluster:up comes up and cluster:down takes seconds`, async function () {
            localClusterOnly(this, LOCAL_ONLY);
            this.timeout(20 * 60_000);
            const up = npm("cluster:up", env());
            const state = await until("the interrupted cluster:up to start kube-apiserver", 600, () =>
                readState(clusterDir)?.pids["kube-apiserver"] ? readState(clusterDir) : undefined,
            );
            const started = [...new Set([...descendantsOf(up.pid), ...Object.values(state.pids)])];
            assert.ok(started.includes(state.pids.etcd), `etcd runs under cluster:up: ${started.join(", ")}`);
            process.kill(to(up.pid), signal);
            const exit = await up.exit;
            const code = signal === "SIGINT" ? 130 : 143;
            assert.ok(exit.code === code || exit.signal === signal, `${JSON.stringify(exit)}\n${up.output.text}`);
            assert.match(
                up.output.text,
                new RegExp(`interrupted by ${signal}: stopped every process this run had started`),
            );
            assert.deepStrictEqual(survivors(started), []);
            assert.strictEqual(
                readState(clusterDir),
                undefined,
                "no state left that the next up would take as a cluster",
            );

            const again = npm("cluster:up", env());
            assert.strictEqual((await again.exit).code, 0, again.output.text);
            assert.strictEqual((await npm("cluster:status", env()).exit).code, 0);
            const pids = Object.values(readState(clusterDir)!.pids);
            const down = npm("cluster:down", env(), "--purge");
            assert.strictEqual((await down.exit).code, 0, down.output.text);
            assert.deepStrictEqual(survivors(pids), []);
            const seconds = Number(/ in ([\d.]+) s\n/.exec(down.output.text)?.[1]);
            // The stop stages and kube-apiserver's shutdown flags: before them, down took 31 s (docs/cluster.md).
            assert.ok(seconds < 10, `cluster:down stopped the cluster in ${seconds} s:\n${down.output.text}`);
            process.stderr.write(`      (cluster:down stopped the cluster in ${seconds} s)\n`);
        });
    }

    it("SIGTERM to a cluster test run stops its cluster, its API client, its process tree and its nginx", async function () {
        localClusterOnly(this, LOCAL_ONLY);
        this.timeout(20 * 60_000);
        const readyDir = fs.mkdtempSync(path.join(os.tmpdir(), "webstack-interrupted-run-"));
        const readyFile = path.join(readyDir, "ready.json");
        const run = start(process.execPath, suiteRunArgs(INTERRUPTED_RUN), {
            ...env(),
            WEBSTACK_INTERRUPT_READY: readyFile,
        });
        try {
            const ready = await until("the run to bring its cluster up and start its processes", 900, () =>
                fs.existsSync(readyFile)
                    ? (JSON.parse(fs.readFileSync(readyFile, "utf8")) as { pids: Record<string, number> })
                    : undefined,
            );
            const started = descendantsOf(run.pid);
            const daemons = readState(clusterDir)!.pids;
            for (const [name, pid] of Object.entries({ ...ready.pids, ...daemons })) {
                assert.ok(started.includes(pid), `${name} (pid ${pid}) is among the run's processes`);
            }
            process.kill(run.pid, "SIGTERM");
            const exit = await run.exit;
            assert.deepStrictEqual(exit, { code: 143, signal: null }, run.output.text);
            assert.deepStrictEqual(survivors(started), []);
            assert.ok(!fs.existsSync(clusterDir), "the run's cluster state is purged");
        } finally {
            const ready = fs.existsSync(readyFile)
                ? (JSON.parse(fs.readFileSync(readyFile, "utf8")) as { dirs: string[] })
                : { dirs: [] };
            [readyDir, ...ready.dirs].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
        }
    });
});
