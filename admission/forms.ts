/**
 * The admission form of every catalog policy that has one (policy/catalog.ts ADMISSION says which): the kinds it
 * applies to, the parameters it takes from the pack's own settings, and its CEL checks. The CEL reads the same facts
 * the rules read (components/facts.ts and secret-values.ts, policy/workloads.ts): a pattern or list is never written twice.
 * Messages name the field path the pack's message names; generate.ts adds the lesson ids and the catalog's fix.
 */
import { ADMISSION, PolicyName } from "../policy/catalog";
import {
    globSource,
    imageRefProblem,
    INTERNAL_REGISTRY_HOST,
    LABEL_KEYS,
    SHA256_DIGEST,
    splitImageRef,
    UNPRIVILEGED_PORT_MIN,
} from "../components/facts";
import { TYPES } from "../policy/k8s";
import { KNOWN_FORMATS, REFERENCE, URL_CREDENTIALS } from "../components/secret-values";
import { WORKLOAD_TYPES } from "../policy/workloads";
import {
    anyOf,
    Check,
    eachContainer,
    eachEntry,
    imageNameOf,
    matchesParam,
    onObject,
    podSpec,
    Scope,
    str,
    SUBJECT,
} from "./cel";

/** The policies whose catalog entry says "cel". */
export type AdmissionPolicyName = {
    [N in PolicyName]: (typeof ADMISSION)[N] extends "cel" ? N : never;
}[PolicyName];

/** A policy setting the generator cannot turn into a parameter: names the setting, the value and the fix. */
export class SettingError extends Error {}

type Settings = Record<string, unknown>;

export interface AdmissionForm {
    /** Pulumi type tokens of the kinds it applies to. */
    types: readonly string[];
    /** Parameter name → value (a string: params live in a ConfigMap), from the policy's effective settings. */
    params?: (settings: Settings, policy: string) => Record<string, string>;
    /** Why it is not installed with these settings (the pack is off too), or undefined. */
    off?: (settings: Settings) => string | undefined;
    checks: (scope: Scope) => Check[];
    /** Where the admission verdict can differ from the pack's, for docs/admission.md. */
    differs?: string;
}

const LONG_RUNNING = WORKLOAD_TYPES.filter((t) => t !== TYPES.job && t !== TYPES.cronJob);
/** Namespaced kinds a stack deploys: what recommended-labels covers at admission (cluster-scoped kinds are never bound to one namespace). */
const NAMESPACED_KINDS = [
    ...WORKLOAD_TYPES,
    TYPES.service,
    TYPES.configMap,
    TYPES.secret,
    TYPES.serviceAccount,
    TYPES.roleBinding,
    TYPES.pvc,
    TYPES.pdb,
    TYPES.networkPolicy,
    TYPES.ingress,
    TYPES.hpaV2,
    TYPES.route,
];

/** The strings of a list setting, each checked against `allowed` (the characters the setting's language has). */
function listSetting(
    settings: Settings,
    policy: string,
    key: string,
    allowed: RegExp,
    example: string,
    problem = (value: string): string | undefined => (allowed.test(value) ? undefined : "has characters"),
): string[] {
    const values = (settings[key] as unknown[] | undefined) ?? [];
    values.forEach((value, i) => {
        const why = typeof value !== "string" || value === "" ? "is empty" : problem(value);
        if (why !== undefined) {
            throw new SettingError(
                `${policy}.${key}[${i}] = ${JSON.stringify(value)} ${why === "has characters" ? `has characters outside ${allowed.source}` : why}: the setting is compared as written (globs: "*" = any text), not as a regular expression. Fix: write it like ${JSON.stringify(example)}.`,
            );
        }
    });
    return values as string[];
}

const IMAGE_GLOB = /^[a-zA-Z0-9._\-/:@*]+$/;
const ENV_GLOB = /^[a-zA-Z0-9_.\-*]+$/;

const imageGlobs = (settings: Settings, policy: string, key: string) =>
    anyOf(listSetting(settings, policy, key, IMAGE_GLOB, "registry.example.com/team/*").map(globSource));
