import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { StackIndex } from "../stack-index";

/**
 * Lesson L30: pods ran with more privilege than they needed, by default. Every pod gets its service account's
 * API token mounted unless automountServiceAccountToken is false; a web server or Redis never calls the
 * Kubernetes API, so the token only serves whoever breaks into the container. When the stack grants the
 * service account nothing (no RoleBinding/ClusterRoleBinding names it), the pod has no use for the token.
 * A ServiceAccount of the stack with automountServiceAccountToken: false covers its pods unless a pod sets
 * true. Advisory: the account may get RBAC from outside the program. Remediation: set
 * automountServiceAccountToken: false on the pod template (the components do).
 */
export const automountServiceAccountToken: StackValidationPolicy = {
    ...policyMetadata("automount-service-account-token"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        const bound = new Set<string>();
        for (const binding of index.ofType(TYPES.roleBinding, TYPES.clusterRoleBinding)) {
            for (const subject of binding.props.subjects ?? []) {
                if (subject.kind === "ServiceAccount") {
                    bound.add(`${subject.namespace ?? binding.namespace}/${subject.name}`);
                }
            }
        }
        for (const w of index.workloads) {
            const spec = w.workload.podSpec;
            const account = spec.serviceAccountName ?? "default";
            const accountMounts =
                index.find(TYPES.serviceAccount, w.namespace, account)?.props.automountServiceAccountToken !== false;
            const mounts = spec.automountServiceAccountToken ?? accountMounts;
            if (mounts && !bound.has(`${w.namespace}/${account}`)) {
                report(
                    `${w.who} (${w.workload.podSpecPath}.automountServiceAccountToken): ${spec.automountServiceAccountToken === true ? "true" : "not false"}, so its pods get an API token for service account "${account}", which no RoleBinding or ClusterRoleBinding of the stack uses. Fix: set automountServiceAccountToken: false (or bind the account to the Role the pods need).`,
                    w.resource.urn,
                );
            }
        }
    },
};
