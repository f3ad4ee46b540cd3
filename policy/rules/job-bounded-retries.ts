import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { subject, validateTypes } from "../validate";

export const jobBoundedRetries: ResourceValidationPolicy = {
    ...policyMetadata("job-bounded-retries"),
    validateResource: validateTypes([TYPES.job, TYPES.cronJob], (props, args, report) => {
        const [specPath, spec] =
            args.type === TYPES.cronJob
                ? (["spec.jobTemplate.spec", props.spec?.jobTemplate?.spec] as const)
                : (["spec", props.spec] as const);
        for (const field of ["backoffLimit", "activeDeadlineSeconds"] as const) {
            if (spec?.[field] === undefined) {
                report(
                    `${subject(args.type, props, args.name)} (${specPath}.${field}): not set, so a failing Job keeps retrying (backoffLimit defaults to 6, no deadline). Fix: set ${specPath}.${field}.`,
                );
            }
        }
    }),
};