const envGlobs = (settings: Settings, policy: string, key: string) =>
    anyOf(listSetting(settings, policy, key, ENV_GLOB, "*_TOKEN").map(globSource), "(?i)");

const quoted = (cel: string) => `"\\"" + ${cel} + "\\""`;
const IMAGE = "c.image";

/** CEL: the kind of secret a literal contains (secret-values.ts's formats, then a password in a URL), or "". */
function secretKindOf(text: string): string {
    const passwordOf = (m: string) => {
        const afterScheme = `${m}.substring(${m}.indexOf("://") + 3)`;
        return `${afterScheme}.substring(${afterScheme}.indexOf(":") + 1, size(${afterScheme}) - 1)`;
    };
    const urlPassword = `${text}.findAll(${str(`(?i)${URL_CREDENTIALS.source}`)}).exists(m, !${passwordOf("m")}.matches(${str(`(?i)${REFERENCE.source}`)}))`;
    return KNOWN_FORMATS.reduceRight(
        (otherwise, [kind, pattern]) => `(${text}.matches(${str(pattern.source)}) ? ${str(kind)} : ${otherwise})`,
        `(${urlPassword} ? "a password in a URL (scheme://user:password@host)" : "")`,
    );
}

const resourcesOf = (kind: "requests" | "limits") => `c.?resources.orValue(dyn({})).?${kind}.orValue({})`;

const probeHandlers = ["httpGet", "tcpSocket", "grpc"] as const;

function probePortChecks(scope: Scope): Check[] {
    return (["readinessProbe", "livenessProbe", "startupProbe"] as const).flatMap((probe) =>
        probeHandlers.map((handler) => {
            const port = `c.${probe}.${handler}.port`;
            // grpc ports are numbers; httpGet/tcpSocket ports are a number or a port name.
            const declared =
                handler === "grpc"
                    ? `c.?ports.orValue([]).exists(p, p.containerPort == ${port})`
                    : `c.?ports.orValue([]).exists(p, p.containerPort == ${port} || p.?name.orValue("") == ${port})`;
            return eachContainer(scope, {
                bad: `has(c.${probe}) && has(c.${probe}.${handler}) && !${declared}`,
                field: `${probe}.${handler}.port`,
                detail: `"probe port " + string(${port}) + " is not a declared container port (declared: " + c.?ports.orValue([]).map(p, string(p.containerPort)).join(", ") + ")"`,
            });
        }),
    );
}

/** The job spec of a Job ("spec") or a CronJob ("spec.jobTemplate.spec"): the pod spec path without its template. */
const jobSpecPath = (scope: Scope) => scope.podSpecPath!.replace(/\.template\.spec$/, "");

function configMapSize(): AdmissionForm {
    const size =
        "object.?data.orValue({}).transformList(k, v, size(bytes(k)) + size(bytes(v))).sum() + object.?binaryData.orValue({}).transformList(k, v, size(bytes(k)) + size(v)).sum()";
    return {
        types: [TYPES.configMap],
        params: (settings) => ({ maxBytes: String(settings.maxBytes) }),
        checks: (scope) => [
            onObject(
                `${size} > int(${scope.param("maxBytes")})`,
                "data/binaryData",
                `string(${size}) + " bytes exceeds " + ${scope.param("maxBytes")} + " bytes"`,
            ),
        ],
    };
}

function probeSet(probe: "readinessProbe" | "livenessProbe"): AdmissionForm {
    return {
        types: LONG_RUNNING,
        checks: (scope) => [
            eachContainer(scope, { bad: `!has(c.${probe})`, field: probe, detail: str(`no ${probe}`), appOnly: true }),
        ],
    };
}

