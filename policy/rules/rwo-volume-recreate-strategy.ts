import { StackValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../k8s";
import { StackIndex, sharedRwoClaims } from "../stackIndex";

export const rwoVolumeRecreateStrategy: StackValidationPolicy = {
    name: "rwo-volume-recreate-strategy",
    description: "[L03] A Deployment that mounts a ReadWriteOnce PVC uses strategy Recreate: a RollingUpdate starts the new pod while the old one still holds the volume, and it hangs if scheduled on another node. Fix: set spec.strategy.type: Recreate (or use a ReadWriteMany PVC).",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        for (const w of index.workloads.filter(w => w.resource.type === TYPES.deployment)) {
            const strategy = w.props.spec?.strategy?.type ?? "RollingUpdate";
            if (strategy === "Recreate") {
                continue;
            }
            for (const { claim } of sharedRwoClaims(index, w)) {
                report(`${w.who} (spec.strategy.type): ${strategy} with ReadWriteOnce PVC "${claim}" needs the volume on two pods at once during a rollout. Fix: set spec.strategy.type: Recreate or use a ReadWriteMany PVC.`, w.resource.urn);
            }
        }
    },
};
