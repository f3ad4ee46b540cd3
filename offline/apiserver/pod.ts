/**
 * The pod spec rules of k8s.io/kubernetes pkg/apis/core/validation that a hand-written manifest commonly breaks
 * (ValidatePodSpec and what it calls), applied to a Pod's spec and to every workload's pod template. The API
 * server defaults before it validates (restartPolicy Always, probe thresholds 1/3, protocol TCP, httpGet scheme
 * HTTP): the rules read an absent field as its default.
 */
import { kindOf } from "../../policy/k8s";
import { POD_SPEC_PATHS as POD_SPEC_PATHS_BY_TYPE } from "../../policy/workloads";
import { checkLabels, checkSelector } from "./metadata";
import {
    ApiServerRule,
    child,
    integer,
    items,
    Json,
    list,
    nonNegative,
    PodView,
    record,
    Report,
    show,
    text,
} from "./rule";
import { isConfigMapKey, isDnsLabel, isDnsSubdomain, isEnvVarName, isPortName, isPortNumber } from "./syntax";

/** Every kind with a pod spec: where the spec is, and its template (none for a Pod). */
export const POD_SPEC_PATHS: Record<string, { template?: string; spec: string }> = Object.fromEntries(
    Object.entries(POD_SPEC_PATHS_BY_TYPE).map(([type, spec]) => [
        kindOf(type),
        { spec, template: spec === "spec" ? undefined : spec.slice(0, -".spec".length) },
    ]),
);
const POD_KINDS = Object.keys(POD_SPEC_PATHS);

const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const HTTP_SCHEMES = ["HTTP", "HTTPS"];
const WHEN_UNSATISFIABLE = ["DoNotSchedule", "ScheduleAnyway"];
/** terminationGracePeriodSeconds' default (SetDefaults_PodSpec), the bound of a preStop sleep. */
const DEFAULT_GRACE_SECONDS = 30;
const MAX_INT32 = 2 ** 31 - 1;
/** File modes of secret/configMap volumes (fileModeErrorMsg): 0 to 0777. */
const MAX_FILE_MODE = 0o777;
/**
 * validateVolumeSource's volume types in the order it counts them (`downwarAPI` is the path it reports, sic):
 * the second type set is the one reported.
 */
const VOLUME_TYPES: [string, string][] = [
    ["emptyDir", "emptyDir"],
    ...[
        "hostPath",
        "gitRepo",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "secret",
        "nfs",
        "iscsi",
        "glusterfs",
        "flocker",
        "persistentVolumeClaim",
        "rbd",
        "cinder",
        "cephfs:cephFS",
        "quobyte",
        "downwardAPI:downwarAPI",
        "fc",
        "flexVolume",
        "configMap",
        "azureFile",
        "vsphereVolume",
        "photonPersistentDisk",
        "portworxVolume",
        "azureDisk",
        "storageos",
        "projected",
        "scaleIO",
        "csi",
        "ephemeral",
        "image",
    ].map((t): [string, string] => {
        const [key, reported = key] = t.split(":");
        return [key, reported];
    }),
];

interface ContainerRef {
    container: Json;
    path: string;
    init: boolean;
}

function containersOf(pod: PodView): ContainerRef[] {
    return [
        ...items(child(pod.specPath, "containers"), pod.spec.containers).map(({ item, path }) => ({
            container: item,
            path,
            init: false,
        })),
        ...items(child(pod.specPath, "initContainers"), pod.spec.initContainers).map(({ item, path }) => ({
            container: item,
            path,
            init: true,
        })),
    ];
}

/** An init container with restartPolicy Always (a sidecar) runs like a regular one: it may have probes and hooks. */
const runsLikeRegular = (c: ContainerRef) => !c.init || c.container.restartPolicy === "Always";

function oneOf(report: Report, path: string, value: unknown, allowed: string[], fallback?: string): void {
    const v = value === undefined ? fallback : value;
    if (typeof v === "string" && !allowed.includes(v)) {
        report(path, `${show(v)}: supported values: ${allowed.map((a) => `"${a}"`).join(", ")}`);
    }
}

