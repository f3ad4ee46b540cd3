import { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../k8s";
import { subject, validateTypes } from "../validate";

export const pvcProtected: ResourceValidationPolicy = {
    name: "pvc-protected",
    description: "[L32] PersistentVolumeClaims are created with the `protect` resource option: a change to accessModes/storageClassName forces a replacement, which deletes the volume and its data. Fix: pass { protect: true } (and retainOnDelete) to the PVC.",
    enforcementLevel: "mandatory",
    validateResource: validateTypes([TYPES.pvc], (props, args, report) => {
        if (!args.opts.protect) {
            report(`${subject(args.type, props, args.name)} (resource option protect): not protected, so a replacement (e.g. RWO -> RWX) deletes the volume and its data. Fix: create it with { protect: true }.`);
        }
    }),
};
