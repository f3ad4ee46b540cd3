import { ResourceValidationPolicy } from "@pulumi/policy";
import { fieldOf, validateWorkloads } from "../validate";

export const readOnlyRootFilesystem: ResourceValidationPolicy = {
    name: "read-only-root-filesystem",
    description: "[L26] Containers set securityContext.readOnlyRootFilesystem: true, so data written to the container filesystem (lost on restart) fails loudly instead. Fix: set it and mount an emptyDir at /tmp and a PVC where state must live.",
    enforcementLevel: "advisory",
    validateResource: validateWorkloads((workload, _args, report, who) => {
        for (const ref of workload.containers.filter(r => r.container.securityContext?.readOnlyRootFilesystem !== true)) {
            report(`${fieldOf(who, ref, "securityContext.readOnlyRootFilesystem")}: not true, so writes to the container filesystem silently vanish on restart. Fix: set readOnlyRootFilesystem: true; mount emptyDir (/tmp) or a PVC for writable paths.`);
        }
    }),
};
