import { TYPES } from "../../policy/k8s";
import { envNamesUnique as policy } from "../../policy/rules/env-names-unique";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy env-names-unique [L18]", () => {
    it("[L18] passes the baseline", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L18] reports the same env var twice in one container (the API server only warns)", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.template.spec.containers[0].env.push({ name: "PORT", value: "9090" });
            }),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].env[2].name): "PORT" is already set by env[0]; only the last value takes effect. Fix: set each variable once.`,
            ],
        );
    });

    it("[L18] checks init containers; one name in two containers is fine", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.job, "migrate", (o) => {
                const spec = o.spec.template.spec;
                spec.initContainers = [
                    {
                        name: "wait",
                        image: spec.containers[0].image,
                        env: [
                            { name: "A", value: "1" },
                            { name: "A", value: "2" },
                        ],
                    },
                ];
            }),
            [
                `Job "migrate" initContainer "wait" (spec.template.spec.initContainers[0].env[1].name): "A" is already set by env[0]; only the last value takes effect. Fix: set each variable once.`,
            ],
        );
    });

    it("[L18] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
