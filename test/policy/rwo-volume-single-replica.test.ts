import { strict as assert } from "assert";
import type { PolicyResource } from "@pulumi/policy";
import { TYPES } from "../../policy/k8s";
import { rwoVolumeSingleReplica as policy } from "../../policy/rules/rwo-volume-single-replica";
import { compliantStack, expectMessages, kinds, record, stackWith, violationsOf } from "./fixtures";

const multiAttach =
    "pods on a second node stay in ContainerCreating (Multi-Attach error). Fix: use a ReadWriteMany PVC, or 1 replica with strategy Recreate (and no HPA).";
const claimPath = "spec.template.spec.volumes[1].persistentVolumeClaim.claimName";

describe("policy rwo-volume-single-replica [L03] (stack)", () => {
    it("[L03] passes the baseline: 1-replica Deployment on an RWO claim, 1-replica StatefulSet with volumeClaimTemplates", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L03] rejects 3 nginx replicas sharing the RWO claim (the Multi-Attach incident)", async () => {
        const v = await expectMessages(
            policy,
            stackWith(TYPES.deployment, "files", (o) => {
                o.spec.replicas = 3;
            }),
            [
                `Deployment "files" (${claimPath}): runs up to 3 pods sharing ReadWriteOnce PVC "content"; ${multiAttach}`,
            ],
        );
        assert.equal(v[0].resource, `${TYPES.deployment}::files`);
    });

    it("[L03] counts an HPA's maxReplicas", async () => {
        const stack = [
            ...compliantStack(),
            record(TYPES.hpaV2, "files", {
                metadata: { name: "files", namespace: "shop" },
                spec: { scaleTargetRef: { kind: "Deployment", name: "files" }, minReplicas: 1, maxReplicas: 5 },
            }),
        ];
        await expectMessages(policy, stack, [
            `Deployment "files" (${claimPath}): runs up to 5 pods (HPA maxReplicas) sharing ReadWriteOnce PVC "content"; ${multiAttach}`,
        ]);
    });

    it("[L03] a StatefulSet's volumeClaimTemplates are per pod (3 replicas pass); a shared RWO volume is not", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                o.spec.replicas = 3;
            }),
            [],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                o.spec.replicas = 3;
                o.spec.template.spec.volumes.push({ name: "shared", persistentVolumeClaim: { claimName: "content" } });
            }),
            [
                `StatefulSet "redis" (${claimPath}): runs up to 3 pods sharing ReadWriteOnce PVC "content"; ${multiAttach}`,
            ],
        );
    });

    it("[L03] a DaemonSet on an RWO claim runs one pod per node", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.daemonSet, "agent", (o) => {
                o.spec.template.spec.volumes.push({ name: "content", persistentVolumeClaim: { claimName: "content" } });
            }),
            [
                `DaemonSet "agent" (${claimPath}): runs one pod per node sharing ReadWriteOnce PVC "content"; ${multiAttach}`,
            ],
        );
    });

    it("[L03] ReadWriteMany claims, and claims in another namespace, are fine", async () => {
        const rwx = stackWith(
            TYPES.pvc,
            "content",
            (o) => {
                o.spec.accessModes = ["ReadWriteMany"];
            },
            { protect: true },
        );
        await expectMessages(
            policy,
            rwx.map((r) =>
                r.name === "files"
                    ? record(r.type, r.name, { ...r.inputs, spec: { ...r.inputs.spec, replicas: 3 } })
                    : r,
            ),
            [],
        );
        const elsewhere = stackWith(TYPES.pvc, "content", (o) => {
            o.metadata.namespace = "other";
        });
        await expectMessages(
            policy,
            elsewhere.map((r) =>
                r.name === "files"
                    ? record(r.type, r.name, { ...r.inputs, spec: { ...r.inputs.spec, replicas: 3 } })
                    : r,
            ),
            [],
        );
    });

    it("[L03] matches auto-named claims by their output name", async () => {
        const pvcInputs = kinds.pvc();
        delete pvcInputs.metadata.name;
        const pvc = record(TYPES.pvc, "content", pvcInputs, {
            outputs: { ...pvcInputs, metadata: { ...pvcInputs.metadata, name: "content-5f3a2b1" } },
        });
        const files = kinds.files();
        files.spec.replicas = 2;
        files.spec.template.spec.volumes[1].persistentVolumeClaim.claimName = "content-5f3a2b1";
        const v = await violationsOf(policy, [pvc, record(TYPES.deployment, "files", files)]);
        assert.deepEqual(
            v.map((x) => x.message),
            [
                `Deployment "files" (${claimPath}): runs up to 2 pods sharing ReadWriteOnce PVC "content-5f3a2b1"; ${multiAttach}`,
            ],
        );
    });

    it("[L03] stacks without workloads or claims have nothing to report", async () => {
        await expectMessages(
            policy,
            [record(TYPES.configMap, "c", kinds.configMap()), record(TYPES.service, "s", kinds.service())],
            [],
        );
    });

    it("[L03] stays linear: 3000 workloads, claims and HPAs checked in well under a second", async () => {
        const many = Array.from({ length: 3000 }, (_, i) => {
            const files = kinds.files();
            files.metadata.name = `files-${i}`;
            files.spec.replicas = 2;
            files.spec.template.spec.volumes[1].persistentVolumeClaim.claimName = `content-${i}`;
            const pvc = kinds.pvc();
            pvc.metadata.name = `content-${i}`;
            const hpa = {
                metadata: { name: `files-${i}`, namespace: "shop" },
                spec: { scaleTargetRef: { kind: "Deployment", name: `files-${i}` }, maxReplicas: 3 },
            };
            return [
                record(TYPES.deployment, `files-${i}`, files),
                record(TYPES.pvc, `content-${i}`, pvc),
                record(TYPES.hpaV2, `files-${i}`, hpa),
            ];
        }).flat();
        // Called directly (hand-built StackValidationArgs) so the timing is the policy's, not the runner's copying.
        const resources = many.map(
            (r) => ({ type: r.type, props: r.outputs, urn: r.urn, name: r.name }) as unknown as PolicyResource,
        );
        let reported = 0;
        // CPU time of this process, not wall time: other load on a shared machine must not fail the test.
        const start = process.cpuUsage();
        await policy.validateStack(
            {
                resources,
                stackTags: new Map(),
                getConfig: <T>() => ({}) as T,
                notApplicable: () => {
                    throw new Error("n/a");
                },
            },
            () => {
                reported++;
            },
        );
        const used = process.cpuUsage(start);
        const cpuMs = (used.user + used.system) / 1000;
        assert.equal(reported, 3000);
        assert.ok(cpuMs < 1000, `took ${cpuMs.toFixed(0)} ms of CPU`);
    });
});
