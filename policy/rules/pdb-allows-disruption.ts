import { StackValidationPolicy } from "@pulumi/policy";
import { fixOf, policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { IndexedWorkload, StackIndex, hpaBounds, hpaKey } from "../stack-index";

/** Pods the PDB's minAvailable keeps, for `pods` selected pods ("50%" rounds up, as the disruption controller does). */
function keeps(minAvailable: number | string, pods: number): number {
    return typeof minAvailable === "number" ? minAvailable : Math.ceil((pods * parseFloat(minAvailable)) / 100);
}

/** maxUnavailable as a count of `pods` ("25%" rounds up). */
function mayTake(maxUnavailable: number | string, pods: number): number {
    return typeof maxUnavailable === "number" ? maxUnavailable : Math.ceil((pods * parseFloat(maxUnavailable)) / 100);
}

/**
 * Lesson L21: zombie pods after a node reboot, no PDB. A PodDisruptionBudget protects serving capacity during
 * drains, but a wrong one is worse than none: with maxUnavailable 0, or minAvailable at (or above) the number of
 * pods the workload runs (its replicas, or the HPA's minReplicas when that is higher), no pod may ever be
 * evicted, so `kubectl drain` and cluster upgrades hang on the node until someone deletes the PDB by hand.
 * A PDB that selects no pod of the stack, or sets no budget at all, protects nothing. Remediation:
 * maxUnavailable: 1 with the workload's pod labels as selector.
 */
export const pdbAllowsDisruption: StackValidationPolicy = {
    ...policyMetadata("pdb-allows-disruption"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        const hpa = hpaBounds(index);
        const fewestPods = (w: IndexedWorkload) => Math.max(w.workload.replicas ?? 1, hpa.get(hpaKey(w))?.min ?? 0);
        for (const pdb of index.ofType(TYPES.pdb)) {
            const spec = pdb.props.spec ?? {};
            // policy/v1: a missing selector selects nothing, {} selects every pod of the namespace.
            const selected = spec.selector === undefined ? [] : index.selectWorkloads(pdb.namespace, spec.selector);
            const fix = fixOf("pdb-allows-disruption");
            if (selected.length === 0) {
                report(
                    `${pdb.who} (spec.selector): ${spec.selector === undefined ? "not set, which selects no pods" : `${JSON.stringify(spec.selector)} selects no pod template in namespace "${pdb.namespace}"`}, so it protects nothing. ${fix}`,
                    pdb.resource.urn,
                );
                continue;
            }
            if (spec.maxUnavailable === undefined && spec.minAvailable === undefined) {
                // The disruption controller then wants 0 healthy pods (getExpectedPodCount): every eviction is allowed.
                report(
                    `${pdb.who} (spec): sets neither minAvailable nor maxUnavailable, so it lets every selected pod be evicted at once and protects nothing. ${fix}`,
                    pdb.resource.urn,
                );
                continue;
            }
            // A DaemonSet's pod count is the node count, unknown here: only the fixed-size workloads can be summed.
            const counted = selected.filter((w) => w.workload.replicas !== undefined);
            const pods = counted.reduce((n, w) => n + fewestPods(w), 0);
            const names = selected.map((w) => w.who).join(", ");
            if (spec.maxUnavailable !== undefined && mayTake(spec.maxUnavailable, pods) === 0) {
                report(
                    `${pdb.who} (spec.maxUnavailable): ${JSON.stringify(spec.maxUnavailable)} allows no eviction of ${names}, so every node drain hangs. ${fix}`,
                    pdb.resource.urn,
                );
            } else if (
                spec.minAvailable !== undefined &&
                counted.length === selected.length &&
                keeps(spec.minAvailable, pods) >= pods
            ) {
                report(
                    `${pdb.who} (spec.minAvailable): ${JSON.stringify(spec.minAvailable)} keeps all ${pods} pod(s) of ${names}, so no pod can be evicted and node drains hang. ${fix}`,
                    pdb.resource.urn,
                );
            }
        }
    },
};
