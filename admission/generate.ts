/**
 * From the catalog, the pack's effective settings and the repository's waiver file to Kubernetes objects: the
 * validations of every policy with an admission form, merged into one ValidatingAdmissionPolicy per set of kinds
 * (grouped by pod spec path: the API server type-checks each expression against every kind it matches) and level,
 * each with a binding scoped to one namespace, plus one params object (a cluster-scoped custom resource, see
 * PARAMS_KIND) holding the settings and the waivers. Mandatory → Deny; advisory → Warn + Audit; disabled → left out.
 * `npm run admission` writes them as YAML; admission/admission-policies.ts installs them.
 */
import { ADMISSION, CATALOG, fixOf, PolicyName } from "../policy/catalog";
import { globSource } from "../components/facts";
import { kindOf } from "../policy/k8s";
import { policies } from "../policy/policies";
import { UNWAIVABLE } from "../policy/waiver-settings";
import { WORKLOAD_TYPES } from "../policy/workloads";
import { dateStatus, Waiver } from "../policy/waivers";
import { reconcileConfig } from "../offline/policy-runner";
import { anyOf, Check, matchesParam, podSpecPathOf, Scope, str } from "./cel";
import { AdmissionPolicyName, FORMS, SettingError } from "./forms";
import { schemaGuardObjects } from "./schema-guard";

export { SettingError };

type Json = Record<string, unknown>;

export interface AdmissionOptions {
    /** The namespace the bindings enforce in (the stack's). */
    namespace: string;
    /** Prefix of every object's name, e.g. "webstack" or the component's name. */
    prefix: string;
    /** The --policy-pack-config JSON the pack runs with (levels and settings). */
    packConfig?: Json;
    /** File waivers (policy/waivers.ts loadWaiverFile); expired ones, other stacks' and URN-matched ones are left out. */
    waivers?: Waiver[];
    /** The stack whose `stacks:` waivers apply. */
    stack?: string;
    /** Today, for waiver expiry. */
    now: Date;
}

/** A policy not installed, and why. */
export interface LeftOut {
    policy: string;
    reason: string;
}

export interface AdmissionObjects {
    /** The params kind's CustomResourceDefinition: established before `objects` are applied. */
    crd: Json;
    /** The params object, the ValidatingAdmissionPolicies and their bindings, in apply order. */
    objects: Json[];
    /** Checks no catalog policy makes (they compare an object with its previous version): the schema-version guard. */
    guards: Json[];
    leftOut: LeftOut[];
    /** File waivers compiled into the params, and waivers that cannot be (a URN names a Pulumi resource). */
    waivers: { compiled: Waiver[]; notCarried: LeftOut[] };
}

const isAdmissionPolicy = (name: PolicyName): name is AdmissionPolicyName => ADMISSION[name] === "cel";

/** "pods", "deployments", "ingresses", "networkpolicies" from a type token's kind. */
export function resourceOf(type: string): { group: string; version: string; resource: string } {
    const [, groupVersion] = type.split(":");
    const [group, version] = groupVersion.split("/");
    const kind = kindOf(type).toLowerCase();
    const resource = kind.endsWith("y") ? `${kind.slice(0, -1)}ies` : kind.endsWith("s") ? `${kind}es` : `${kind}s`;
    return { group: group === "core" ? "" : group, version, resource };
}

/**
 * Kinds grouped so each group's CEL type-checks against all of its kinds: workloads by pod spec path, others one by
 * one. Named for the API server's messages: "pods", "templates" (every kind under spec.template.spec), "cronjobs",
 * or the resources themselves ("deployments-statefulsets-daemonsets-replicasets").
 */
function scopesOf(types: readonly string[]): { name: string; types: string[]; podSpecPath?: string }[] {
    const groups = new Map<string, string[]>();
    for (const type of types) {
        const key = podSpecPathOf(type) ?? type;
        groups.set(key, [...(groups.get(key) ?? []), type]);
    }
    return [...groups.entries()].map(([key, members]) => {
        const everyKindThere = WORKLOAD_TYPES.filter((t) => podSpecPathOf(t) === key);
        return {
            name:
                members.length > 1 && members.length === everyKindThere.length
                    ? "templates"
                    : members.map((t) => resourceOf(t).resource).join("-"),
            types: members,
            podSpecPath: podSpecPathOf(members[0]),
        };
    });
}

