import { TYPES } from "../../policy/k8s";
import { noIgnoreChangesOnWorkloadSpec as policy } from "../../policy/rules/no-ignore-changes-on-workload-spec";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

const keep = (o: Record<string, any>) => o;

describe("policy no-ignore-changes-on-workload-spec [L14]", () => {
    it("[L14] passes the baseline and ignoreChanges on spec.replicas (HPA-managed)", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", keep, { ignoreChanges: ["spec.replicas"] }),
            [],
        );
    });

    it("[L14] a path that only mentions spec.template outside the spec (an annotation key) hides nothing", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", keep, { ignoreChanges: ['metadata.annotations["spec.template"]'] }),
            [],
        );
    });

    for (const path of ["spec", "spec.template", "spec.template.spec.containers[0].image"]) {
        it(`[L14] rejects ignoreChanges "${path}" on a Deployment`, async () => {
            await expectMessages(policy, stackWith(TYPES.deployment, "web", keep, { ignoreChanges: [path] }), [
                `Deployment "web" (resource option ignoreChanges): "${path}" hides changes to the pod spec/containers/image from Pulumi. Fix: remove "${path}" from ignoreChanges.`,
            ]);
        });
    }

    it("[L14] rejects ignoreChanges on a CronJob's jobTemplate", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.cronJob, "cleanup", keep, { ignoreChanges: ["spec.jobTemplate.spec"] }),
            [
                `CronJob "cleanup" (resource option ignoreChanges): "spec.jobTemplate.spec" hides changes to the pod spec/containers/image from Pulumi. Fix: remove "spec.jobTemplate.spec" from ignoreChanges.`,
            ],
        );
    });

    it("[L14] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
