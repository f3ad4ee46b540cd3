import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { globMatches } from "../facts";
import { selectorMatches, TYPES } from "../k8s";
import { StackIndex } from "../stack-index";

export interface StatefulSetHeadlessServiceConfig {
    /** Service names (globs) created outside the program */
    externalNames: string[];
}

/**
 * Lesson L10: Redis holds the state, as a StatefulSet. Its spec.serviceName names the headless Service
 * (clusterIP: None) that gives each pod a stable DNS name (redis-0.redis); the API server does not check that the
 * Service exists. Without it, or with a Service that has a cluster IP or does not select the pods, `redis-0.redis`
 * does not resolve and clients or replicas that address a pod by name fail. Advisory: the Service may come from
 * outside the program; list it in externalNames. Remediation: declare a headless Service selecting the pods and
 * take serviceName from its metadata.name.
 */
export const statefulSetHeadlessService: StackValidationPolicy = {
    ...policyMetadata("statefulset-headless-service"),
    configSchema: closedSchema({
        externalNames: {
            type: "array",
            items: { type: "string" },
            default: [],
            description:
                "Service names (globs) created outside the program; serviceName references to them are not reported.",
        },
    }),
    validateStack: (args, report) => {
        const { externalNames } = args.getConfig<StatefulSetHeadlessServiceConfig>();
        const index = new StackIndex(args.resources);
        for (const w of index.workloads.filter((w) => w.resource.type === TYPES.statefulSet)) {
            const name = w.props.spec?.serviceName;
            if (name === undefined || name === "" || externalNames.some((pattern) => globMatches(pattern, name))) {
                continue;
            }
            const service = index.find(TYPES.service, w.namespace, name);
            const selector = service?.props.spec?.selector;
            const problem =
                service === undefined
                    ? `Service "${name}" does not exist in namespace "${w.namespace}" of this stack`
                    : service.props.spec?.clusterIP !== "None"
                      ? `Service "${name}" is not headless (clusterIP: None), so it has no per-pod DNS records`
                      : selector === undefined || !selectorMatches({ matchLabels: selector }, w.workload.podLabels)
                        ? `Service "${name}" does not select the pods ${JSON.stringify(w.workload.podLabels)}`
                        : undefined;
            if (problem !== undefined) {
                report(
                    `${w.who} (spec.serviceName): ${problem}; the pods' stable names (${w.name}-0.${name}) do not resolve. Fix: declare a headless Service (clusterIP: None) selecting the pods and use its metadata.name, or add "${name}" to externalNames.`,
                    w.resource.urn,
                );
            }
        }
    },
};
