import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { IndexedWorkload, StackIndex } from "../stack-index";

/**
 * True when the NetworkPolicy restricts ingress: its policyTypes include Ingress, or it sets none (then
 * Kubernetes defaults them to Ingress, plus Egress when the policy has egress rules). An Egress-only policy
 * leaves the selected pods open to every client.
 */
export function restrictsIngress(spec: { policyTypes?: string[] } | undefined): boolean {
    return spec?.policyTypes === undefined || spec.policyTypes.includes("Ingress");
}

export const namespaceHasNetworkPolicy: StackValidationPolicy = {
    ...policyMetadata("namespace-has-network-policy"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        const covered = new Set<IndexedWorkload>();
        for (const policy of index.ofType(TYPES.networkPolicy).filter((p) => restrictsIngress(p.props.spec))) {
            index
                .selectWorkloads(policy.namespace, policy.props.spec?.podSelector ?? {})
                .forEach((w) => covered.add(w));
        }
        for (const w of index.workloads.filter((w) => w.workload.longRunning && !covered.has(w))) {
            report(
                `${w.who} (${w.workload.podLabelsPath}): no NetworkPolicy restricting Ingress in namespace "${w.namespace}" selects its pods ${JSON.stringify(w.workload.podLabels)}, so anything in the cluster can reach them. Fix: add a NetworkPolicy whose podSelector matches them and allows only the expected clients.`,
                w.resource.urn,
            );
        }
    },
};
