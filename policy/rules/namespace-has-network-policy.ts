import { StackValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../k8s";
import { IndexedWorkload, StackIndex } from "../stackIndex";

export const namespaceHasNetworkPolicy: StackValidationPolicy = {
    name: "namespace-has-network-policy",
    description: "[L31] Every long-running workload's pods are selected by a NetworkPolicy of the stack in its namespace, so e.g. Redis is not reachable by anything in the cluster. Fix: add NetworkPolicies (Redis only from the API, the API only from nginx, nginx from the router).",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        const covered = new Set<IndexedWorkload>();
        for (const policy of index.ofType(TYPES.networkPolicy)) {
            index.selectWorkloads(policy.namespace, policy.resource.props.spec?.podSelector ?? {}).forEach(w => covered.add(w));
        }
        for (const w of index.workloads.filter(w => w.workload.longRunning && !covered.has(w))) {
            report(`${w.who} (${w.workload.podLabelsPath}): no NetworkPolicy in namespace "${w.namespace}" selects its pods ${JSON.stringify(w.workload.podLabels)}, so anything in the cluster can reach them. Fix: add a NetworkPolicy whose podSelector matches them and allows only the expected clients.`, w.resource.urn);
        }
    },
};
