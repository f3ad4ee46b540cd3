import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { recommendedLabels } from "./labels";

/** OpenShift labels the router's namespace with this; NetworkPolicies select it to admit router traffic. */
export const OPENSHIFT_INGRESS_NAMESPACE_LABEL = "policy-group.network.openshift.io/ingress";
export const DEFAULT_INGRESS_NAMESPACE = "ingress-nginx";

/** A set of pods by their selector labels, and the port they listen on. */
export interface PodGroup {
    /** Labels that select the pods. */
    selector: Record<string, string>;
    /** TCP port the pods accept traffic on. */
    port: number;
}

export interface NetworkPoliciesArgs {
    /** Namespace the policies protect. Required. */
    namespace: string;
    /** Selector matching every pod of the stack (denied all ingress unless a rule below allows it). Required. */
    stackSelector: Record<string, string>;
    /** nginx pods: reachable from the router/ingress controller only. Required. */
    site: PodGroup;
    /** API pods: reachable from nginx only. Required. */
    api: PodGroup;
    /** Redis pods: reachable from the API (and migration) pods only. Default: no Redis. */
    redis?: PodGroup;
    /** Selectors of other pods allowed to reach Redis (e.g. the migration Job). Default: none. */
    redisClients?: Record<string, string>[];
    /** "openshift": admit the router namespaces by label; "kubernetes": admit `ingressNamespace`. Default "openshift". */
    platform?: "openshift" | "kubernetes";
    /** Kubernetes only: namespace of the ingress controller. Default "ingress-nginx". */
    ingressNamespace?: string;
    /** Application the objects belong to (`app.kubernetes.io/part-of`). Default: the component name. */
    partOf?: string;
}

/**
 * Default-deny ingress for the stack's pods, then one allow rule per hop: router → nginx → API → Redis (L31).
 * Policies are additive, so each allow only opens its own port from its own peers.
 */
export class NetworkPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webstack:index:NetworkPolicies", name, {}, opts);
        const labels = recommendedLabels({ name, component: "network-policy", partOf: args.partOf });
        const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${suffix}`,
                { metadata: { name: `${name}-${suffix}`, namespace: args.namespace, labels }, spec },
                { parent: this },
            );
        const tcp = (port: number) => [{ protocol: "TCP", port }];

        policy("default-deny", { podSelector: { matchLabels: args.stackSelector }, policyTypes: ["Ingress"] });

        const ingressNamespace: { matchLabels: Record<string, string> } =
            (args.platform ?? "openshift") === "openshift"
                ? { matchLabels: { [OPENSHIFT_INGRESS_NAMESPACE_LABEL]: "" } }
                : {
                      matchLabels: {
                          "kubernetes.io/metadata.name": args.ingressNamespace ?? DEFAULT_INGRESS_NAMESPACE,
                      },
                  };
        policy("site-from-ingress", {
            podSelector: { matchLabels: args.site.selector },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: ingressNamespace }], ports: tcp(args.site.port) }],
        });
        policy("api-from-site", {
            podSelector: { matchLabels: args.api.selector },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: { matchLabels: args.site.selector } }], ports: tcp(args.api.port) }],
        });
        if (args.redis) {
            const clients = [args.api.selector, ...(args.redisClients ?? [])];
            policy("redis-from-api", {
                podSelector: { matchLabels: args.redis.selector },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: clients.map((selector) => ({ podSelector: { matchLabels: selector } })),
                        ports: tcp(args.redis.port),
                    },
                ],
            });
        }
        this.registerOutputs({});
    }
}
