import { TYPES } from "../../policy/k8s";
import { hpaTargetReplicasUnset as policy } from "../../policy/rules/hpa-target-replicas-unset";
import { compliantStack, expectMessages, stackWith } from "./fixtures";

const FIX = "Fix: remove spec.replicas from the workload; the HPA's minReplicas applies from the start.";

describe("policy hpa-target-replicas-unset [L10, L14]", () => {
    it("[L10] passes the baseline: the HPA's Deployment sets no replicas", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L10] reports replicas fixed on the Deployment an HPA scales (every pulumi up resets the scale)", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.replicas = 2;
            }),
            [
                `Deployment "web" (spec.replicas): 2 is fixed while HorizontalPodAutoscaler "web" scales it between 2 and 4; every update resets the scale the autoscaler chose. ${FIX}`,
            ],
        );
    });

    it("[L14] reports a StatefulSet target with replicas; a workload no HPA scales may fix them", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.hpaV2, "web", (o) => {
                o.spec.scaleTargetRef = { apiVersion: "apps/v1", kind: "StatefulSet", name: "redis" };
            }),
            [
                `StatefulSet "redis" (spec.replicas): 1 is fixed while HorizontalPodAutoscaler "web" scales it between 2 and 4; every update resets the scale the autoscaler chose. ${FIX}`,
            ],
        );
    });
});