const MANAGED = { "app.kubernetes.io/managed-by": "webstack-admission" };

/**
 * The params kind: cluster-scoped, so only cluster admins can write it (whoever can write the params can waive any
 * policy), and a custom resource because a built-in paramKind (a ConfigMap) stops resolving for good once no binding
 * names it for a moment (kubernetes/kubernetes#130887: the shared informer is stopped and never restarted); custom
 * resources get their own informer each time.
 */
export const PARAMS_GROUP = "admission.webstack.dev";
export const PARAMS_KIND = "AdmissionParams";
const PARAMS_API_VERSION = `${PARAMS_GROUP}/v1`;

export function paramsCrd(): Json {
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `admissionparams.${PARAMS_GROUP}`, labels: MANAGED },
        spec: {
            group: PARAMS_GROUP,
            scope: "Cluster",
            names: {
                kind: PARAMS_KIND,
                plural: "admissionparams",
                singular: "admissionparams",
                listKind: `${PARAMS_KIND}List`,
            },
            versions: [
                {
                    name: "v1",
                    served: true,
                    storage: true,
                    schema: {
                        openAPIV3Schema: {
                            type: "object",
                            description: "Settings and waivers of the webstack admission policies (npm run admission).",
                            properties: { data: { type: "object", additionalProperties: { type: "string" } } },
                        },
                    },
                },
            ],
        },
    };
}

/** The params key of one policy's parameter. */
export const paramKey = (policy: string, key: string) => `${policy}.${key}`;

/** Every matching object kind/namespace/name as a waiver-file entry names it, as one anchored regex ("" for none). */
function waiverPattern(waivers: Waiver[]): string {
    return anyOf(waivers.map((w) => [w.match!.kind!, w.match!.namespace!, w.match!.name!].map(globSource).join("/")));
}

