import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { validateWorkloads } from "../validate";

/** Paths that hide pod template or image changes from Pulumi; spec.replicas (HPA-managed) stays allowed. */
function hidesPodTemplate(path: string): boolean {
    return path === "spec" || /^spec\.(template|jobTemplate)\b/.test(path) || /containers|image/i.test(path);
}

export const noIgnoreChangesOnWorkloadSpec: ResourceValidationPolicy = {
    ...policyMetadata("no-ignore-changes-on-workload-spec"),
    validateResource: validateWorkloads((_workload, args, report, who) => {
        for (const path of args.opts.ignoreChanges.filter(hidesPodTemplate)) {
            report(
                `${who} (resource option ignoreChanges): "${path}" hides changes to the pod spec/containers/image from Pulumi. Fix: remove "${path}" from ignoreChanges.`,
            );
        }
    }),
};