export const FORMS: Record<AdmissionPolicyName, AdmissionForm> = {
    "s2i-builder-command-set": {
        types: WORKLOAD_TYPES,
        params: (settings, policy) => ({ builderImages: imageGlobs(settings, policy, "builderImages") }),
        checks: (scope) => [
            eachContainer(scope, {
                bad: `${matchesParam(imageNameOf(IMAGE), scope.param("builderImages"))} && size(c.?command.orValue([])) == 0`,
                field: "command",
                detail: `"image " + ${quoted(IMAGE)} + " is an S2I builder and no command is set"`,
            }),
        ],
    },
    "no-root-only-images": {
        types: WORKLOAD_TYPES,
        params: (settings, policy) => ({ rootOnlyImages: imageGlobs(settings, policy, "rootOnlyImages") }),
        checks: (scope) => [
            eachContainer(scope, {
                bad: matchesParam(imageNameOf(IMAGE), scope.param("rootOnlyImages")),
                field: "image",
                detail: `${quoted(IMAGE)} + " needs root"`,
            }),
        ],
    },
    "no-privileged-ports": {
        types: WORKLOAD_TYPES,
        checks: (scope) => [
            eachEntry(scope, {
                entries: "ports",
                // An explicitly root container is pod-security-restricted's finding, not this one.
                guard: `c.?securityContext.?runAsUser.orValue(${podSpec(scope)}.?securityContext.?runAsUser.orValue(-1)) != 0`,
                bad: `e.containerPort < ${UNPRIVILEGED_PORT_MIN}`,
                field: "containerPort",
                detail: `"port " + string(e.containerPort) + " is below ${UNPRIVILEGED_PORT_MIN} and cannot be bound by a non-root process"`,
            }),
        ],
    },
    "internal-registry-same-namespace": {
        types: WORKLOAD_TYPES,
        params: (settings, policy) => {
            const registries = listSetting(
                settings,
                policy,
                "internalRegistries",
                /./,
                INTERNAL_REGISTRY_HOST,
                (host) =>
                    imageRefProblem(`${host}/x`) === undefined && splitImageRef(`${host}/x`).registry === host
                        ? undefined
                        : "is not a registry host[:port] (a dot, a port or localhost)",
            );
            const escaped = registries.map(globSource);
            return { registries: escaped.length === 0 ? "" : `^(?:${escaped.join("|")})/` };
        },
        checks: (scope) => {
            const registries = scope.param("registries");
            return [
                eachContainer(scope, {
                    bad: `${matchesParam(IMAGE, registries)} && !${IMAGE}.matches(${registries} + request.namespace + "([/:@]|$)")`,
                    field: "image",
                    detail: `${quoted(IMAGE)} + " is in another namespace of the internal registry than the workload's " + ${quoted("request.namespace")}`,
                }),
            ];
        },
    },
    "configmap-size-advisory": configMapSize(),
    "configmap-size-limit": configMapSize(),
    "images-digest-pinned": {
        types: WORKLOAD_TYPES,
        checks: (scope) => [
            eachContainer(scope, {
                bad: `!${IMAGE}.matches(${str(`^[^@]*@${SHA256_DIGEST.source.slice(1)}`)})`,
                field: "image",
                detail: `${quoted(IMAGE)} + " is not pinned by digest"`,
            }),
        ],
    },
    "job-bounded-retries": {
        types: [TYPES.job, TYPES.cronJob],
        checks: (scope) =>
            (["backoffLimit", "activeDeadlineSeconds"] as const).map((field) =>
                onObject(
                    `!has(object.${jobSpecPath(scope)}.${field})`,
                    `${jobSpecPath(scope)}.${field}`,
                    str("not set, so a failing Job keeps retrying"),
                ),
            ),
        differs:
            "the API server defaults a Job's backoffLimit to 6 before admission, so at admission a Job (not a CronJob's jobTemplate) is checked for activeDeadlineSeconds only",
    },
    "job-no-ttl-after-finished": {
        types: [TYPES.job],
        checks: () => [
            onObject(
                "has(object.spec.ttlSecondsAfterFinished)",
                "spec.ttlSecondsAfterFinished",
                `"set to " + string(object.spec.ttlSecondsAfterFinished) + ", so the finished Job is deleted and the next update re-runs it"`,
            ),
        ],
    },
    "readiness-probe-set": probeSet("readinessProbe"),
    "liveness-probe-set": probeSet("livenessProbe"),
    "recommended-labels": {
        types: NAMESPACED_KINDS,
        checks: (scope) => {
            const keys = `[${Object.values(LABEL_KEYS).map(str).join(", ")}]`;
            const labelsAt = (path: string) => {
                const missing = `${keys}.filter(k, object.${path}.?labels[?k].orValue("") == "")`;
                return onObject(`size(${missing}) > 0`, `${path}.labels`, `"missing " + ${missing}.join(", ")`);
            };
            const template = scope.podSpecPath?.replace(/\.?spec$/, "");
            return [
                labelsAt("metadata"),
                ...(template === undefined || template === "" ? [] : [labelsAt(`${template}.metadata`)]),
            ];
        },
    },
    "probe-ports-declared": { types: WORKLOAD_TYPES, checks: probePortChecks },
    "port-env-matches-container-port": {
        types: WORKLOAD_TYPES,
        params: (settings, policy) => ({
            portEnvNames: envGlobs(settings, policy, "portEnvNames"),
            ignoredEnvNames: envGlobs(settings, policy, "ignoredEnvNames"),
        }),
        checks: (scope) => [
            eachEntry(scope, {
                entries: "env",
                guard: "size(c.?ports.orValue([])) > 0",
                bad: `has(e.value) && e.value.matches("^[0-9]+$") && ${matchesParam("e.name", scope.param("portEnvNames"))} && !${matchesParam("e.name", scope.param("ignoredEnvNames"))} && !c.ports.exists(p, p.containerPort == int(e.value))`,
                field: "",
                detail: `e.name + "=" + e.value + " is not among the container's ports (" + c.ports.map(p, string(p.containerPort)).join(", ") + ")"`,
            }),
        ],
    },
    "no-literal-secret-env": {
        types: WORKLOAD_TYPES,
        params: (settings, policy) => ({
            secretEnvNames: envGlobs(settings, policy, "secretEnvNames"),
            allowedEnvNames: envGlobs(settings, policy, "allowedEnvNames"),
        }),
        checks: (scope) => [
            eachEntry(scope, {
                entries: "env",
                bad: `has(e.value) && e.value != "" && ${matchesParam("e.name", scope.param("secretEnvNames"))} && !${matchesParam("e.name", scope.param("allowedEnvNames"))}`,
                field: "value",
                detail: `e.name + " looks like a secret and is set as a literal value"`,
            }),
        ],
    },
    "no-secret-values": {
        types: [...WORKLOAD_TYPES, TYPES.configMap],
        checks: (scope) =>
            scope.podSpecPath === undefined
                ? [
                      {
                          expression: `!object.?data.orValue({}).exists(k, ${secretKindOf("object.data[k]")} != "")`,
                          message: `object.?data.orValue({}).transformList(k, v, ${secretKindOf("v")} != "", ${SUBJECT} + " (data[\\"" + k + "\\"]): contains " + ${secretKindOf("v")}).join("; ")`,
                      },
                  ]
                : [
                      eachEntry(scope, {
                          entries: "env",
                          bad: `has(e.value) && ${secretKindOf("e.value")} != ""`,
                          field: "value",
                          detail: `e.name + " contains " + ${secretKindOf("e.value")} + " as a literal value"`,
                      }),
                  ],
        differs:
            "the entropy test for random-looking tokens needs a logarithm CEL does not have: at admission only the known key formats and passwords in URLs are recognised",
    },
    "allowed-image-prefixes": {
        types: WORKLOAD_TYPES,
        off: (settings) =>
            ((settings.allowedPrefixes as string[] | undefined) ?? []).length === 0
                ? "no allowedPrefixes configured: no restriction, as in the pack"
                : undefined,
        params: (settings, policy) => {
            const prefixes = listSetting(settings, policy, "allowedPrefixes", /^[a-zA-Z0-9._\-/:@]+$/, "quay.io/team/");
            return { allowedPrefixes: `^(?:${prefixes.map(globSource).join("|")})` };
        },
        checks: (scope) => [
            eachContainer(scope, {
                bad: `!${IMAGE}.matches(${scope.param("allowedPrefixes")}) && !${imageNameOf(IMAGE)}.matches(${scope.param("allowedPrefixes")})`,
                field: "image",
                detail: `${quoted(IMAGE)} + " is outside the allowed prefixes"`,
            }),
        ],
    },
    "container-resources": {
        types: WORKLOAD_TYPES,
        checks: (scope) =>
            (
                [
                    ["requests", "memory"],
                    ["limits", "memory"],
                    ["requests", "cpu"],
                ] as const
            ).map(([kind, resource]) =>
                eachContainer(scope, {
                    // The API server defaults a missing request to the limit. The type checker has no type for
                    // resources' quantity maps ("undefined field 'requests'"), hence dyn.
                    bad: `!(${str(resource)} in ${resourcesOf(kind)})${kind === "requests" ? ` && !(${str(resource)} in ${resourcesOf("limits")})` : ""}`,
                    field: `resources.${kind}.${resource}`,
                    detail: str("not set"),
                }),
            ),
    },
    "read-only-root-filesystem": {
        types: WORKLOAD_TYPES,
        checks: (scope) => [
            eachContainer(scope, {
                bad: "c.?securityContext.?readOnlyRootFilesystem.orValue(false) != true",
                field: "securityContext.readOnlyRootFilesystem",
                detail: str("not true"),
            }),
        ],
    },
    "rolling-update-zero-unavailable": {
        types: [TYPES.deployment],
        checks: () => {
            const replicas = "object.spec.?replicas.orValue(1)";
            const maxUnavailable = 'object.spec.?strategy.?rollingUpdate.?maxUnavailable.orValue("25%")';
            const recreate = 'object.spec.?strategy.?type.orValue("") == "Recreate"';
            return [
                onObject(
                    `${replicas} >= 2 && ${recreate}`,
                    "spec.strategy.type",
                    `"Recreate stops all " + string(${replicas}) + " replicas before starting new ones"`,
                ),
                onObject(
                    `${replicas} >= 2 && !(${recreate}) && !(${maxUnavailable} == 0 || ${maxUnavailable} == "0%" || ${maxUnavailable} == "0")`,
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    `string(${maxUnavailable}) + " lets a rollout take ready replicas away"`,
                ),
            ];
        },
    },
    "automount-service-account-token": {
        types: WORKLOAD_TYPES,
        checks: (scope) => [
            onObject(
                `${podSpec(scope)}.?automountServiceAccountToken.orValue(true) != false`,
                `${scope.podSpecPath}.automountServiceAccountToken`,
                `(has(${podSpec(scope)}.automountServiceAccountToken) ? "true" : "not false") + ", so its pods get a Kubernetes API token"`,
            ),
        ],
        differs:
            "the pack also accepts a pod whose ServiceAccount turns the token off or is bound by a RoleBinding of the stack; admission sees the pod spec alone",
    },
    "ingress-tls": {
        types: [TYPES.ingress, TYPES.route],
        checks: (scope) =>
            scope.types.includes(TYPES.route)
                ? [onObject("!has(object.spec.tls)", "spec.tls", str("not set, so the route serves plain HTTP"))]
                : [
                      onObject(
                          "size(object.spec.?tls.orValue([])) == 0",
                          "spec.tls",
                          str("not set, so the Ingress is served over plain HTTP"),
                      ),
                      onObject(
                          'size(object.spec.?tls.orValue([])) > 0 && object.spec.?rules.orValue([]).exists(r, r.?host.orValue("") != "" && !object.spec.tls.exists(t, r.host in t.?hosts.orValue([])))',
                          "spec.tls",
                          `"no tls entry covers " + object.spec.?rules.orValue([]).filter(r, r.?host.orValue("") != "" && !object.spec.tls.exists(t, r.host in t.?hosts.orValue([]))).map(r, r.host).join(", ")`,
                      ),
                  ],
    },
};
