import { StackValidationPolicy } from "@pulumi/policy";
import { fixOf, policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { StackIndex } from "../stack-index";

const FIX = fixOf("nginx-upstream-matches-service");

/** Every `host:port` nginx connects to: upstream `server` lines and `proxy_pass http(s)://host:port`. */
export function nginxTargets(conf: string): { directive: string; host: string; port: number }[] {
    const text = conf.replace(/#[^\n]*/g, "");
    const found: { directive: string; host: string; port: number }[] = [];
    const add = (directive: string, target: string) => {
        const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(target);
        if (m) found.push({ directive, host: m[1], port: Number(m[2]) });
    };
    for (const [, body] of text.matchAll(/\bupstream\s+[^\s{]+\s*\{([^}]*)\}/g)) {
        for (const [, target] of body.matchAll(/\bserver\s+([^\s;]+)/g)) add("upstream server", target);
    }
    for (const [, target] of text.matchAll(/\bproxy_pass\s+https?:\/\/([^/;\s]+)/g)) add("proxy_pass", target);
    return found;
}

/** The Service a cluster DNS name names (`svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<cluster domain>`). */
function serviceOf(host: string, namespace: string): { name: string; namespace: string } | undefined {
    const labels = host.split(".");
    if (labels.length === 1) return { name: labels[0], namespace };
    if (labels.length === 2 || labels[2] === "svc") return { name: labels[0], namespace: labels[1] };
    return undefined;
}

/**
 * Lesson L18 (postmortem 003): a port written in two places drifted, and the pods ran but never served. nginx's
 * upstream to the API is such a second place: a ConfigMap whose nginx config connects to a Service of this stack
 * on a port that Service does not expose gets 502 for every API request. Services outside the run are not judged.
 */
export const nginxUpstreamMatchesService: StackValidationPolicy = {
    ...policyMetadata("nginx-upstream-matches-service"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        for (const configMap of index.ofType(TYPES.configMap)) {
            for (const [key, value] of Object.entries<unknown>(configMap.props.data ?? {})) {
                if (typeof value !== "string") continue;
                for (const target of nginxTargets(value)) {
                    const ref = serviceOf(target.host, configMap.namespace);
                    const service = ref && index.find(TYPES.service, ref.namespace, ref.name);
                    const ports = (service?.props.spec?.ports ?? []).map((p) => p.port);
                    if (service !== undefined && !ports.includes(target.port)) {
                        report(
                            `${configMap.who} (data["${key}"] ${target.directive} ${target.host}:${target.port}): Service "${ref!.name}" in "${ref!.namespace}" has no port ${target.port} (its ports: ${ports.join(", ") || "none"}), so nginx answers 502. ${FIX}`,
                            configMap.resource.urn,
                        );
                    }
                }
            }
        }
    },
};
