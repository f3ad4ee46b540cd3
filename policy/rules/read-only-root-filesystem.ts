import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { fieldOf, validateWorkloads } from "../validate";

export const readOnlyRootFilesystem: ResourceValidationPolicy = {
    ...policyMetadata("read-only-root-filesystem"),
    validateResource: validateWorkloads((workload, _args, report, who) => {
        for (const ref of workload.containers.filter(
            (r) => r.container.securityContext?.readOnlyRootFilesystem !== true,
        )) {
            report(
                `${fieldOf(who, ref, "securityContext.readOnlyRootFilesystem")}: not true, so writes to the container filesystem silently vanish on restart. Fix: set readOnlyRootFilesystem: true; mount emptyDir (/tmp) or a PVC for writable paths.`,
            );
        }
    }),
};
