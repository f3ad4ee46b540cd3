import { TYPES } from "../../policy/k8s";
import { rwoVolumeRecreateStrategy as policy } from "../../policy/rules/rwo-volume-recreate-strategy";
import { compliantStack, expectMessages, kinds, record, stackWith } from "./fixtures";

describe("policy rwo-volume-recreate-strategy [L03] (stack)", () => {
    it("[L03] passes the baseline (RWO claim with strategy Recreate)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L03] warns about RollingUpdate (the default) on a Deployment with an RWO claim", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "files", (o) => {
                delete o.spec.strategy;
            }),
            [
                `Deployment "files" (spec.strategy.type): RollingUpdate with ReadWriteOnce PVC "content" needs the volume on two pods at once during a rollout. Fix: set spec.strategy.type: Recreate or use a ReadWriteMany PVC.`,
            ],
        );
    });

    it("[L03] StatefulSets (delete-then-create updates) and claim-less stacks are not concerned", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                o.spec.template.spec.volumes.push({ name: "content", persistentVolumeClaim: { claimName: "content" } });
            }),
            [],
        );
        await expectMessages(policy, [record(TYPES.service, "s", kinds.service())], []);
    });
});
