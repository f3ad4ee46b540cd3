import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { globMatches } from "../facts";
import { TYPES } from "../k8s";
import { StackIndex } from "../stack-index";

export interface NetworkPolicySelectsPodsConfig {
    /** NetworkPolicy names (globs) whose pods are created outside the program */
    externalNames: string[];
}

/**
 * Lesson L31: Redis was reachable by anything in the cluster. A NetworkPolicy whose spec.podSelector matches no
 * pod template of the stack in its namespace (a typo in one label, a renamed component) applies cleanly and protects
 * nothing: the pods it was written for stay open. An empty podSelector (every pod of the namespace) is not
 * reported. Advisory: the pods may come from outside the program; list such policies in externalNames.
 * Remediation: take the selector from the workload's own pod labels.
 */
export const networkPolicySelectsPods: StackValidationPolicy = {
    ...policyMetadata("network-policy-selects-pods"),
    configSchema: closedSchema({
        externalNames: {
            type: "array",
            items: { type: "string" },
            default: [],
            description:
                "NetworkPolicy names (globs) whose pods are created outside the program; they are not reported.",
        },
    }),
    validateStack: (args, report) => {
        const { externalNames } = args.getConfig<NetworkPolicySelectsPodsConfig>();
        const index = new StackIndex(args.resources);
        for (const policy of index.ofType(TYPES.networkPolicy)) {
            const selector = policy.props.spec?.podSelector ?? {};
            const selectsAll =
                Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
            if (
                selectsAll ||
                index.selectWorkloads(policy.namespace, selector).length > 0 ||
                externalNames.some((pattern) => globMatches(pattern, policy.name))
            ) {
                continue;
            }
            report(
                `${policy.who} (spec.podSelector): ${JSON.stringify(selector)} selects no pod template in namespace "${policy.namespace}" of this stack, so it protects nothing. Fix: use the pod labels of the workload it guards, or add "${policy.name}" to externalNames if its pods come from elsewhere.`,
                policy.resource.urn,
            );
        }
    },
};
