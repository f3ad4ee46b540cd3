import { TYPES } from "../../policy/k8s";
import { jobBoundedRetries as policy } from "../../policy/rules/job-bounded-retries";
import { assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy job-bounded-retries [L13]", () => {
    it("[L13] passes the baseline Job and CronJob", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L13] warns about a Job without activeDeadlineSeconds", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.job, "migrate", (o) => {
                delete o.spec.activeDeadlineSeconds;
            }),
            [
                `Job "migrate" (spec.activeDeadlineSeconds): not set, so a failing Job keeps retrying (backoffLimit defaults to 6, no deadline). Fix: set spec.activeDeadlineSeconds.`,
            ],
        );
    });

    it("[L13] warns about a CronJob jobTemplate without backoffLimit", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.cronJob, "cleanup", (o) => {
                delete o.spec.jobTemplate.spec.backoffLimit;
            }),
            [
                `CronJob "cleanup" (spec.jobTemplate.spec.backoffLimit): not set, so a failing Job keeps retrying (backoffLimit defaults to 6, no deadline). Fix: set spec.jobTemplate.spec.backoffLimit.`,
            ],
        );
    });

    it("[L13] is not applicable to types other than Job and CronJob", async () => {
        await assertAppliesOnlyTo(policy, [TYPES.job, TYPES.cronJob]);
    });
});
