import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { subject, validateTypes } from "../validate";

export const rollingUpdateZeroUnavailable: ResourceValidationPolicy = {
    ...policyMetadata("rolling-update-zero-unavailable"),
    validateResource: validateTypes([TYPES.deployment], (props, args, report) => {
        const replicas = props.spec?.replicas ?? 1;
        if (replicas < 2) {
            return;
        }
        const strategy = props.spec?.strategy ?? {};
        const who = subject(args.type, props, args.name);
        if (strategy.type === "Recreate") {
            report(
                `${who} (spec.strategy.type): Recreate stops all ${replicas} replicas before starting new ones. Fix: use RollingUpdate with maxUnavailable: 0.`,
            );
            return;
        }
        // Kubernetes defaults maxUnavailable to 25%.
        const maxUnavailable = strategy.rollingUpdate?.maxUnavailable ?? "25%";
        if (maxUnavailable !== 0 && maxUnavailable !== "0%" && maxUnavailable !== "0") {
            report(
                `${who} (spec.strategy.rollingUpdate.maxUnavailable): ${JSON.stringify(maxUnavailable)} lets a rollout take ready replicas away. Fix: set maxUnavailable: 0 (maxSurge >= 1).`,
            );
        }
    }),
};
