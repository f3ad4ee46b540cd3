/**
 * Kubernetes API versions that are deprecated or no longer served, from the Kubernetes deprecated API migration
 * guide: for each, the release that deprecated it, the release that stopped serving it (if any) and what to
 * use instead. Shared by api-version-removed (mandatory) and api-version-deprecated (advisory).
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "./catalog";
import { closedSchema } from "./config";
import { subject } from "./validate";

export interface ApiVersionChange {
    /** "apiVersion Kind", e.g. "extensions/v1beta1 Ingress" */
    from: string;
    deprecatedIn: string;
    removedIn?: string;
    /** "apiVersion Kind" to migrate to, or what to do when there is no successor */
    use: string;
}

const WORKLOADS = ["Deployment", "DaemonSet", "ReplicaSet", "StatefulSet"];
const WEBHOOKS = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];
const RBAC = ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];
const STORAGE = ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"];
const FLOW = ["FlowSchema", "PriorityLevelConfiguration"];

function moved(
    apiVersions: string[],
    kinds: string[],
    deprecatedIn: string,
    removedIn: string | undefined,
    to: string,
): ApiVersionChange[] {
    return apiVersions.flatMap((apiVersion) =>
        kinds.map((kind) => ({ from: `${apiVersion} ${kind}`, deprecatedIn, removedIn, use: `${to} ${kind}` })),
    );
}

export const API_VERSION_CHANGES: ApiVersionChange[] = [
    ...moved(["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"], WORKLOADS, "1.9", "1.16", "apps/v1").filter(
        (c) => c.from !== "extensions/v1beta1 StatefulSet",
    ),
    ...moved(["extensions/v1beta1"], ["NetworkPolicy"], "1.9", "1.16", "networking.k8s.io/v1"),
    ...moved(["extensions/v1beta1", "networking.k8s.io/v1beta1"], ["Ingress"], "1.14", "1.22", "networking.k8s.io/v1"),
    ...moved(["networking.k8s.io/v1beta1"], ["IngressClass"], "1.19", "1.22", "networking.k8s.io/v1"),
    ...moved(["admissionregistration.k8s.io/v1beta1"], WEBHOOKS, "1.16", "1.22", "admissionregistration.k8s.io/v1"),
    ...moved(["apiextensions.k8s.io/v1beta1"], ["CustomResourceDefinition"], "1.16", "1.22", "apiextensions.k8s.io/v1"),
    ...moved(["apiregistration.k8s.io/v1beta1"], ["APIService"], "1.19", "1.22", "apiregistration.k8s.io/v1"),
    ...moved(["certificates.k8s.io/v1beta1"], ["CertificateSigningRequest"], "1.19", "1.22", "certificates.k8s.io/v1"),
    ...moved(["coordination.k8s.io/v1beta1"], ["Lease"], "1.19", "1.22", "coordination.k8s.io/v1"),
    ...moved(["rbac.authorization.k8s.io/v1beta1"], RBAC, "1.17", "1.22", "rbac.authorization.k8s.io/v1"),
    ...moved(["scheduling.k8s.io/v1beta1"], ["PriorityClass"], "1.14", "1.22", "scheduling.k8s.io/v1"),
    ...moved(["storage.k8s.io/v1beta1"], STORAGE, "1.19", "1.22", "storage.k8s.io/v1"),
    ...moved(["batch/v1beta1"], ["CronJob"], "1.21", "1.25", "batch/v1"),
    ...moved(["discovery.k8s.io/v1beta1"], ["EndpointSlice"], "1.21", "1.25", "discovery.k8s.io/v1"),
    ...moved(["events.k8s.io/v1beta1"], ["Event"], "1.22", "1.25", "events.k8s.io/v1"),
    ...moved(["autoscaling/v2beta1"], ["HorizontalPodAutoscaler"], "1.22", "1.25", "autoscaling/v2"),
    ...moved(["autoscaling/v2beta2"], ["HorizontalPodAutoscaler"], "1.23", "1.26", "autoscaling/v2"),
    ...moved(["policy/v1beta1"], ["PodDisruptionBudget"], "1.21", "1.25", "policy/v1"),
    ...moved(["node.k8s.io/v1beta1"], ["RuntimeClass"], "1.20", "1.25", "node.k8s.io/v1"),
    {
        from: "policy/v1beta1 PodSecurityPolicy",
        deprecatedIn: "1.21",
        removedIn: "1.25",
        use: "Pod Security admission (namespace labels pod-security.kubernetes.io/enforce)",
    },
    ...moved(["storage.k8s.io/v1beta1"], ["CSIStorageCapacity"], "1.24", "1.27", "storage.k8s.io/v1"),
    ...moved(["flowcontrol.apiserver.k8s.io/v1beta1"], FLOW, "1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1"),
    ...moved(["flowcontrol.apiserver.k8s.io/v1beta2"], FLOW, "1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1"),
    ...moved(["flowcontrol.apiserver.k8s.io/v1beta3"], FLOW, "1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"),
    // Still served, but deprecated: the API server warns on every write.
    { from: "v1 Endpoints", deprecatedIn: "1.33", use: "discovery.k8s.io/v1 EndpointSlice" },
    { from: "v1 ComponentStatus", deprecatedIn: "1.19", use: "the /livez and /readyz endpoints of each component" },
];