/** ValidatePortNumOrName: a number 1–65535 or an IANA service name. */
export function checkPortNumOrName(report: Report, path: string, port: unknown): void {
    if (typeof port === "number" && !isPortNumber(port)) {
        report(path, `${port}: must be between 1 and 65535, inclusive`);
    } else if (typeof port === "string" && !isPortName(port)) {
        report(path, `${show(port)} is not an IANA service name (lower case, ≤ 15, a letter, no '--')`);
    }
}

/** validateHandler: exactly one action; its port well-formed (a sleep within the grace period). */
function checkHandler(report: Report, path: string, handler: Json, actions: string[], graceSeconds: number): void {
    const set = actions.filter((a) => handler[a] !== undefined && handler[a] !== null);
    if (set.length === 0) {
        report(path, `must specify a handler type (one of ${actions.join(", ")})`);
    }
    set.slice(1).forEach((a) => report(child(path, a), "may not specify more than 1 handler type"));
    const first = set[0];
    const action = record(handler[first]);
    if (action === undefined) {
        return;
    }
    if (first === "httpGet" || first === "tcpSocket" || first === "grpc") {
        checkPortNumOrName(report, child(child(path, first), "port"), action.port);
    }
    if (first === "httpGet") {
        oneOf(report, child(child(path, first), "scheme"), action.scheme, HTTP_SCHEMES);
    }
    const seconds = integer(action.seconds);
    if (first === "sleep" && seconds !== undefined && (seconds < 0 || seconds > graceSeconds)) {
        report(
            child(path, first),
            `${seconds}: must be non-negative and less than terminationGracePeriodSeconds (${graceSeconds})`,
        );
    }
}

const PROBE_ACTIONS = ["exec", "httpGet", "tcpSocket", "grpc"];
const LIFECYCLE_ACTIONS = ["exec", "httpGet", "tcpSocket", "sleep"];
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"];

/** validateProbe plus validateLivenessProbe/validateReadinessProbe/validateStartupProbe. */
function checkProbe(report: Report, path: string, which: string, probe: Json, graceSeconds: number): void {
    checkHandler(report, path, probe, PROBE_ACTIONS, graceSeconds);
    for (const field of [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ]) {
        nonNegative(report, child(path, field), probe[field]);
    }
    const grace = integer(probe.terminationGracePeriodSeconds);
    if (which === "readinessProbe" && probe.terminationGracePeriodSeconds !== undefined) {
        report(child(path, "terminationGracePeriodSeconds"), "must not be set for readinessProbes");
    } else if (grace !== undefined && grace <= 0) {
        report(child(path, "terminationGracePeriodSeconds"), `${grace}: must be greater than 0`);
    }
    const success = integer(probe.successThreshold);
    if (which !== "readinessProbe" && success !== undefined && success !== 0 && success !== 1) {
        report(child(path, "successThreshold"), `${success}: must be 1 for a ${which}`);
    }
}

/** Decimal value of a Kubernetes quantity ("500m", "1Gi", "2e3"); undefined when it is not one (the schema's finding). */
export function quantityValue(q: unknown): number | undefined {
    if (typeof q === "number") {
        return q;
    }
    const m =
        typeof q === "string"
            ? /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/.exec(q)
            : null;
    if (!m) {
        return undefined;
    }
    const binary: Record<string, number> = {
        Ki: 2 ** 10,
        Mi: 2 ** 20,
        Gi: 2 ** 30,
        Ti: 2 ** 40,
        Pi: 2 ** 50,
        Ei: 2 ** 60,
    };
    const decimal: Record<string, number> = {
        n: 1e-9,
        u: 1e-6,
        m: 1e-3,
        k: 1e3,
        M: 1e6,
        G: 1e9,
        T: 1e12,
        P: 1e15,
        E: 1e18,
    };
    const suffix = m[2] ?? "";
    const factor = binary[suffix] ?? decimal[suffix] ?? (suffix === "" ? 1 : 10 ** Number(suffix.slice(1)));
    return Number(m[1]) * factor;
}

