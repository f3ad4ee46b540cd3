import { TYPES } from "../../policy/k8s";
import { rollingUpdateZeroUnavailable as policy } from "../../policy/rules/rolling-update-zero-unavailable";
import { assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy rolling-update-zero-unavailable [L29]", () => {
    it("[L29] passes the baseline (maxUnavailable 0; 1-replica Recreate)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it('[L29] passes maxUnavailable 0 in each spelling Kubernetes accepts: 0, "0", "0%"', async () => {
        for (const zero of [0, "0", "0%"]) {
            await expectMessages(
                policy,
                stackWith(TYPES.deployment, "web", (o) => {
                    o.spec.replicas = 2;
                    o.spec.strategy.rollingUpdate.maxUnavailable = zero;
                }),
                [],
            );
        }
    });

    it("[L29] warns about the default strategy (maxUnavailable 25%) with 2 replicas", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.replicas = 2;
                delete o.spec.strategy;
            }),
            [
                `Deployment "web" (spec.strategy.rollingUpdate.maxUnavailable): "25%" lets a rollout take ready replicas away. Fix: set maxUnavailable: 0 (maxSurge >= 1).`,
            ],
        );
    });

    it("[L29] warns about Recreate with 3 replicas", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.replicas = 3;
                o.spec.strategy = { type: "Recreate" };
            }),
            [
                `Deployment "web" (spec.strategy.type): Recreate stops all 3 replicas before starting new ones. Fix: use RollingUpdate with maxUnavailable: 0.`,
            ],
        );
    });

    it("[L29] is not applicable to types other than Deployment", async () => {
        await assertAppliesOnlyTo(policy, [TYPES.deployment]);
    });
});
