import { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../k8s";
import { subject, validateTypes } from "../validate";

export const jobBoundedRetries: ResourceValidationPolicy = {
    name: "job-bounded-retries",
    description: "[L13] A Job (or CronJob's jobTemplate) sets backoffLimit and activeDeadlineSeconds, so a failing migration fails `pulumi up` quickly instead of retrying for a long time. Fix: set spec.backoffLimit (e.g. 2) and spec.activeDeadlineSeconds.",
    enforcementLevel: "advisory",
    validateResource: validateTypes([TYPES.job, TYPES.cronJob], (props, args, report) => {
        const [specPath, spec] = args.type === TYPES.cronJob ? ["spec.jobTemplate.spec", props.spec?.jobTemplate?.spec] as const : ["spec", props.spec] as const;
        for (const field of ["backoffLimit", "activeDeadlineSeconds"] as const) {
            if (spec?.[field] === undefined) {
                report(`${subject(args.type, props, args.name)} (${specPath}.${field}): not set, so a failing Job keeps retrying (backoffLimit defaults to 6, no deadline). Fix: set ${specPath}.${field}.`);
            }
        }
    }),
};