function checkContainer(report: Report, c: ContainerRef, volumes: Set<string>, graceSeconds: number): void {
    const { container, path } = c;
    if (typeof container.name === "string" && container.name !== "" && !isDnsLabel(container.name)) {
        report(child(path, "name"), `${show(container.name)} is not a DNS-1123 label`);
    } else if (container.name === undefined || container.name === "") {
        report(child(path, "name"), "required");
    }
    if (container.image === undefined || container.image === "") {
        report(child(path, "image"), "required: the image to run");
    }
    // validateContainerPorts
    const portNames = new Set<string>();
    for (const { item: port, path: at } of items(child(path, "ports"), container.ports)) {
        const name = text(port.name);
        if (name !== undefined && name !== "") {
            if (!isPortName(name)) {
                report(
                    child(at, "name"),
                    `${show(name)} is not an IANA service name (lower case, ≤ 15, a letter, no '--')`,
                );
            } else if (portNames.has(name)) {
                report(child(at, "name"), `Duplicate value: ${show(name)} (port names are unique within a container)`);
            } else {
                portNames.add(name);
            }
        }
        const containerPort = integer(port.containerPort);
        if (containerPort === 0) {
            report(child(at, "containerPort"), "required (1–65535)");
        } else if (containerPort !== undefined && !isPortNumber(containerPort)) {
            report(child(at, "containerPort"), `${containerPort}: must be between 1 and 65535, inclusive`);
        }
        const hostPort = integer(port.hostPort);
        if (hostPort !== undefined && hostPort !== 0 && !isPortNumber(hostPort)) {
            report(child(at, "hostPort"), `${hostPort}: must be between 1 and 65535, inclusive`);
        }
        oneOf(report, child(at, "protocol"), port.protocol, PROTOCOLS);
    }
    // ValidateEnv, validateEnvVarValueFrom
    for (const { item: env, path: at } of items(child(path, "env"), container.env)) {
        if (typeof env.name === "string" && !isEnvVarName(env.name)) {
            report(
                child(at, "name"),
                env.name === ""
                    ? "required"
                    : `${show(env.name)}: an environment variable name must be printable ASCII without '='`,
            );
        }
        const from = record(env.valueFrom);
        if (from === undefined) {
            continue;
        }
        const fromPath = child(at, "valueFrom");
        const sources = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef"].filter((s) =>
            record(from[s]),
        );
        if (sources.length === 0) {
            report(
                fromPath,
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
            );
        } else if (typeof env.value === "string" && env.value !== "") {
            report(fromPath, "may not be specified when `value` is not empty");
        } else if (sources.length > 1) {
            report(fromPath, "may not have more than one field specified at a time");
        }
        for (const ref of ["configMapKeyRef", "secretKeyRef"]) {
            const selector = record(from[ref]);
            if (selector === undefined) {
                continue;
            }
            const refPath = child(fromPath, ref);
            if (typeof selector.name !== "string" || !isDnsSubdomain(selector.name)) {
                report(
                    child(refPath, "name"),
                    `${show(selector.name)} is not a DNS-1123 subdomain (the name of the ${ref === "secretKeyRef" ? "Secret" : "ConfigMap"})`,
                );
            }
            if (selector.key === undefined || selector.key === "") {
                report(child(refPath, "key"), "required");
            } else if (typeof selector.key === "string" && !isConfigMapKey(selector.key)) {
                report(
                    child(refPath, "key"),
                    `${show(selector.key)} is not a valid key (alphanumerics, '-', '_', '.')`,
                );
            }
        }
    }
    // ValidateEnvFrom: the one-source error is reported on the list itself.
    for (const { item: source, path: at } of items(child(path, "envFrom"), container.envFrom)) {
        const sources = ["configMapRef", "secretRef"].filter((s) => record(source[s]));
        if (sources.length !== 1) {
            report(
                child(path, "envFrom"),
                sources.length === 0
                    ? "must specify one of: `configMapRef` or `secretRef`"
                    : "may not have more than one field specified at a time",
            );
        }
        if (typeof source.prefix === "string" && source.prefix !== "" && !isEnvVarName(source.prefix)) {
            report(
                child(at, "prefix"),
                `${show(source.prefix)}: an environment variable prefix must be printable ASCII without '='`,
            );
        }
        for (const ref of sources) {
            const name = record(source[ref])?.name;
            if (name === undefined || name === "") {
                report(child(child(at, ref), "name"), "required");
            } else if (typeof name === "string" && !isDnsSubdomain(name)) {
                report(child(child(at, ref), "name"), `${show(name)} is not a DNS-1123 subdomain`);
            }
        }
    }
    // ValidateVolumeMounts
    const mountPaths = new Set<string>();
    for (const { item: mount, path: at } of items(child(path, "volumeMounts"), container.volumeMounts)) {
        const name = text(mount.name) ?? "";
        if (name === "") {
            report(child(at, "name"), "required");
        }
        if (!volumes.has(name)) {
            report(
                child(at, "name"),
                `${show(name)} not found: no volume of the pod has this name. Fix: add it to volumes or correct the name`,
            );
        }
        const mountPath = text(mount.mountPath) ?? "";
        if (mountPath === "") {
            report(child(at, "mountPath"), "required");
        }
        if (mountPaths.has(mountPath)) {
            report(
                child(at, "mountPath"),
                `${show(mountPath)} must be unique: another mount of this container uses it`,
            );
        }
        mountPaths.add(mountPath);
        if (
            typeof mount.subPath === "string" &&
            mount.subPath !== "" &&
            typeof mount.subPathExpr === "string" &&
            mount.subPathExpr !== ""
        ) {
            report(child(at, "subPathExpr"), "subPathExpr and subPath are mutually exclusive");
        }
    }
    // validateContainerResourceRequirements: a request above its limit (a missing request defaults to the limit)
    const resources = record(container.resources);
    const limits = record(resources?.limits) ?? {};
    const requests = record(resources?.requests) ?? {};
    for (const [resource, request] of Object.entries(requests)) {
        const asked = quantityValue(request);
        const limit = quantityValue(limits[resource]);
        if (asked !== undefined && limit !== undefined && asked > limit) {
            report(
                child(child(path, "resources"), "requests"),
                `${show(request)}: must be less than or equal to ${resource} limit of ${show(limits[resource])}`,
            );
        }
    }
    // Probes and hooks: validateContainers (regular and sidecars), validateInitContainers (forbidden otherwise).
    const lifecycle = record(container.lifecycle);
    if (runsLikeRegular(c)) {
        for (const which of PROBES) {
            const probe = record(container[which]);
            if (probe) {
                checkProbe(report, child(path, which), which, probe, graceSeconds);
            }
        }
        for (const hook of ["postStart", "preStop"]) {
            const handler = record(lifecycle?.[hook]);
            if (handler) {
                checkHandler(report, child(child(path, "lifecycle"), hook), handler, LIFECYCLE_ACTIONS, graceSeconds);
            }
        }
    } else {
        for (const field of ["lifecycle", ...PROBES]) {
            if (container[field] !== undefined && container[field] !== null) {
                report(child(path, field), "may not be set for init containers without restartPolicy=Always");
            }
        }
    }
}

