/**
 * What kube-apiserver's validation rejects beyond the OpenAPI schema, offline: the rules of
 * k8s.io/kubernetes pkg/apis/<group>/validation and k8s.io/apimachinery that manifests commonly break, each
 * naming the Go function it follows (`source`). Reported as schema errors, on the field path the API server
 * reports; test/cluster/apiserver-parity.test.ts holds them against a real kube-apiserver.
 */
import { METADATA_RULES } from "./metadata";
import { NETWORKING_RULES } from "./networking";
import { POD_RULES, POD_SPEC_PATHS } from "./pod";
import { ApiServerRule, Json, ObjectView, PodView, record } from "./rule";
import { SCALING_RULES } from "./scaling";
import { STORAGE_RULES } from "./storage";
import { WORKLOAD_RULES } from "./workloads";

export type { ApiServerRule } from "./rule";

/** Every rule, in the order the docs list them. */
export const APISERVER_RULES: readonly ApiServerRule[] = [
    ...METADATA_RULES,
    ...POD_RULES,
    ...WORKLOAD_RULES,
    ...NETWORKING_RULES,
    ...SCALING_RULES,
    ...STORAGE_RULES,
];

/** The apiVersions whose kinds the API server validates with these functions (a CRD's "Service" is not one). */
const API_VERSIONS: Record<string, readonly string[]> = {
    Pod: ["v1"],
    Service: ["v1"],
    PersistentVolumeClaim: ["v1"],
    ConfigMap: ["v1"],
    Secret: ["v1"],
    Namespace: ["v1"],
    Deployment: ["apps/v1"],
    StatefulSet: ["apps/v1"],
    DaemonSet: ["apps/v1"],
    ReplicaSet: ["apps/v1"],
    Job: ["batch/v1"],
    CronJob: ["batch/v1"],
    Ingress: ["networking.k8s.io/v1"],
    NetworkPolicy: ["networking.k8s.io/v1"],
    PodDisruptionBudget: ["policy/v1"],
    HorizontalPodAutoscaler: ["autoscaling/v2", "autoscaling/v1"],
};

/** Where each kind's rules apply: "*" rules to every object, the others to their kinds at a validated apiVersion. */
const RULES_BY_KIND = new Map<string, ApiServerRule[]>();
for (const rule of APISERVER_RULES) {
    for (const kind of rule.kinds) {
        RULES_BY_KIND.set(kind, [...(RULES_BY_KIND.get(kind) ?? []), rule]);
    }
}

function podsOf(kind: string, object: Json): PodView[] {
    const at = POD_SPEC_PATHS[kind];
    if (at === undefined) {
        return [];
    }
    const find = (path: string) => path.split(".").reduce<Json | undefined>((o, key) => record(o?.[key]), object);
    const spec = find(at.spec);
    if (spec === undefined) {
        return [];
    }
    return [
        { specPath: at.spec, spec, templatePath: at.template, template: at.template ? find(at.template) : undefined },
    ];
}

/** The rules that apply to an object of this kind (its apiVersion decides whether the kind's own rules do). */
export function rulesFor(object: Json, kind: string): ApiServerRule[] {
    const typed = API_VERSIONS[kind]?.includes(String(object.apiVersion)) ?? false;
    return [...(RULES_BY_KIND.get("*") ?? []), ...(typed ? (RULES_BY_KIND.get(kind) ?? []) : [])];
}

/** What the rules read of an object. */
export function objectView(object: Json, kind: string): ObjectView {
    const typed = API_VERSIONS[kind]?.includes(String(object.apiVersion)) ?? false;
    return {
        kind,
        object,
        metadata: record(object.metadata) ?? {},
        spec: record(object.spec),
        pods: typed ? podsOf(kind, object) : [],
    };
}

/** "<field path>: <problem>" for every rule the object breaks; [] when the API server would accept it. */
export function apiServerProblems(object: Json, kind: string): string[] {
    const view = objectView(object, kind);
    const problems: string[] = [];
    for (const rule of rulesFor(object, kind)) {
        rule.check(view, (path, message) => problems.push(`${path}: ${message}`));
    }
    return problems;
}
