// Faults in the middle of a deployment (issue 27), on the local control plane with the real CLI: waits that end
// (a rollout whose pods never become Ready, a migration that hangs) and what the next `pulumi up` does after them.
// One stack of its own, in a namespace of its own, deployed once and reused by every case; each case prints how
// long the failure took to surface and the next `pulumi up` to converge.
import * as assert from "assert";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as path from "path";
import { restrictedNamespace } from "../../tools/cluster/cluster";
import { connectionFromKubeconfig, KubeConnection, kubeRequest } from "../../tools/cluster/kube-api";
import {
    commandLine,
    descendantsOf,
    ON_EXTERNAL_CLUSTER,
    processAlive,
    SUITE_KUBECONFIG,
    until,
} from "./support/cluster";
import {
    committedStackConfig,
    kubectl,
    kubectlApply,
    kubectlJson,
    programFile,
    REPO_ROOT,
    removeStackDirs,
    setStackConfig,
    testStack,
    TestStack,
} from "./support/pulumi";

const INDEX = path.join(REPO_ROOT, "index.ts");
const NS = "webstack-faults";
/** kwok's stage for a container that crashes for ever: Running, never Ready, never finished (kwok-stages.yaml). */
const NEVER_READY = ["webstack-never-ready"];
/** The shortest deadlines the components accept, so a hang fails within a minute here. */
const PROGRESS_DEADLINE_SECONDS = 30;
const ROLLOUT_TIMEOUT_SECONDS = 60;
const MIGRATION_DEADLINE_SECONDS = 30;

const fakeDigest = (label: string) => `sha256:${createHash("sha256").update(label).digest("hex")}`;
const apiImage = (label: string) =>
    `image-registry.openshift-image-registry.svc:5000/${NS}/north-api@${fakeDigest(label)}`;

interface Variant {
    image: string;
    apiCommand?: string[];
    migrationCommand?: string[];
    /** Plain env of the API (and so of its migration Job). */
    apiEnv?: Record<string, string>;
}