/** "apiVersion Kind" of a Pulumi Kubernetes type token ("kubernetes:apps/v1:Deployment" -> "apps/v1 Deployment"; core -> "v1"). */
export function apiVersionKind(type: string): string | undefined {
    const match = /^kubernetes:([^:/]+)\/([^:/]+):([A-Za-z]+)$/.exec(type);
    if (!match) {
        return undefined;
    }
    const [, group, version, kind] = match;
    return `${group === "core" ? "" : `${group}/`}${version} ${kind}`;
}

/** [major, minor] of "1.37" (or "v1.37.2"); undefined when it is not a Kubernetes version. */
export function parseVersion(version: string): [number, number] | undefined {
    const match = /^v?(\d+)\.(\d+)(\.\d+)?$/.exec(version.trim());
    return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** a >= b for "major.minor" versions */
export function atLeast(a: string, b: string): boolean {
    const [x, y] = [parseVersion(a)!, parseVersion(b)!];
    return x[0] > y[0] || (x[0] === y[0] && x[1] >= y[1]);
}

/** The Kubernetes release the pack checks against by default: the current one (December 2026: 1.37). */
export const DEFAULT_KUBERNETES_VERSION = "1.37";

export interface ApiVersionConfig {
    /** target Kubernetes version, "major.minor" */
    kubernetesVersion: string;
}

/** One of the two API version policies: `removed` reports what the target no longer serves, else what it deprecates. */
export function apiVersionPolicy(
    name: "api-version-removed" | "api-version-deprecated",
    removed: boolean,
): ResourceValidationPolicy {
    return {
        ...policyMetadata(name),
        configSchema: closedSchema({
            kubernetesVersion: {
                type: "string",
                pattern: "^v?\\d+\\.\\d+(\\.\\d+)?$",
                default: DEFAULT_KUBERNETES_VERSION,
                description:
                    'Kubernetes version of the target cluster (major.minor), e.g. "1.33" (OpenShift 4.20 runs 1.33).',
            },
        }),
        validateResource: (args, report) => {
            const from = apiVersionKind(args.type);
            const change = API_VERSION_CHANGES.find((c) => c.from === from);
            if (change === undefined) {
                args.notApplicable("the API version is served and not deprecated");
            }
            const { kubernetesVersion } = args.getConfig<ApiVersionConfig>();
            if (parseVersion(kubernetesVersion) === undefined) {
                throw new Error(
                    `policy config "${name}": kubernetesVersion ${JSON.stringify(kubernetesVersion)} is not a Kubernetes version. Fix: use "major.minor", e.g. "${DEFAULT_KUBERNETES_VERSION}".`,
                );
            }
            const gone = change!.removedIn !== undefined && atLeast(kubernetesVersion, change!.removedIn);
            const apiVersion = from!.split(" ")[0];
            const who = `${subject(args.type, args.props, args.name)} (apiVersion ${apiVersion})`;
            if (removed && gone) {
                report(
                    `${who}: removed in Kubernetes ${change!.removedIn}; a ${kubernetesVersion} API server does not serve it, so the update fails at apply. Fix: use ${change!.use}.`,
                );
            } else if (!removed && !gone && atLeast(kubernetesVersion, change!.deprecatedIn)) {
                report(
                    `${who}: deprecated since Kubernetes ${change!.deprecatedIn}${change!.removedIn ? ` and removed in ${change!.removedIn}` : ""}; the API server warns on every write. Fix: use ${change!.use}.`,
                );
            }
        },
    };
}