/** ValidateVolumes: the names of the well-formed volumes (a mount of any other name is "not found"). */
function checkVolumes(report: Report, pod: PodView, claimVolumes: string[]): Set<string> {
    const valid = new Set<string>(claimVolumes);
    const seen = new Set<string>();
    // A StatefulSet's pods get one volume per volumeClaimTemplate: the API server validates the template with those
    // first (and drops a volume of the same name), so its paths count them too.
    const volumes = items(child(pod.specPath, "volumes"), pod.spec.volumes).filter(
        ({ item }) => !claimVolumes.includes(String(item.name)),
    );
    for (const [at, { item: volume, index }] of volumes.entries()) {
        const path = child(child(pod.specPath, "volumes"), claimVolumes.length + at);
        const shifted =
            path === child(child(pod.specPath, "volumes"), index)
                ? ""
                : ` (volumes[${index}] as written: the API server counts the volumeClaimTemplates first)`;
        const problems: [string, string][] = [];
        const name = text(volume.name) ?? "";
        // A volume with no source at all is defaulted to emptyDir (SetDefaults_Volume).
        const set = VOLUME_TYPES.filter(([key]) => volume[key] !== undefined && volume[key] !== null);
        set.slice(1).forEach(([, reported]) =>
            problems.push([child(path, reported), "may not specify more than 1 volume type"]),
        );
        const source = (key: string) => (set[0]?.[0] === key ? record(volume[key]) : undefined);
        const required = (key: string, field: string) => {
            const s = source(key);
            if (s && (s[field] === undefined || s[field] === "")) {
                problems.push([child(child(path, key), field), "required"]);
            }
        };
        required("secret", "secretName");
        required("configMap", "name");
        required("persistentVolumeClaim", "claimName");
        for (const key of ["secret", "configMap"]) {
            const s = source(key);
            const mode = integer(s?.defaultMode);
            if (mode !== undefined && (mode < 0 || mode > MAX_FILE_MODE)) {
                problems.push([
                    child(child(path, key), "defaultMode"),
                    `${mode}: must be a number between 0 and 0777 (octal), both inclusive`,
                ]);
            }
            for (const { item, path: itemPath } of items(child(child(path, key), "items"), s?.items)) {
                for (const field of ["key", "path"]) {
                    if (item[field] === undefined || item[field] === "") {
                        problems.push([child(itemPath, field), "required"]);
                    }
                }
            }
        }
        if (name === "") {
            problems.push([child(path, "name"), "required"]);
        } else if (!isDnsLabel(name)) {
            problems.push([child(path, "name"), `${show(name)} is not a DNS-1123 label`]);
        }
        if (seen.has(name)) {
            problems.push([
                child(path, "name"),
                `Duplicate value: ${show(name)} (volume names are unique within a pod)`,
            ]);
        }
        if (problems.length === 0) {
            seen.add(name);
            valid.add(name);
        }
        problems.forEach(([where, message]) => report(where, message + shifted));
    }
    return valid;
}

