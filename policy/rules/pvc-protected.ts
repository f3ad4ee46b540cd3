import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { subject, validateTypes } from "../validate";

export const pvcProtected: ResourceValidationPolicy = {
    ...policyMetadata("pvc-protected"),
    validateResource: validateTypes([TYPES.pvc], (props, args, report) => {
        if (!args.opts.protect) {
            report(
                `${subject(args.type, props, args.name)} (resource option protect): not protected, so a replacement (e.g. RWO -> RWX) deletes the volume and its data. Fix: create it with { protect: true }.`,
            );
        }
    }),
};
