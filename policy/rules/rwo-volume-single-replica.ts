import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { StackIndex, hpaBounds, hpaKey, sharedRwoClaims } from "../stack-index";

export const rwoVolumeSingleReplica: StackValidationPolicy = {
    ...policyMetadata("rwo-volume-single-replica"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        const hpa = hpaBounds(index);
        for (const w of index.workloads) {
            const maxPods =
                w.workload.replicas === undefined
                    ? undefined
                    : Math.max(w.workload.replicas, hpa.get(hpaKey(w))?.max ?? 0);
            if (maxPods !== undefined && maxPods <= 1) {
                continue;
            }
            const pods =
                maxPods === undefined
                    ? "one pod per node"
                    : `up to ${maxPods} pods${hpa.has(hpaKey(w)) ? " (HPA maxReplicas)" : ""}`;
            for (const { claim, path } of sharedRwoClaims(index, w)) {
                report(
                    `${w.who} (${path}): runs ${pods} sharing ReadWriteOnce PVC "${claim}"; pods on a second node stay in ContainerCreating (Multi-Attach error). Fix: use a ReadWriteMany PVC, or 1 replica with strategy Recreate (and no HPA).`,
                    w.resource.urn,
                );
            }
        }
    },
};
