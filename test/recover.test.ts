// npm run recover (issue 27 item 1): the plan it derives from an interrupted update's state. The cluster suite
// (test/cluster/faults.test.ts) runs it for real after SIGINT and SIGKILL; these are its decisions, case by case.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findStackLock, kubeObjectOf, PendingOperation, planText, recoveryPlan, StackLock } from "../scripts/recover";

const urn = (type: string, name: string) => `urn:pulumi:dev::webstack::webstack:index:WebStack$${type}::${name}`;

function pending(type: string, resourceType: string, name: string, namespace?: string): PendingOperation {
    return {
        type,
        resource: {
            urn: urn(resourceType, name),
            type: resourceType,
            custom: true,
            inputs: { metadata: { name, ...(namespace ? { namespace } : {}) } },
        },
    };
}

const JOB = pending("creating", "kubernetes:batch/v1:Job", "north-api-migrate-x1", "qr-demo-dev");
const CONFIG_MAP = pending("creating", "kubernetes:core/v1:ConfigMap", "north-site-9a", "qr-demo-dev");
const API = pending("updating", "kubernetes:apps/v1:Deployment", "north-api", "qr-demo-dev");
const PASSWORD = pending("creating", "random:index/randomPassword:RandomPassword", "north-redis");
const DEAD_LOCK: StackLock = { file: "/b/.pulumi/locks/x.json", pid: 4242, hostname: "runner", running: false };

describe("npm run recover: the recovery of an interrupted update (issue 27)", () => {
    it("reads the object and the provider id of a pending operation on a Kubernetes resource", () => {
        assert.deepStrictEqual(kubeObjectOf(JOB), {
            resource: "Job.v1.batch",
            namespace: "qr-demo-dev",
            name: "north-api-migrate-x1",
            id: "qr-demo-dev/north-api-migrate-x1",
        });
        assert.strictEqual(kubeObjectOf(CONFIG_MAP)?.resource, "ConfigMap.v1.");
        assert.strictEqual(kubeObjectOf(PASSWORD), undefined, "not a Kubernetes object");
    });

    it("imports a pending create whose object exists, clears one that never reached the cluster, refreshes an update; cancels the dead CLI's lock first", () => {
        const exists = new Set(["north-api-migrate-x1", "north-api"]);
        const plan = recoveryPlan(
            "dev",
            [JOB, CONFIG_MAP, API, PASSWORD],
            (o) => (exists.has(o.name) ? "present" : "absent"),
            new Set([API.resource.urn]),
            DEAD_LOCK,
        );
        assert.deepStrictEqual(
            plan.operations.map((j) => [j.op.resource.urn.split("::").pop(), j.presence, j.action]),
            [
                ["north-api-migrate-x1", "present", "import"],
                ["north-site-9a", "absent", "clear"],
                ["north-api", "present", "refresh"],
                ["north-redis", undefined, "clear"],
            ],
        );
        assert.deepStrictEqual(plan.commands, [
            ["pulumi", "cancel", "--stack", "dev", "--yes"],
            [
                "pulumi",
                "refresh",
                "--stack",
                "dev",
                "--yes",
                "--skip-preview",
                "--import-pending-creates",
                JOB.resource.urn,
                "qr-demo-dev/north-api-migrate-x1",
                "--clear-pending-creates",
            ],
        ]);
        const text = planText("dev", plan);
        assert.match(
            text,
            /^recover: stack dev: 4 pending operation\(s\) left by an interrupted update; locked by pid 4242/,
        );
        assert.match(
            text,
            /creating kubernetes:core\/v1:ConfigMap north-site-9a \(qr-demo-dev\/north-site-9a: not in the cluster\): drop the pending create/,
        );
        // The URN holds a $: quoted for a shell, so the printed line can be pasted as it is.
        assert.ok(
            text.includes(`--import-pending-creates '${JOB.resource.urn}' qr-demo-dev/north-api-migrate-x1`),
            text,
        );
        assert.match(text, /^then: pulumi up --stack dev$/m);
    });

    it("a pending create that replaces a resource the state still holds (a new migration Job): the copy is deleted, not imported (one URN, one resource)", () => {
        const plan = recoveryPlan("dev", [JOB], () => "present", new Set([JOB.resource.urn]));
        assert.deepStrictEqual(plan.commands, [
            ["kubectl", "delete", "Job.v1.batch", "north-api-migrate-x1", "-n", "qr-demo-dev"],
            ["pulumi", "refresh", "--stack", "dev", "--yes", "--skip-preview", "--clear-pending-creates"],
        ]);
        assert.match(planText("dev", plan), /delete this copy and drop the pending create/);
        assert.match(planText("dev", plan), /^ {2}kubectl delete Job\.v1\.batch north-api-migrate-x1 -n qr-demo-dev$/m);
    });

    it("nothing pending and no lock: nothing to recover; a lock alone is cancelled", () => {
        const none = recoveryPlan("qa", [], () => "absent", new Set());
        assert.deepStrictEqual(none.commands, []);
        assert.match(planText("qa", none), /nothing to recover\. Next: pulumi up --stack qa$/);
        assert.deepStrictEqual(recoveryPlan("qa", [], () => "absent", new Set(), DEAD_LOCK).commands, [
            ["pulumi", "cancel", "--stack", "qa", "--yes"],
        ]);
    });

    it("refuses while the CLI holding the lock still runs on this host", () => {
        const plan = recoveryPlan("dev", [API], () => "present", new Set([API.resource.urn]), {
            ...DEAD_LOCK,
            running: true,
        });
        assert.match(plan.blocked ?? "", /pid 4242 .* still running: an update is in progress/);
        assert.doesNotMatch(planText("dev", plan), /^recovery:/m);
    });

    it("finds the lock file of a file:// backend, alive only if its pid is a running pulumi on this host", () => {
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "faults-recover-backend-"));
        try {
            assert.strictEqual(findStackLock(`file://${backend}`, "webstack", "dev"), undefined);
            const dir = path.join(backend, ".pulumi", "locks", "organization", "webstack", "dev");
            fs.mkdirSync(dir, { recursive: true });
            // This test's own pid is alive but not a pulumi process: the lock is stale.
            fs.writeFileSync(path.join(dir, "abc.json"), JSON.stringify({ pid: process.pid, hostname: os.hostname() }));
            const lock = findStackLock(`file://${backend}`, "webstack", "dev");
            assert.deepStrictEqual(lock, {
                file: path.join(dir, "abc.json"),
                pid: process.pid,
                hostname: os.hostname(),
                running: false,
            });
            assert.strictEqual(findStackLock("https://api.pulumi.com", "webstack", "dev"), undefined);
        } finally {
            fs.rmSync(backend, { recursive: true, force: true });
        }
    });
});
