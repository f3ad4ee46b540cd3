import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { StackIndex, sharedRwoClaims } from "../stack-index";

export const rwoVolumeRecreateStrategy: StackValidationPolicy = {
    ...policyMetadata("rwo-volume-recreate-strategy"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        for (const w of index.workloads.filter((w) => w.resource.type === TYPES.deployment)) {
            const strategy = w.props.spec?.strategy?.type ?? "RollingUpdate";
            if (strategy === "Recreate") {
                continue;
            }
            for (const { claim } of sharedRwoClaims(index, w)) {
                report(
                    `${w.who} (spec.strategy.type): ${strategy} with ReadWriteOnce PVC "${claim}" needs the volume on two pods at once during a rollout. Fix: set spec.strategy.type: Recreate or use a ReadWriteMany PVC.`,
                    w.resource.urn,
                );
            }
        }
    },
};
