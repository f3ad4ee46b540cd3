import { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../k8s";
import { subject, validateTypes } from "../validate";

export const jobNoTtlAfterFinished: ResourceValidationPolicy = {
    name: "job-no-ttl-after-finished",
    description: "[L13] A Pulumi-managed Job has no ttlSecondsAfterFinished: once the cluster deletes the finished Job, the next `pulumi up` re-creates it and runs it again. Fix: remove spec.ttlSecondsAfterFinished (a new image digest re-runs the Job by replacement).",
    enforcementLevel: "advisory",
    validateResource: validateTypes([TYPES.job], (props, args, report) => {
        if (props.spec?.ttlSecondsAfterFinished !== undefined) {
            report(`${subject(args.type, props, args.name)} (spec.ttlSecondsAfterFinished): set to ${props.spec.ttlSecondsAfterFinished}; the Job is deleted after finishing and Pulumi re-creates and re-runs it on the next update. Fix: remove spec.ttlSecondsAfterFinished.`);
        }
    }),
};