/** The policies' objects; throws SettingError (every bad setting named with its fix) before anything is built. */
export function admissionObjects(options: AdmissionOptions): AdmissionObjects {
    const { namespace, prefix, now } = options;
    const packConfig = options.packConfig ?? {};
    const effective = reconcileConfig(policies, packConfig);
    const problems: string[] = [];
    const leftOut: LeftOut[] = [];
    const data: Record<string, string> = {};
    const definitions: Json[] = [];
    /** One ValidatingAdmissionPolicy per set of kinds and level: each policy a request matches costs the API server
     * about as much as its expressions (bench:admission), so the forms sharing kinds and level share one. */
    const groups = new Map<
        string,
        { scope: ReturnType<typeof scopesOf>[number]; mandatory: boolean; validations: Json[] }
    >();
    const bindings: Json[] = [];
    const paramsName = `${prefix}-${namespace}`;

    const live = (options.waivers ?? []).filter(
        (w) => dateStatus(w, now) !== "expired" && (w.stack === undefined || w.stack === options.stack),
    );
    const notCarried = live
        .filter((w) => w.match?.urn !== undefined)
        .map((w) => ({
            policy: w.policy,
            reason: `${w.source}: matched by urn, which names a Pulumi resource; the API server sees objects (kind, namespace, name)`,
        }));
    const compiled = live.filter((w) => w.match?.urn === undefined && isAdmissionPolicy(w.policy as PolicyName));

    for (const name of Object.keys(CATALOG) as PolicyName[]) {
        const coverage = ADMISSION[name];
        if (!isAdmissionPolicy(name)) {
            leftOut.push({ policy: name, reason: (coverage as { none: string }).none });
            continue;
        }
        const form = FORMS[name];
        const config = effective.get(name)!;
        if (config.enforcementLevel === "disabled") {
            leftOut.push({ policy: name, reason: "disabled in the policy pack config" });
            continue;
        }
        const explicit = (packConfig[name] as Json | undefined)?.allowedPrefixes;
        if (Array.isArray(explicit) && explicit.length === 0) {
            problems.push(
                `${name}.allowedPrefixes = []: an empty allow-list. Fix: list the allowed prefixes (e.g. "quay.io/team/"), or leave allowedPrefixes out for no restriction.`,
            );
            continue;
        }
        const off = form.off?.(config.properties);
        if (off !== undefined) {
            leftOut.push({ policy: name, reason: off });
            continue;
        }
        try {
            for (const [key, value] of Object.entries(form.params?.(config.properties, name) ?? {})) {
                data[paramKey(name, key)] = value;
            }
        } catch (err) {
            if (!(err instanceof SettingError)) {
                throw err;
            }
            problems.push(err.message);
            continue;
        }
        const waivable = !(UNWAIVABLE as readonly string[]).includes(name);
        if (waivable) {
            data[paramKey(name, "waived")] = waiverPattern(compiled.filter((w) => w.policy === name));
        }
        const mandatory = config.enforcementLevel === "mandatory";
        const entry = CATALOG[name];
        const prefixText = `[${entry.lessons.join(", ")}] ${name}: `;
        for (const scope of scopesOf(form.types)) {
            const celScope: Scope = {
                types: scope.types,
                podSpecPath: scope.podSpecPath,
                param: (key) => `params.data[${str(paramKey(name, key))}]`,
            };
            const level = mandatory ? "deny" : "warn";
            const merged = `${scope.name}-${level}`;
            const group = groups.get(merged) ?? { scope, mandatory, validations: [] };
            // A waived object passes this policy's validations; the policy's other validations still run.
            const waived = waivable
                ? `${matchesParam(`(object.kind + "/" + request.namespace + "/" + object.metadata.?name.orValue(""))`, celScope.param("waived"))} || `
                : "";
            group.validations.push(
                ...form.checks(celScope).map((check: Check) => ({
                    expression: `${waived}(${check.expression})`,
                    messageExpression: `${str(prefixText)} + ${check.message} + ${str(`. ${fixOf(name)}`)}`,
                    reason: "Forbidden",
                })),
            );
            groups.set(merged, group);
        }
    }
    for (const [merged, group] of groups) {
        const policyName = `${prefix}-${merged}`;
        definitions.push({
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata: { name: policyName, labels: MANAGED },
            spec: {
                failurePolicy: group.mandatory ? "Fail" : "Ignore",
                paramKind: { apiVersion: PARAMS_API_VERSION, kind: PARAMS_KIND },
                matchConstraints: {
                    resourceRules: group.scope.types.map((type) => {
                        const { group: apiGroup, version, resource } = resourceOf(type);
                        return {
                            apiGroups: [apiGroup],
                            apiVersions: [version],
                            resources: [resource],
                            operations: ["CREATE", "UPDATE"],
                        };
                    }),
                },
                matchConditions: [
                    {
                        // Pods of a ReplicaSet, ReplicaSets of a Deployment, Jobs of a CronJob: their owner was checked.
                        name: "not-controller-owned",
                        expression:
                            "!object.metadata.?ownerReferences.orValue([]).exists(r, r.?controller.orValue(false))",
                    },
                    {
                        name: "not-the-cluster-itself",
                        expression:
                            '!(request.userInfo.username == "system:kube-controller-manager" || request.userInfo.username.startsWith("system:serviceaccount:kube-system:"))',
                    },
                ],
                validations: group.validations,
            },
        });
        bindings.push({
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name: `${policyName}-${namespace}`, labels: MANAGED },
            spec: {
                policyName,
                validationActions: group.mandatory ? ["Deny"] : ["Warn", "Audit"],
                paramRef: { name: paramsName, parameterNotFoundAction: "Deny" },
                matchResources: {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
                },
            },
        });
    }
    if (problems.length > 0) {
        throw new SettingError(`policy settings the API server could not enforce:\n  ${problems.join("\n  ")}`);
    }
    const params = {
        apiVersion: PARAMS_API_VERSION,
        kind: PARAMS_KIND,
        metadata: { name: paramsName, labels: MANAGED },
        data,
    };
    return {
        crd: paramsCrd(),
        objects: [params, ...definitions, ...bindings],
        guards: schemaGuardObjects(namespace, prefix, MANAGED),
        leftOut,
        waivers: { compiled, notCarried },
    };
}
