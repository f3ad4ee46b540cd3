// How the local cluster stops (tools/cluster/cluster.ts `down`, tools/cluster/interrupt.ts), without its binaries:
// stand-in daemons named like the real ones record when SIGTERM reaches them, and one ignores it.
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STOP_STAGES } from "../tools/cluster/cluster";

const ROOT = path.join(__dirname, "..");

/** Starts `node -r ts-node/register/transpile-only <args>` in the repository; collects its output. */
function node(args: string[], env: NodeJS.ProcessEnv = {}) {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const output = { stdout: "", stderr: "" };
    child.stdout.on("data", (d: Buffer) => (output.stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output.stderr += d.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    return { child, output, exit };
}

const alive = (pid: number) => {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
    } catch {
        return false;
    }
};

describe("local cluster: stopping it (cluster:down, interrupts)", function () {
    this.timeout(60_000);
    let dir: string;
    const daemons: ChildProcess[] = [];

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "webstack-cluster-stop-"));
    });

    afterEach(() => {
        daemons.splice(0).forEach((d) => d.kill("SIGKILL"));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("down stops the API's clients first, then kube-apiserver, then etcd, and SIGKILLs one that ignores SIGTERM after its stage's grace", async () => {
        const log = path.join(dir, "term.log");
        // Same basename as the real binary: down only signals a pid whose command line still names it.
        const script = (name: string) => {
            const file = path.join(dir, name);
            fs.writeFileSync(
                file,
                [
                    'if [ "$IGNORE" = "$(basename "$0")" ]; then trap "" TERM',
                    'else trap \'echo "$(basename "$0") $(date +%s%3N)" >> "$LOG"; exit 0\' TERM; fi',
                    "while :; do sleep 0.05; done",
                ].join("\n"),
            );
            return file;
        };
        const binaries = Object.fromEntries(STOP_STAGES.flatMap((s) => Object.entries(s.processes)));
        const names = Object.keys(binaries);
        const pids: Record<string, number> = {};
        for (const name of names) {
            const d = spawn("bash", [script(binaries[name])], {
                detached: true, // a process group of its own, as cluster:up starts each daemon
                stdio: "ignore",
                env: { ...process.env, LOG: log, IGNORE: "kube-scheduler" },
            });
            daemons.push(d);
            pids[name] = d.pid!;
        }
        fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify({ ports: {}, kubeconfig: "", pids }));
        await new Promise((resolve) => setTimeout(resolve, 300)); // the traps are set

        const started = Date.now();
        const down = node(["tools/cluster/cluster.ts", "down"], { WEBSTACK_CLUSTER_DIR: dir });
        assert.deepStrictEqual(await down.exit, { code: 0, signal: null }, down.output.stderr);
        const seconds = (Date.now() - started) / 1000;

        assert.deepStrictEqual(
            names.filter((n) => alive(pids[n])),
            [],
            "every daemon is gone",
        );
        assert.ok(!fs.existsSync(path.join(dir, "state.json")), "the state is removed");
        assert.match(
            down.output.stderr,
            new RegExp(`kube-scheduler \\(pid ${pids["kube-scheduler"]}\\) still running 5 s after SIGTERM: SIGKILL`),
        );
        const term = Object.fromEntries(
            fs
                .readFileSync(log, "utf8")
                .trim()
                .split("\n")
                .map((line) => line.split(" "))
                .map(([name, ms]) => [name, Number(ms)]),
        );
        const clients = ["attach.ts", "kwok", "kube-controller-manager"].map((n) => term[n]);
        assert.ok(
            clients.every((t) => t < term["kube-apiserver"]),
            `clients stopped before kube-apiserver: ${JSON.stringify(term)}`,
        );
        assert.ok(term["kube-apiserver"] < term.etcd, `kube-apiserver stopped before etcd: ${JSON.stringify(term)}`);
        // kube-apiserver's turn came only when the clients' stage gave the stuck scheduler its 5 s.
        assert.ok(
            term["kube-apiserver"] - Math.max(...clients) >= 4500,
            `kube-apiserver waited for the clients' stage: ${JSON.stringify(term)}`,
        );
        assert.ok(seconds < 15, `down took ${seconds} s`);
    });

    it("cluster:up and test:cluster exec their command, so the SIGTERM npm forwards to its child reaches node", () => {
        // npm runs a script as `sh -c <script>`; dash forks the command and dies of the SIGTERM itself, node runs on.
        const scripts = (
            JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
                scripts: Record<string, string>;
            }
        ).scripts;
        for (const name of ["cluster:up", "test:cluster"]) {
            assert.match(scripts[name], /^exec /, `${name}: ${scripts[name]}`);
        }
    });

    for (const [signal, code] of [
        ["SIGINT", 130],
        ["SIGTERM", 143],
    ] as const) {
        it(`an interrupt (${signal}) runs the teardown once, also when the signal comes again meanwhile, and exits ${code}`, async () => {
            const run = node([
                "-e",
                [
                    'const { onInterrupt } = require("./tools/cluster/interrupt");',
                    "onInterrupt((i) => {",
                    '    console.log("teardown " + i.signal);',
                    "    setTimeout(() => process.exit(i.exitCode), 500);",
                    "});",
                    'console.log("ready");',
                    "setInterval(() => undefined, 1000);",
                ].join("\n"),
            ]);
            while (!run.output.stdout.includes("ready")) {
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            run.child.kill(signal);
            await new Promise((resolve) => setTimeout(resolve, 100));
            run.child.kill(signal); // npm forwards the terminal's Ctrl-C: the child gets it twice
            assert.deepStrictEqual(await run.exit, { code, signal: null });
            assert.strictEqual(run.output.stdout, `ready\nteardown ${signal}\n`);
            assert.match(run.output.stderr, new RegExp(`${signal} again: still stopping what was started`));
        });
    }
});