/** The committed dev config in this file's namespace, with short deadlines and the variant's image and commands. */
function config(v: Variant): Record<string, unknown> {
    const c = structuredClone(committedStackConfig("dev"));
    c["webstack:namespace"] = NS;
    c["webstack:verifyImageDigests"] = false;
    const api = c["webstack:api"] as Record<string, unknown>;
    api.image = v.image;
    api.progressDeadlineSeconds = PROGRESS_DEADLINE_SECONDS;
    api.rolloutTimeoutSeconds = ROLLOUT_TIMEOUT_SECONDS;
    api.command = v.apiCommand ?? api.command;
    api.env = { ...(api.env as object | undefined), ...v.apiEnv };
    const migration = c["webstack:migration"] as Record<string, unknown>;
    migration.activeDeadlineSeconds = MIGRATION_DEADLINE_SECONDS;
    migration.command = v.migrationCommand ?? migration.command;
    return c;
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;
const report = (line: string) => process.stderr.write(`      (${line})\n`);

function apiDeployment() {
    return kubectlJson("get", "deployment", "north-api", "-n", NS);
}

/** uid of every claim in the namespace, by name: a deleted or replaced claim gets a new uid. */
function claimUids(): Record<string, string> {
    const claims = kubectlJson<{ items: any[] }>("get", "pvc", "-n", NS).items;
    return Object.fromEntries(claims.map((c) => [c.metadata.name, c.metadata.uid]));
}

/** The Pulumi CLI process of the Automation API's running `pulumi up` (a child of this process). */
function runningPulumiUp(): number | undefined {
    return descendantsOf(process.pid).find((pid) => /pulumi up\b.*--client/.test(commandLine(pid)));
}

/** Samples the API Deployment's status.availableReplicas (as its controller reports it) until stopped. */
function sampleAvailable(conn: KubeConnection): { samples: number[]; stop: () => Promise<void> } {
    const samples: number[] = [];
    let running = true;
    const loop = (async () => {
        while (running) {
            const d = await kubeRequest<any>(conn, "GET", `/apis/apps/v1/namespaces/${NS}/deployments/north-api`);
            samples.push(d.status?.availableReplicas ?? 0);
            await new Promise((resolve) => setTimeout(resolve, 250));
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

/** `npm run recover` as a user runs it, in the stack's project directory with its backend and cluster. */
function recover(env: Record<string, string>, cwd: string, ...args: string[]): { status: number; output: string } {
    const run = spawnSync("npm", ["run", "-s", "recover", "--", "--stack", "faults", "--cwd", cwd, ...args], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { ...process.env, ...env },
    });
    return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

describe("local cluster: faults mid-deployment, waits that end and interrupted updates (issue 27)", function () {
    let faults: TestStack | undefined;
    let good: Variant;

    before(async function () {
        if (ON_EXTERNAL_CLUSTER) {
            this.skip(); // kwok's never-ready stage is the local cluster's
        }
        this.timeout(300_000);
        kubectlApply([restrictedNamespace(NS)]);
        // Pods are refused until the namespace's default service account exists.
        await until(`the default service account of ${NS}`, 60, () => {
            try {
                return kubectl("get", "serviceaccount", "default", "-n", NS, "-o", "name");
            } catch {
                return undefined;
            }
        });
        good = { image: apiImage("faults-1") };
        faults = await testStack("faults", config(good), programFile(INDEX));
        const started = Date.now();
        assert.strictEqual((await faults.stack.up()).summary.result, "succeeded");
        report(`first pulumi up of the faults stack: ${seconds(started)} s`);
    });

    after(async function () {
        this.timeout(120_000);
        if (faults) {
            await faults.stack.workspace.removeStack(faults.stack.name, { force: true }).catch(() => undefined);
            removeStackDirs([faults]);
        }
        if (!ON_EXTERNAL_CLUSTER) {
            kubectl("delete", "namespace", NS, "--wait=false", "--ignore-not-found");
        }
    });

    /** A `pulumi up` that must fail: its error message and how long it took. */
    async function failingUp(): Promise<{ message: string; failedAfter: number }> {
        const started = Date.now();
        let message = "";
        await assert.rejects(faults!.stack.up(), (err: Error) => {
            message = err.message;
            return true;
        });
        return { message, failedAfter: seconds(started) };
    }

    /** `pulumi up` of the good config again: it must converge, and a preview after it must plan nothing. */
    async function convergesAfterFix(what: string, fixed: Variant): Promise<void> {
        await setStackConfig(faults!, config(fixed));
        const started = Date.now();
        assert.strictEqual((await faults!.stack.up()).summary.result, "succeeded");
        const converged = seconds(started);
        const preview = await faults!.stack.preview();
        const changed = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
        assert.deepStrictEqual(changed, [], "a preview after the fixing pulumi up plans no change");
        const api = apiDeployment();
        assert.strictEqual(api.spec.template.spec.containers[0].image, fixed.image);
        assert.strictEqual(api.status.readyReplicas, 2);
        report(`${what}: the next pulumi up converged in ${converged} s`);
        good = fixed;
    }

    it(`[L15] a crash-looping pod (never Ready) fails pulumi up at the API's rolloutTimeoutSeconds (${ROLLOUT_TIMEOUT_SECONDS} s), naming north-api and the Deployment's ProgressDeadlineExceeded; the old pods keep serving; the next pulumi up converges`, async function () {
        this.timeout(300_000);
        const running = good.image;
        await setStackConfig(faults!, config({ image: apiImage("faults-2"), apiCommand: NEVER_READY }));
        const { message, failedAfter } = await failingUp();
        assert.match(message, /north-api/, message);
        assert.match(message, /\[ProgressDeadlineExceeded\]/, message);
        assert.ok(failedAfter >= ROLLOUT_TIMEOUT_SECONDS, `failed after ${failedAfter} s, not before the timeout`);
        assert.ok(
            failedAfter < ROLLOUT_TIMEOUT_SECONDS + 90,
            `pulumi up failed after ${failedAfter} s: the timeout plus the migration and a margin`,
        );
        const api = apiDeployment();
        const progressing = api.status.conditions.find((c: { type: string }) => c.type === "Progressing");
        assert.strictEqual(progressing.reason, "ProgressDeadlineExceeded");
        assert.strictEqual(api.status.readyReplicas, 2, "maxUnavailable 0: both old pods still Ready (L29)");
        const pods = kubectlJson<{ items: any[] }>("get", "pods", "-n", NS, "-l", "app.kubernetes.io/name=north-api");
        const serving = pods.items.filter(
            (p) => p.spec.containers[0].image === running && !p.metadata.deletionTimestamp,
        );
        assert.strictEqual(serving.length, 2, "the old digest serves on");
        const crashing = pods.items.filter((p) => p.spec.containers[0].image !== running);
        assert.ok(
            crashing.length > 0 &&
                crashing.every((p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff"),
            "the new pod is crash-looping",
        );
        report(`never-Ready rollout: pulumi up failed after ${failedAfter} s`);
        await convergesAfterFix("never-Ready rollout", { image: apiImage("faults-3") });
    });

    it(`[L13, L15] a migration Job that hangs fails pulumi up at its activeDeadlineSeconds (${MIGRATION_DEADLINE_SECONDS} s), naming the Job and why; the API is not touched; the next pulumi up converges`, async function () {
        this.timeout(300_000);
        const running = good.image;
        await setStackConfig(faults!, config({ image: apiImage("faults-4"), migrationCommand: NEVER_READY }));
        const { message, failedAfter } = await failingUp();
        assert.match(message, /north-api-migrate/, message);
        assert.match(message, /DeadlineExceeded|deadline/i, message);
        assert.ok(failedAfter >= MIGRATION_DEADLINE_SECONDS, `failed after ${failedAfter} s, not before the deadline`);
        assert.ok(failedAfter < MIGRATION_DEADLINE_SECONDS + 90, `pulumi up failed after ${failedAfter} s`);
        assert.strictEqual(apiDeployment().spec.template.spec.containers[0].image, running, "the API was not touched");
        const failed = kubectlJson<{ items: any[] }>("get", "jobs", "-n", NS).items.filter((j) =>
            j.status.conditions?.some((c: any) => c.type === "Failed" && c.reason === "DeadlineExceeded"),
        );
        assert.strictEqual(failed.length, 1, "the hung migration Job failed with DeadlineExceeded");
        report(`hung migration: pulumi up failed after ${failedAfter} s`);
        await convergesAfterFix("hung migration", { image: apiImage("faults-5") });
    });

    // The CI runner killed in the middle of `pulumi up` of a new digest: after the migration Job, while the API
    // Deployment rolls (each new pod Ready 4 s after it starts). SIGINT is the runner's cancel (the CLI finishes
    // the operations in flight), SIGKILL the runner's death (the whole process tree, as a destroyed job container).
    for (const signal of ["SIGINT", "SIGKILL"] as const) {
        it(`[L12, L29, L32] ${signal} to the CLI during the API rollout: npm run recover lists the pending operations and the objects, --yes runs the recovery, the next pulumi up converges; no claim replaced, available API replicas never below 2`, async function () {
            this.timeout(300_000);
            const conn = connectionFromKubeconfig(SUITE_KUBECONFIG);
            const claimsBefore = claimUids();
            const slow = { apiEnv: { WEBSTACK_KWOK_READY_AFTER: "4s" } };
            const target: Variant = { image: apiImage(`interrupt-${signal}`), ...slow };
            await setStackConfig(faults!, config(target));
            const available = sampleAvailable(conn);
            let interruptedAt = 0;
            let cliTree: number[] = [];
            const onEvent = (e: EngineEvent) => {
                const md = e.resourcePreEvent?.metadata;
                if (!interruptedAt && md?.op === "update" && md.urn.endsWith("Deployment::north-api")) {
                    interruptedAt = Date.now();
                    // A moment into the rollout: the surge pod exists, not yet Ready.
                    setTimeout(() => {
                        const cli = runningPulumiUp();
                        assert.ok(cli, "the pulumi up process is running");
                        cliTree = [cli, ...descendantsOf(cli)];
                        for (const pid of signal === "SIGKILL" ? cliTree : [cli]) {
                            process.kill(pid, signal);
                        }
                    }, 1500);
                }
            };
            try {
                await assert.rejects(faults!.stack.up({ onEvent }));
                assert.ok(interruptedAt > 0, "the API Deployment's update began before the interrupt");
                await until("the interrupted CLI and its plugins to exit", 60, () =>
                    cliTree.length > 0 && cliTree.every((pid) => !processAlive(pid)) ? true : undefined,
                );
                const recoverStarted = Date.now();
                const printed = recover(faults!.env, faults!.workDir);
                if (signal === "SIGKILL") {
                    assert.strictEqual(printed.status, 1, printed.output);
                    assert.match(printed.output, /pending operation\(s\) left by an interrupted update; locked by pid/);
                    assert.match(
                        printed.output,
                        /updating kubernetes:apps\/v1:Deployment north-api \(webstack-faults\/north-api: exists in the cluster\)/,
                    );
                    assert.match(printed.output, /^ {2}pulumi cancel --stack faults --yes$/m);
                    assert.match(printed.output, /^ {2}pulumi refresh --stack faults --yes --skip-preview/m);
                    const ran = recover(faults!.env, faults!.workDir, "--yes");
                    assert.strictEqual(ran.status, 0, ran.output);
                } else {
                    // Ctrl-C lets the CLI finish what was in flight and write the state: nothing pending, no lock.
                    assert.strictEqual(printed.status, 0, printed.output);
                    assert.match(printed.output, /nothing to recover/);
                }
                const recovered = seconds(recoverStarted);
                assert.strictEqual(recover(faults!.env, faults!.workDir).status, 0, "nothing left to recover");
                const upStarted = Date.now();
                assert.strictEqual((await faults!.stack.up()).summary.result, "succeeded");
                const converged = seconds(upStarted);
                const preview = await faults!.stack.preview({ refresh: true, expectNoChanges: true });
                assert.deepStrictEqual(
                    Object.entries(preview.changeSummary).filter(
                        ([op, n]) => !["same", "refresh"].includes(op) && n > 0,
                    ),
                    [],
                    "drift-free after the recovery: refresh + expect-no-changes passes",
                );
                assert.strictEqual(apiDeployment().spec.template.spec.containers[0].image, target.image);
                assert.deepStrictEqual(claimUids(), claimsBefore, "no claim deleted or replaced (L32)");
                good = target;
                report(
                    `${signal} mid-rollout: recover ${recovered} s, next pulumi up converged in ${converged} s, ` +
                        `${seconds(interruptedAt)} s from the interrupt to a converged, drift-free stack`,
                );
            } finally {
                await available.stop();
            }
            assert.ok(available.samples.length > 20, `sampled ${available.samples.length} times`);
            assert.ok(
                Math.min(...available.samples) >= 2,
                `available API replicas never below 2: ${available.samples.join(",")}`,
            );
        });
    }
});
