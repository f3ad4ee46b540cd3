import { TYPES } from "../../policy/k8s";
import { jobNoTtlAfterFinished as policy } from "../../policy/rules/job-no-ttl-after-finished";
import { assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy job-no-ttl-after-finished [L13]", () => {
    it("[L13] passes the baseline Job (no TTL)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L13] warns about ttlSecondsAfterFinished on a Pulumi-managed Job", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.job, "migrate", (o) => {
                o.spec.ttlSecondsAfterFinished = 0;
            }),
            [
                `Job "migrate" (spec.ttlSecondsAfterFinished): set to 0; the Job is deleted after finishing and Pulumi re-creates and re-runs it on the next update. Fix: remove spec.ttlSecondsAfterFinished.`,
            ],
        );
    });

    it("[L13] is not applicable to other types (CronJob-created Jobs are not Pulumi-managed)", async () => {
        await assertAppliesOnlyTo(policy, [TYPES.job]);
    });
});
