import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { IndexedWorkload, StackIndex, hpaBounds, hpaKey } from "../stack-index";

const REPLICATED = [TYPES.deployment, TYPES.statefulSet, TYPES.replicaSet] as string[];

export const replicatedWorkloadHasPdb: StackValidationPolicy = {
    ...policyMetadata("replicated-workload-has-pdb"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        const covered = new Set<IndexedWorkload>();
        for (const pdb of index.ofType(TYPES.pdb)) {
            const selector = pdb.props.spec?.selector;
            if (selector !== undefined) {
                // policy/v1: a missing selector selects nothing, {} selects every pod
                index.selectWorkloads(pdb.namespace, selector).forEach((w) => covered.add(w));
            }
        }
        const hpa = hpaBounds(index);
        for (const w of index.workloads.filter((w) => REPLICATED.includes(w.resource.type) && !covered.has(w))) {
            const replicas = Math.max(w.workload.replicas ?? 1, hpa.get(hpaKey(w))?.min ?? 0);
            if (replicas >= 2) {
                report(
                    `${w.who} (spec.replicas): ${replicas} replicas and no PodDisruptionBudget in namespace "${w.namespace}" selects its pods ${JSON.stringify(w.workload.podLabels)}. Fix: add a PodDisruptionBudget with maxUnavailable: 1 selecting these labels.`,
                    w.resource.urn,
                );
            }
        }
    },
};
