import { StackValidationPolicy } from "@pulumi/policy";
import { fixOf, policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { StackIndex } from "../stack-index";
import { scaleTargetType } from "./hpa-target-exists";

/**
 * Lessons L10, L14: the API scales horizontally, and updates must apply the same way every time. An
 * HorizontalPodAutoscaler owns its target's replica count; when the Deployment (StatefulSet, ReplicaSet) also sets
 * spec.replicas, every `pulumi up` (or `kubectl apply`) writes that number back, and the scale the autoscaler chose
 * under load drops to the fixed count until it scales up again. Remediation: leave spec.replicas unset; the HPA's
 * minReplicas applies from the first pod.
 */
export const hpaTargetReplicasUnset: StackValidationPolicy = {
    ...policyMetadata("hpa-target-replicas-unset"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        for (const hpa of index.ofType(TYPES.hpaV2, TYPES.hpaV1)) {
            const spec = hpa.props.spec ?? {};
            const ref = spec.scaleTargetRef ?? {};
            const type = scaleTargetType(ref);
            const target =
                type === undefined || ref.name === undefined
                    ? undefined
                    : index.find(type as typeof TYPES.deployment, hpa.namespace, ref.name);
            const replicas = target?.props.spec?.replicas;
            if (target !== undefined && replicas !== undefined) {
                report(
                    `${target.who} (spec.replicas): ${JSON.stringify(replicas)} is fixed while ${hpa.who} scales it between ${spec.minReplicas ?? 1} and ${spec.maxReplicas ?? "?"}; every update resets the scale the autoscaler chose. ${fixOf("hpa-target-replicas-unset")}`,
                    target.resource.urn,
                );
            }
        }
    },
};
