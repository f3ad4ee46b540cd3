import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { StackIndex } from "../stack-index";

/**
 * Lesson L05: the route pointed at a Service with no endpoints and answered 503. The same happens to every
 * client of a Service whose selector matches no pod: a label typo (`component: wbe`), or a selector copied
 * from another app, leaves it with no endpoints and connections are refused, although every object applied
 * cleanly. route-backend-selects-pods covers Services behind a Route/Ingress; this covers all the others.
 * Advisory: the pods may come from outside the program. Remediation: use the workload's own pod labels.
 */
export const serviceSelectsPods: StackValidationPolicy = {
    ...policyMetadata("service-selects-pods"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        for (const service of index.ofType(TYPES.service)) {
            const spec = service.props.spec ?? {};
            const selector: Record<string, string> = spec.selector ?? {};
            // ExternalName and selector-less Services have their endpoints managed elsewhere, on purpose.
            if (spec.type === "ExternalName" || Object.keys(selector).length === 0) {
                continue;
            }
            if (index.selectWorkloads(service.namespace, { matchLabels: selector }).length === 0) {
                const near = index.workloads
                    .filter((w) => w.namespace === service.namespace)
                    .map((w) => `${w.who} ${JSON.stringify(w.workload.podLabels)}`);
                const pods =
                    near.length === 0
                        ? "it has no workloads"
                        : `pods there: ${near.slice(0, 3).join("; ")}${near.length > 3 ? ` and ${near.length - 3} more` : ""}`;
                report(
                    `${service.who} (spec.selector): ${JSON.stringify(selector)} matches no pod template in namespace "${service.namespace}" (${pods}), so it has no endpoints. Fix: set spec.selector to the labels of the pods it should reach.`,
                    service.resource.urn,
                );
            }
        }
    },
};
