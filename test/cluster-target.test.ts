// The cluster suite's root hooks (test/cluster/support/cluster.ts) pointed at another cluster with
// WEBSTACK_TEST_KUBECONFIG: a wrong value stops the run before any test and before anything is created or started.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { suiteRunArgs } from "./cluster/support/cluster";

const ROOT = path.join(__dirname, "..");

describe("cluster suite on another cluster (WEBSTACK_TEST_KUBECONFIG)", function () {
    this.timeout(60_000);

    it("a kubeconfig that does not exist fails the run before any test, naming the variable, the value and the fix", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webstack-cluster-target-"));
        try {
            const spec = path.join(dir, "never.js");
            fs.writeFileSync(spec, 'it("runs only once the root hooks prepared a cluster", () => undefined);\n');
            const missing = path.join(dir, "no-such.kubeconfig");
            const run = spawnSync(process.execPath, suiteRunArgs(spec), {
                cwd: ROOT,
                encoding: "utf8",
                // A cluster dir of its own: were the variable ignored, a local cluster would start there, not in .cluster/.
                env: { ...process.env, WEBSTACK_TEST_KUBECONFIG: missing, WEBSTACK_CLUSTER_DIR: dir },
            });
            const output = run.stdout + run.stderr;
            assert.notStrictEqual(run.status, 0, output);
            assert.match(output, /0 passing/);
            assert.ok(
                output.includes(`WEBSTACK_TEST_KUBECONFIG=${missing}: no such file. Fix: point it at the kubeconfig`),
                output,
            );
            assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["never.js"], "nothing was started or written");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
