import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { StackIndex } from "../stack-index";

/** Scale targets an HPA can point at, by "apiGroup/Kind" (apiGroup without version). */
const SCALABLE: Record<string, string> = {
    "apps/Deployment": TYPES.deployment,
    "apps/StatefulSet": TYPES.statefulSet,
    "apps/ReplicaSet": TYPES.replicaSet,
};

/** The type token of the workload kind an HPA's scaleTargetRef names, when the stack can scale that kind. */
export function scaleTargetType(ref: { apiVersion?: string; kind?: string }): string | undefined {
    const group = String(ref.apiVersion ?? "")
        .split("/")
        .slice(0, -1)
        .join("/");
    return SCALABLE[`${group}/${ref.kind}`];
}

/**
 * Lesson L10: state moved to Redis so the API could scale horizontally. An HorizontalPodAutoscaler whose
 * scaleTargetRef names a workload that does not exist (renamed Deployment, wrong kind or apiVersion, other
 * namespace) applies cleanly and then never scales anything: the API stays at its fixed replica count under
 * load. Advisory: the target may come from outside the program. Remediation: take the name from the workload
 * object itself (deployment.metadata.name), not from a string.
 */
export const hpaTargetExists: StackValidationPolicy = {
    ...policyMetadata("hpa-target-exists"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        for (const hpa of index.ofType(TYPES.hpaV2, TYPES.hpaV1)) {
            const ref = hpa.props.spec?.scaleTargetRef ?? {};
            const type = scaleTargetType(ref);
            const problem =
                type === undefined
                    ? `${ref.apiVersion ?? "(no apiVersion)"} ${ref.kind ?? "(no kind)"} is not a kind the stack can scale (apps/v1 Deployment, StatefulSet, ReplicaSet)`
                    : ref.name === undefined || index.find(type, hpa.namespace, ref.name) === undefined
                      ? `${ref.kind} "${ref.name}" does not exist in namespace "${hpa.namespace}" of this stack`
                      : undefined;
            if (problem !== undefined) {
                report(
                    `${hpa.who} (spec.scaleTargetRef): ${problem}, so the autoscaler scales nothing. Fix: point scaleTargetRef at the workload (apiVersion apps/v1, its kind and metadata.name).`,
                    hpa.resource.urn,
                );
            }
        }
    },
};