/** StatefulSet: each volumeClaimTemplate becomes a volume of the pod (volumesToAddForTemplates). */
function claimTemplateVolumes(kind: string, spec: Json | undefined): string[] {
    if (kind !== "StatefulSet") {
        return [];
    }
    return list(spec?.volumeClaimTemplates).flatMap((t) => {
        const name = record(record(t)?.metadata)?.name;
        return typeof name === "string" ? [name] : [];
    });
}

export const POD_RULES: ApiServerRule[] = [
    {
        kinds: POD_KINDS,
        rejects:
            "no containers; a container without name or image; container names that repeat across containers and initContainers",
        source: "validateContainers, validateInitContainers, validateContainerCommon",
        check: ({ pods }, report) => {
            for (const pod of pods) {
                if (list(pod.spec.containers).length === 0) {
                    report(child(pod.specPath, "containers"), "required: at least one container");
                }
                const names = new Set<string>();
                for (const c of containersOf(pod)) {
                    const name = text(c.container.name);
                    if (name !== undefined && names.has(name)) {
                        report(
                            child(c.path, "name"),
                            `Duplicate value: ${show(name)} (container names are unique across containers and initContainers)`,
                        );
                    } else if (name !== undefined && name !== "") {
                        names.add(name);
                    }
                }
            }
        },
    },
    {
        kinds: POD_KINDS,
        rejects:
            "volumes with more than one source, with a name that is not a DNS label or repeats; a secret/configMap/PVC volume without its name; file modes above 0777",
        source: "ValidateVolumes, validateVolumeSource, validateSecretVolumeSource, validateConfigMapVolumeSource, validateKeyToPath",
        check: ({ kind, spec, pods }, report) => {
            for (const pod of pods) {
                checkVolumes(report, pod, claimTemplateVolumes(kind, spec));
            }
        },
    },
    {
        kinds: POD_KINDS,
        rejects:
            "container ports out of 1–65535, port names that are not IANA names or repeat, unknown protocols; env names that are not printable ASCII without '=', valueFrom without exactly one source or beside a value, key refs without name or key; envFrom without exactly one source; volumeMounts naming no volume, repeating a mountPath, or with both subPath and subPathExpr; requests above limits; probes and lifecycle hooks without exactly one handler, with a malformed port, negative timings, a liveness/startup successThreshold other than 1, a readiness terminationGracePeriodSeconds; probes and hooks on init containers that are not sidecars",
        source: "validateContainerCommon → validateContainerPorts, ValidateEnv, validateEnvVarValueFrom, ValidateEnvFrom, ValidateVolumeMounts, ValidateResourceRequirements; validateContainers/validateInitContainers → validateProbe, validateLivenessProbe, validateReadinessProbe, validateStartupProbe, validateLifecycle, validateHandler, ValidatePortNumOrName",
        check: ({ kind, spec, pods }, report) => {
            for (const pod of pods) {
                // The volumes' own problems are the rule above's; a malformed volume is "not found" for its mounts too.
                const volumes = checkVolumes(() => undefined, pod, claimTemplateVolumes(kind, spec));
                const grace = integer(pod.spec.terminationGracePeriodSeconds) ?? DEFAULT_GRACE_SECONDS;
                for (const c of containersOf(pod)) {
                    checkContainer(report, c, volumes, grace);
                }
            }
        },
    },
    {
        kinds: POD_KINDS,
        rejects:
            "an unknown restartPolicy or dnsPolicy; activeDeadlineSeconds below 1; serviceAccountName not a DNS subdomain; hostname or subdomain not a DNS label; malformed nodeSelector labels",
        source: "ValidatePodSpec → validateRestartPolicy, validateDNSPolicy, ValidateServiceAccountName, ValidateDNS1123Label, ValidateLabels",
        check: ({ kind, pods }, report) => {
            for (const { spec, specPath } of pods) {
                oneOf(report, child(specPath, "restartPolicy"), spec.restartPolicy, RESTART_POLICIES);
                oneOf(report, child(specPath, "dnsPolicy"), spec.dnsPolicy, [
                    "ClusterFirstWithHostNet",
                    "ClusterFirst",
                    "Default",
                    "None",
                ]);
                const deadline = integer(spec.activeDeadlineSeconds);
                if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
                    report(
                        child(specPath, "activeDeadlineSeconds"),
                        `${deadline}: must be between 1 and ${MAX_INT32}, inclusive`,
                    );
                }
                const account = text(spec.serviceAccountName);
                if (account !== undefined && account !== "" && !isDnsSubdomain(account)) {
                    report(child(specPath, "serviceAccountName"), `${show(account)} is not a DNS-1123 subdomain`);
                }
                // A StatefulSet's controller sets hostname and subdomain itself: the API server does not check them there.
                for (const field of kind === "StatefulSet" ? [] : ["hostname", "subdomain"]) {
                    const value = text(spec[field]);
                    if (value !== undefined && value !== "" && !isDnsLabel(value)) {
                        report(child(specPath, field), `${show(value)} is not a DNS-1123 label`);
                    }
                }
                checkLabels(report, child(specPath, "nodeSelector"), spec.nodeSelector);
            }
        },
    },
    {
        kinds: POD_KINDS,
        rejects:
            "topologySpreadConstraints with maxSkew below 1, no topologyKey, an unknown whenUnsatisfiable, a repeated {topologyKey, whenUnsatisfiable} pair, minDomains below 1 or without DoNotSchedule, a malformed labelSelector",
        source: "validateTopologySpreadConstraints, ValidateSpreadConstraintNotRepeat, validateMinDomains",
        check: ({ pods }, report) => {
            for (const { spec, specPath } of pods) {
                const constraints = items(child(specPath, "topologySpreadConstraints"), spec.topologySpreadConstraints);
                constraints.forEach(({ item, path }, i) => {
                    const skew = integer(item.maxSkew);
                    if (skew !== undefined && skew <= 0) {
                        report(
                            child(path, "maxSkew"),
                            `${skew}: must be greater than 0 (the largest allowed difference in matching pods between domains)`,
                        );
                    }
                    if (item.topologyKey === undefined || item.topologyKey === "") {
                        report(child(path, "topologyKey"), "can not be empty");
                    }
                    oneOf(report, child(path, "whenUnsatisfiable"), item.whenUnsatisfiable, WHEN_UNSATISFIABLE);
                    const repeated = constraints
                        .slice(i + 1)
                        .some(
                            ({ item: later }) =>
                                later.topologyKey === item.topologyKey &&
                                later.whenUnsatisfiable === item.whenUnsatisfiable,
                        );
                    if (repeated) {
                        report(
                            child(path, "{topologyKey, whenUnsatisfiable}"),
                            `{${show(item.topologyKey)}, ${show(item.whenUnsatisfiable)}}: Duplicate value (one constraint per pair)`,
                        );
                    }
                    const minDomains = integer(item.minDomains);
                    if (minDomains !== undefined) {
                        if (minDomains <= 0) {
                            report(child(path, "minDomains"), `${minDomains}: must be greater than 0`);
                        }
                        if (item.whenUnsatisfiable !== "DoNotSchedule") {
                            report(
                                child(path, "minDomains"),
                                `${minDomains}: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${String(item.whenUnsatisfiable)}`,
                            );
                        }
                    }
                    checkSelector(report, child(path, "labelSelector"), item.labelSelector);
                });
            }
        },
    },
];
