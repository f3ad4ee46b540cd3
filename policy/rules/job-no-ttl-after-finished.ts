import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { subject, validateTypes } from "../validate";

export const jobNoTtlAfterFinished: ResourceValidationPolicy = {
    ...policyMetadata("job-no-ttl-after-finished"),
    validateResource: validateTypes([TYPES.job], (props, args, report) => {
        if (props.spec?.ttlSecondsAfterFinished !== undefined) {
            report(
                `${subject(args.type, props, args.name)} (spec.ttlSecondsAfterFinished): set to ${props.spec.ttlSecondsAfterFinished}; the Job is deleted after finishing and Pulumi re-creates and re-runs it on the next update. Fix: remove spec.ttlSecondsAfterFinished.`,
            );
        }
    }),
};
