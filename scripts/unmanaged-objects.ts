// Objects in a stack's namespace that no stack manages (postmortem 002: objects created by hand or by an old
// script sat in the namespace until a deploy failed with "already exists", and nobody knew who owned them).
// Advisory: the drift command lists them beside the drift; it does not fail on them.
//
// Inputs are what the drift job already has: the stack's state (`pulumi stack export`) and the live objects of
// the namespace (`kubectl get <UNMANAGED_REPORT_RESOURCES> -n <ns> -o json --show-managed-fields`: without the flag
// kubectl leaves out the managed fields, which name who created each object).

import { kindOf } from "../policy/k8s";

/** The resource types the report lists, as `kubectl get` takes them: what a program or a person creates by hand. */
export const UNMANAGED_REPORT_RESOURCES = [
    "pods",
    "deployments.apps",
    "statefulsets.apps",
    "daemonsets.apps",
    "replicasets.apps",
    "jobs.batch",
    "cronjobs.batch",
    "services",
    "configmaps",
    "secrets",
    "persistentvolumeclaims",
    "serviceaccounts",
    "networkpolicies.networking.k8s.io",
    "poddisruptionbudgets.policy",
    "horizontalpodautoscalers.autoscaling",
    "ingresses.networking.k8s.io",
    "roles.rbac.authorization.k8s.io",
    "rolebindings.rbac.authorization.k8s.io",
];

/** A live object as `kubectl get -o json` lists it; only the fields the report reads. */
export interface LiveObject {
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        creationTimestamp?: string;
        ownerReferences?: unknown[];
        annotations?: Record<string, string>;
        managedFields?: { manager?: string; operation?: string; time?: string }[];
    };
    type?: string;
}

/** One resource of `pulumi stack export`'s deployment; only the fields the report reads. */
export interface StateResource {
    type: string;
    id?: string;
    outputs?: {
        metadata?: { name?: string; namespace?: string };
        spec?: { volumeClaimTemplates?: { metadata?: { name?: string } }[] };
    };
}

export interface UnmanagedObject {
    kind: string;
    name: string;
    /** When the cluster created it. */
    created?: string;
    /** The field manager that first wrote it (e.g. kubectl-client-side-apply, kubectl-edit, helm), when recorded. */
    createdBy?: string;
}

/**
 * Objects every namespace gets from the cluster itself (Kubernetes and OpenShift controllers), never a stack's:
 * kind → names, or a test of the object.
 */
const CLUSTER_DEFAULTS: Record<string, (object: LiveObject) => boolean> = {
    ServiceAccount: (o) => ["default", "builder", "deployer", "pipeline"].includes(o.metadata.name),
    ConfigMap: (o) => ["kube-root-ca.crt", "openshift-service-ca.crt"].includes(o.metadata.name),
    // Tokens and pull secrets the service-account controllers create for each ServiceAccount.
    Secret: (o) => o.metadata.annotations?.["kubernetes.io/service-account.name"] !== undefined,
    // OpenShift's per-project bindings (system:image-pullers, system:image-builders, system:deployers).
    RoleBinding: (o) => o.metadata.name.startsWith("system:"),
};

const key = (kind: string, name: string) => `${kind}/${name}`;

/** kind/name of every Kubernetes object the stack's state holds in `namespace`, with its StatefulSets' claims. */
function managedKeys(state: StateResource[], namespace: string): { exact: Set<string>; claimPrefixes: string[] } {
    const exact = new Set<string>();
    const claimPrefixes: string[] = [];
    for (const resource of state) {
        if (!resource.type.startsWith("kubernetes:")) {
            continue;
        }
        const kind = kindOf(resource.type);
        const name = resource.outputs?.metadata?.name ?? resource.id?.split("/").pop();
        const objectNamespace = resource.outputs?.metadata?.namespace ?? resource.id?.split("/").slice(-2, -1)[0];
        if (name === undefined || objectNamespace !== namespace) {
            continue;
        }
        exact.add(key(kind, name));
        if (kind === "StatefulSet") {
            // The StatefulSet controller creates <template>-<statefulset>-<ordinal> for each volumeClaimTemplate.
            for (const template of resource.outputs?.spec?.volumeClaimTemplates ?? []) {
                if (template.metadata?.name) {
                    claimPrefixes.push(`${template.metadata.name}-${name}-`);
                }
            }
        }
    }
    return { exact, claimPrefixes };
}

function isClaimOfManagedStatefulSet(object: LiveObject, claimPrefixes: string[]): boolean {
    return (
        object.kind === "PersistentVolumeClaim" &&
        claimPrefixes.some((prefix) => {
            const rest = object.metadata.name.slice(prefix.length);
            return object.metadata.name.startsWith(prefix) && /^[0-9]+$/.test(rest);
        })
    );
}

/** The first field manager that wrote the object: who created it, as far as the API server recorded. */
function creator(object: LiveObject): string | undefined {
    const entries = [...(object.metadata.managedFields ?? [])].sort((a, b) =>
        (a.time ?? "").localeCompare(b.time ?? ""),
    );
    return entries[0]?.manager;
}

/**
 * Live objects of `namespace` that the stack's state does not hold and that the cluster did not create for
 * something else (an owner reference, a namespace default, a managed StatefulSet's claim), sorted by kind and name.
 */
export function unmanagedObjects(live: LiveObject[], state: StateResource[], namespace: string): UnmanagedObject[] {
    const { exact, claimPrefixes } = managedKeys(state, namespace);
    return live
        .filter((object) => (object.metadata.namespace ?? namespace) === namespace)
        .filter((object) => (object.metadata.ownerReferences ?? []).length === 0)
        .filter((object) => !(CLUSTER_DEFAULTS[object.kind]?.(object) ?? false))
        .filter((object) => !exact.has(key(object.kind, object.metadata.name)))
        .filter((object) => !isClaimOfManagedStatefulSet(object, claimPrefixes))
        .map((object) => ({
            kind: object.kind,
            name: object.metadata.name,
            ...(object.metadata.creationTimestamp ? { created: object.metadata.creationTimestamp } : {}),
            ...(creator(object) ? { createdBy: creator(object) } : {}),
        }))
        .sort((a, b) => key(a.kind, a.name).localeCompare(key(b.kind, b.name), "en"));
}

/** The report's text: a heading line with the count, then one line per object (nothing when there is none). */
export function unmanagedText(objects: UnmanagedObject[], namespace: string, stack: string): string {
    if (objects.length === 0) {
        return "";
    }
    const lines = objects.map(
        (o) =>
            `  ${o.kind}/${o.name}${o.created ? `, created ${o.created}` : ""}${o.createdBy ? ` by ${o.createdBy}` : ""}`,
    );
    return [
        `advisory: ${objects.length} object(s) in namespace ${namespace} are managed by no stack (stack ${stack} does not hold them). ` +
            `Fix: adopt each into the program (pulumi import), or delete it; a program resource of the same kind and name would fail with "already exists" (L14)`,
        ...lines,
    ].join("\n");
}
