/**
 * Single-field mutations of valid Kubernetes objects that kube-apiserver rejects, each with the field path the
 * API server reports it at. The fast suite (test/offline/apiserver.test.ts) checks the offline rules report
 * each mutant there and the unchanged object nowhere; test:cluster (test/cluster/apiserver-parity.test.ts)
 * dry-runs the same mutants of the dev and qa stacks against a real kube-apiserver, which is what makes the
 * paths here the API server's and not the offline rules' own.
 */
import { POD_SPEC_PATHS } from "../../offline/apiserver/pod";

type Json = Record<string, any>;

export interface Mutation {
    /** What is changed, in words (the test title). */
    change: string;
    /** Kinds it applies to. */
    kinds: string[];
    /** Why kube-apiserver cannot be asked about it (then test:cluster leaves it out). */
    offlineOnly?: string;
    /**
     * Changes `o` (a copy) and returns the field path the API server rejects it at, or undefined when the object
     * has nothing to change (a Service without ports).
     */
    apply: (o: Json) => string | undefined;
}

const POD_KINDS = Object.keys(POD_SPEC_PATHS);
const LONG_RUNNING = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"];

/** The index the API server reports for the pod's volume `i`: a StatefulSet's claim templates come first. */
function volumeIndex(o: Json, i: number): number {
    return o.kind === "StatefulSet" ? i + (o.spec.volumeClaimTemplates?.length ?? 0) : i;
}

/** The pod spec of an object and its path. */
function podOf(o: Json): { spec: Json; path: string } {
    const path = POD_SPEC_PATHS[o.kind as string].spec;
    return { spec: path.split(".").reduce((v: Json, k) => v[k], o), path };
}

/** A mutation of the first container of every pod spec; `change` returns the path below the container. */
function containerMutation(change: string, apply: (c: Json) => string | undefined): Mutation {
    return {
        change,
        kinds: POD_KINDS,
        apply: (o) => {
            const { spec, path } = podOf(o);
            const at = apply(spec.containers[0]);
            return at === undefined ? undefined : `${path}.containers[0].${at}`;
        },
    };
}

/** A mutation of every pod spec; `change` returns the path below the pod spec. */
function podMutation(change: string, apply: (spec: Json) => string | undefined): Mutation {
    return {
        change,
        kinds: POD_KINDS,
        apply: (o) => {
            const { spec, path } = podOf(o);
            const at = apply(spec);
            return at === undefined ? undefined : `${path}.${at}`;
        },
    };
}

/** A mutation of the pod's volumes; `change` returns the index changed (and the field below it, default name). */
function podVolumeMutation(
    change: string,
    apply: (volumes: Json[]) => number | [number, string] | undefined,
): Mutation {
    return {
        change,
        kinds: POD_KINDS,
        apply: (o) => {
            const { spec, path } = podOf(o);
            spec.volumes ??= [];
            const at = apply(spec.volumes);
            if (at === undefined) {
                return undefined;
            }
            const [index, field] = typeof at === "number" ? [at, "name"] : at;
            return `${path}.volumes[${volumeIndex(o, index)}].${field}`;
        },
    };
}

function setProbe(c: Json, which: string, probe: Json): string {
    c[which] = probe;
    return which;
}

export const MUTATIONS: Mutation[] = [
    // ---- metadata
    {
        change: "a name with upper case and '_'",
        kinds: ["*"],
        // The API server checks no syntax of a PodDisruptionBudget's name beyond its being a path segment.
        apply: (o) =>
            o.kind === "PodDisruptionBudget" ? undefined : ((o.metadata.name = "Web_Front"), "metadata.name"),
    },
    {
        change: "a namespace with '_'",
        kinds: ["*"],
        offlineOnly: "a dry-run names its namespace in the URL, which must match metadata.namespace",
        apply: (o) => ((o.metadata.namespace = "web_shop"), "metadata.namespace"),
    },
    {
        change: "a StatefulSet name with a dot (a DNS subdomain, not a label)",
        kinds: ["StatefulSet", "Service"],
        apply: (o) => ((o.metadata.name = "north.redis"), "metadata.name"),
    },
    {
        change: "a label value with ':'",
        kinds: ["*"],
        apply: (o) => ((o.metadata.labels = { ...o.metadata.labels, version: "sha256:abc" }), "metadata.labels"),
    },
    {
        change: "an annotation key with two '/'",
        kinds: ["*"],
        apply: (o) => ((o.metadata.annotations = { ...o.metadata.annotations, "a/b/c": "x" }), "metadata.annotations"),
    },
    {
        change: "a pod template label value longer than 63",
        kinds: POD_KINDS.filter((k) => k !== "Pod"),
        apply: (o) => {
            const template = POD_SPEC_PATHS[o.kind].template!;
            const t = template.split(".").reduce((v: Json, k) => v[k], o);
            t.metadata.labels = { ...t.metadata.labels, commit: "x".repeat(64) };
            return `${template}.labels`;
        },
    },
    // ---- containers
    containerMutation("a container name with '_'", (c) => ((c.name = "web_server"), "name")),
    containerMutation("no image", (c) => (delete c.image, "image")),
    containerMutation("containerPort 70000", (c) =>
        c.ports?.length ? ((c.ports[0].containerPort = 70000), "ports[0].containerPort") : undefined,
    ),
    containerMutation("two ports with one name", (c) => {
        if (!c.ports?.[0]?.name) {
            return undefined;
        }
        c.ports.push({ name: c.ports[0].name, containerPort: 9999 });
        return `ports[${c.ports.length - 1}].name`;
    }),
    containerMutation("port protocol HTTP", (c) =>
        c.ports?.length ? ((c.ports[0].protocol = "HTTP"), "ports[0].protocol") : undefined,
    ),
    containerMutation("an env var with valueFrom {}", (c) => {
        c.env = [...(c.env ?? []), { name: "EMPTY_FROM", valueFrom: {} }];
        return `env[${c.env.length - 1}].valueFrom`;
    }),
    containerMutation("an env var name with '='", (c) => {
        c.env = [...(c.env ?? []), { name: "A=B", value: "1" }];
        return `env[${c.env.length - 1}].name`;
    }),
    containerMutation("a secretKeyRef without key", (c) => {
        c.env = [...(c.env ?? []), { name: "TOKEN_REF", valueFrom: { secretKeyRef: { name: "api" } } }];
        return `env[${c.env.length - 1}].valueFrom.secretKeyRef.key`;
    }),
    containerMutation("an envFrom entry with no source", (c) => ((c.envFrom = [{ prefix: "X_" }]), "envFrom")),
    containerMutation("a volumeMount naming no volume", (c) => {
        c.volumeMounts = [...(c.volumeMounts ?? []), { name: "nosuch", mountPath: "/nosuch" }];
        return `volumeMounts[${c.volumeMounts.length - 1}].name`;
    }),
    containerMutation("two volumeMounts at one mountPath", (c) => {
        if (!c.volumeMounts?.length) {
            return undefined;
        }
        c.volumeMounts.push({ ...c.volumeMounts[0], readOnly: true });
        return `volumeMounts[${c.volumeMounts.length - 1}].mountPath`;
    }),
    containerMutation("a readinessProbe without handler", (c) => setProbe(c, "readinessProbe", { periodSeconds: 5 })),
    containerMutation(
        "a livenessProbe with exec and tcpSocket",
        (c) => `${setProbe(c, "livenessProbe", { exec: { command: ["true"] }, tcpSocket: { port: 8080 } })}.tcpSocket`,
    ),
    containerMutation(
        "a probe on port name 'http_port'",
        (c) => `${setProbe(c, "livenessProbe", { httpGet: { path: "/", port: "http_port" } })}.httpGet.port`,
    ),
    containerMutation(
        "a probe on port 0",
        (c) => `${setProbe(c, "readinessProbe", { tcpSocket: { port: 0 } })}.tcpSocket.port`,
    ),
    containerMutation(
        "a livenessProbe with successThreshold 2",
        (c) => `${setProbe(c, "livenessProbe", { tcpSocket: { port: 8080 }, successThreshold: 2 })}.successThreshold`,
    ),
    containerMutation(
        "a probe with periodSeconds -1",
        (c) => `${setProbe(c, "readinessProbe", { tcpSocket: { port: 8080 }, periodSeconds: -1 })}.periodSeconds`,
    ),
    containerMutation(
        "a readinessProbe with terminationGracePeriodSeconds",
        (c) =>
            `${setProbe(c, "readinessProbe", { tcpSocket: { port: 8080 }, terminationGracePeriodSeconds: 10 })}.terminationGracePeriodSeconds`,
    ),
    containerMutation("a preStop hook without handler", (c) => ((c.lifecycle = { preStop: {} }), "lifecycle.preStop")),
    containerMutation("a memory request above its limit", (c) => {
        c.resources = { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } };
        return "resources.requests";
    }),
    // ---- pod spec
    podMutation("an init container named like a container", (spec) => {
        const c = spec.containers[0];
        spec.initContainers = [{ name: c.name, image: c.image, command: ["true"] }];
        return "initContainers[0].name";
    }),
    podMutation("an init container (not a sidecar) with a readinessProbe", (spec) => {
        spec.initContainers = [
            { name: "init", image: spec.containers[0].image, readinessProbe: { exec: { command: ["true"] } } },
        ];
        return "initContainers[0].readinessProbe";
    }),
    podVolumeMutation("a volume name with '_'", (volumes) =>
        volumes.length ? ((volumes[0].name = "data_dir"), 0) : undefined,
    ),
    podVolumeMutation("a volume with emptyDir and configMap", (volumes) => {
        volumes.push({ name: "both", emptyDir: {}, configMap: { name: "x" } });
        return [volumes.length - 1, "configMap"];
    }),
    podVolumeMutation("two volumes with one name", (volumes) => {
        if (!volumes.length) {
            return undefined;
        }
        volumes.push({ name: volumes[0].name, emptyDir: {} });
        return [volumes.length - 1, "name"];
    }),
    podMutation("a topology spread constraint with maxSkew 0", (spec) => {
        spec.topologySpreadConstraints = [
            { maxSkew: 0, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway" },
        ];
        return "topologySpreadConstraints[0].maxSkew";
    }),
    podMutation("two topology spread constraints on one key", (spec) => {
        const constraint = { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule" };
        spec.topologySpreadConstraints = [constraint, { ...constraint, maxSkew: 2 }];
        return "topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}";
    }),
    podMutation("a topology spread constraint without topologyKey", (spec) => {
        spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: "", whenUnsatisfiable: "DoNotSchedule" }];
        return "topologySpreadConstraints[0].topologyKey";
    }),
    {
        change: "a pod template serviceAccountName with '_'",
        // Not on a bare Pod: the ServiceAccount admission plugin refuses its unknown account before validation.
        kinds: POD_KINDS.filter((k) => k !== "Pod"),
        apply: (o) => {
            const { spec, path } = podOf(o);
            spec.serviceAccountName = "robot_account";
            return `${path}.serviceAccountName`;
        },
    },
    podMutation(
        "a nodeSelector key with a space",
        (spec) => ((spec.nodeSelector = { "disk type": "ssd" }), "nodeSelector"),
    ),
    podMutation("restartPolicy Sometimes", (spec) => ((spec.restartPolicy = "Sometimes"), "restartPolicy")),
    // ---- workloads
    {
        change: "template labels that the selector does not match",
        kinds: LONG_RUNNING,
        apply: (o) => {
            const [key] = Object.keys(o.spec.selector.matchLabels);
            o.spec.template.metadata.labels[key] = "something-else";
            return "spec.template.metadata.labels";
        },
    },
    {
        change: "an empty selector",
        kinds: LONG_RUNNING,
        apply: (o) => ((o.spec.selector = {}), "spec.selector"),
    },
    {
        change: "a selector expression with operator Equals",
        kinds: LONG_RUNNING,
        apply: (o) => {
            o.spec.selector.matchExpressions = [{ key: "tier", operator: "Equals", values: ["web"] }];
            return "spec.selector.matchExpressions[0].operator";
        },
    },
    {
        change: "restartPolicy Never on a long-running workload",
        kinds: LONG_RUNNING,
        apply: (o) => ((o.spec.template.spec.restartPolicy = "Never"), "spec.template.spec.restartPolicy"),
    },
    {
        change: "activeDeadlineSeconds in a long-running workload's template",
        kinds: LONG_RUNNING,
        apply: (o) => ((o.spec.template.spec.activeDeadlineSeconds = 60), "spec.template.spec.activeDeadlineSeconds"),
    },
    {
        change: "replicas -1",
        kinds: ["Deployment", "StatefulSet", "ReplicaSet"],
        apply: (o) => ((o.spec.replicas = -1), "spec.replicas"),
    },
    {
        change: "a rolling update with maxUnavailable 0 and maxSurge 0",
        kinds: ["Deployment"],
        apply: (o) => {
            o.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } };
            return "spec.strategy.rollingUpdate.maxUnavailable";
        },
    },
    {
        change: "strategy Recreate with rollingUpdate",
        kinds: ["Deployment"],
        apply: (o) => {
            o.spec.strategy = { type: "Recreate", rollingUpdate: { maxSurge: 1 } };
            return "spec.strategy.rollingUpdate";
        },
    },
    {
        change: "maxUnavailable 150%",
        kinds: ["Deployment"],
        apply: (o) => {
            o.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "150%", maxSurge: 1 } };
            return "spec.strategy.rollingUpdate.maxUnavailable";
        },
    },
    {
        change: "minReadySeconds at progressDeadlineSeconds",
        kinds: ["Deployment"],
        apply: (o) => (
            (o.spec.minReadySeconds = o.spec.progressDeadlineSeconds ?? 600),
            "spec.progressDeadlineSeconds"
        ),
    },
    {
        change: "a serviceName with '_'",
        kinds: ["StatefulSet"],
        apply: (o) => ((o.spec.serviceName = "redis_headless"), "spec.serviceName"),
    },
    {
        change: "a volumeClaimTemplate without storage request",
        kinds: ["StatefulSet"],
        apply: (o) =>
            o.spec.volumeClaimTemplates?.length
                ? (delete o.spec.volumeClaimTemplates[0].spec.resources.requests.storage,
                  "spec.volumeClaimTemplates[0].spec.resources[storage]")
                : undefined,
    },
    {
        change: "a DaemonSet rolling update with maxSurge 1 (maxUnavailable defaults to 1)",
        kinds: ["DaemonSet"],
        apply: (o) => {
            o.spec.updateStrategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } };
            return "spec.updateStrategy.rollingUpdate.maxSurge";
        },
    },
    {
        change: "a Job pod template without restartPolicy (defaults to Always)",
        kinds: ["Job"],
        apply: (o) => (delete o.spec.template.spec.restartPolicy, "spec.template.spec.restartPolicy"),
    },
    {
        change: "a CronJob pod template without restartPolicy (defaults to Always)",
        kinds: ["CronJob"],
        apply: (o) => (
            delete o.spec.jobTemplate.spec.template.spec.restartPolicy,
            "spec.jobTemplate.spec.template.spec.restartPolicy"
        ),
    },
    { change: "backoffLimit -1", kinds: ["Job"], apply: (o) => ((o.spec.backoffLimit = -1), "spec.backoffLimit") },
    {
        change: "a Job selector without manualSelector",
        kinds: ["Job"],
        apply: (o) => ((o.spec.selector = { matchLabels: { job: "migrate" } }), "spec.selector"),
    },
    {
        change: "completionMode Indexed with parallelism but without completions",
        kinds: ["Job"],
        apply: (o) => {
            o.spec.completionMode = "Indexed";
            o.spec.parallelism = 2;
            delete o.spec.completions;
            return "spec.completions";
        },
    },
    {
        change: "a schedule minute of 61",
        kinds: ["CronJob"],
        apply: (o) => ((o.spec.schedule = "61 * * * *"), "spec.schedule"),
    },
    {
        change: "a CronJob name of 53 characters",
        kinds: ["CronJob"],
        apply: (o) => ((o.metadata.name = "c".repeat(53)), "metadata.name"),
    },
    // ---- Service
    { change: "port 0", kinds: ["Service"], apply: (o) => ((o.spec.ports[0].port = 0), "spec.ports[0].port") },
    {
        change: "a second, unnamed port",
        kinds: ["Service"],
        apply: (o) => {
            o.spec.ports.push({ port: 9999, targetPort: 9999 });
            return `spec.ports[${o.spec.ports.length - 1}].name`;
        },
    },
    {
        change: "the same port twice",
        kinds: ["Service"],
        apply: (o) => {
            o.spec.ports.push({ ...o.spec.ports[0], name: "again" });
            return `spec.ports[${o.spec.ports.length - 1}]`;
        },
    },
    {
        change: "a targetPort name with '_'",
        kinds: ["Service"],
        apply: (o) => ((o.spec.ports[0].targetPort = "http_alt"), "spec.ports[0].targetPort"),
    },
    {
        change: "a nodePort on a ClusterIP Service",
        kinds: ["Service"],
        apply: (o) =>
            (o.spec.type ?? "ClusterIP") === "ClusterIP"
                ? ((o.spec.ports[0].nodePort = 30080), "spec.ports[0].nodePort")
                : undefined,
    },
    {
        change: "a selector label value with '/'",
        kinds: ["Service"],
        apply: (o) => ((o.spec.selector = { ...o.spec.selector, tier: "a/b" }), "spec.selector"),
    },
    {
        change: "type ExternalName without externalName",
        kinds: ["Service"],
        apply: (o) => ((o.spec = { type: "ExternalName" }), "spec.externalName"),
    },
    // ---- PodDisruptionBudget
    {
        change: "both minAvailable and maxUnavailable",
        kinds: ["PodDisruptionBudget"],
        apply: (o) => ((o.spec.minAvailable = 1), (o.spec.maxUnavailable = 1), "spec"),
    },
    {
        change: "maxUnavailable 120%",
        kinds: ["PodDisruptionBudget"],
        apply: (o) => (delete o.spec.minAvailable, (o.spec.maxUnavailable = "120%"), "spec.maxUnavailable"),
    },
    {
        change: "minAvailable -1",
        kinds: ["PodDisruptionBudget"],
        apply: (o) => (delete o.spec.maxUnavailable, (o.spec.minAvailable = -1), "spec.minAvailable"),
    },
    // ---- HorizontalPodAutoscaler
    {
        change: "minReplicas 0",
        kinds: ["HorizontalPodAutoscaler"],
        apply: (o) => ((o.spec.minReplicas = 0), "spec.minReplicas"),
    },
    {
        change: "maxReplicas below minReplicas",
        kinds: ["HorizontalPodAutoscaler"],
        apply: (o) => ((o.spec.minReplicas = 3), (o.spec.maxReplicas = 2), "spec.maxReplicas"),
    },
    {
        change: "a scaleTargetRef apiVersion without group",
        kinds: ["HorizontalPodAutoscaler"],
        apply: (o) => ((o.spec.scaleTargetRef.apiVersion = "v1"), "spec.scaleTargetRef.apiVersion"),
    },
    {
        change: "a CPU target of 0 %",
        kinds: ["HorizontalPodAutoscaler"],
        apply: (o) => {
            o.spec.metrics = [
                { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 0 } } },
            ];
            return "spec.metrics[0].resource.target.averageUtilization";
        },
    },
    // ---- NetworkPolicy
    {
        change: "an ingress peer with nothing in it",
        kinds: ["NetworkPolicy"],
        apply: (o) => ((o.spec.ingress = [{ from: [{}] }]), "spec.ingress[0].from[0]"),
    },
    {
        change: "an ingress port 70000",
        kinds: ["NetworkPolicy"],
        apply: (o) => ((o.spec.ingress = [{ ports: [{ port: 70000 }] }]), "spec.ingress[0].ports[0].port"),
    },
    {
        change: "an endPort below its port",
        kinds: ["NetworkPolicy"],
        apply: (o) => ((o.spec.egress = [{ ports: [{ port: 8080, endPort: 80 }] }]), "spec.egress[0].ports[0].endPort"),
    },
    {
        change: "an ipBlock that is not a CIDR",
        kinds: ["NetworkPolicy"],
        apply: (o) => (
            (o.spec.ingress = [{ from: [{ ipBlock: { cidr: "10.0.0.0" } }] }]),
            "spec.ingress[0].from[0].ipBlock.cidr"
        ),
    },
    {
        change: "policyTypes Both",
        kinds: ["NetworkPolicy"],
        apply: (o) => ((o.spec.policyTypes = ["Both"]), "spec.policyTypes[0]"),
    },
    // ---- Ingress
    {
        change: "a path without pathType",
        kinds: ["Ingress"],
        apply: (o) => (delete o.spec.rules[0].http.paths[0].pathType, "spec.rules[0].http.paths[0].pathType"),
    },
    {
        change: "a backend with port name and number",
        kinds: ["Ingress"],
        apply: (o) => (
            (o.spec.rules[0].http.paths[0].backend.service.port = { name: "http", number: 80 }),
            "spec.rules[0].http.paths[0].backend"
        ),
    },
    {
        change: "an IP address as host",
        kinds: ["Ingress"],
        apply: (o) => ((o.spec.rules[0].host = "10.1.2.3"), "spec.rules[0].host"),
    },
    {
        change: "a relative Prefix path",
        kinds: ["Ingress"],
        apply: (o) => ((o.spec.rules[0].http.paths[0].path = "api"), "spec.rules[0].http.paths[0].path"),
    },
    // ---- PersistentVolumeClaim, ConfigMap, Secret
    {
        change: "no access mode",
        kinds: ["PersistentVolumeClaim"],
        apply: (o) => ((o.spec.accessModes = []), "spec.accessModes"),
    },
    {
        change: "a storage request of 0",
        kinds: ["PersistentVolumeClaim"],
        apply: (o) => ((o.spec.resources.requests.storage = "0"), "spec.resources[storage]"),
    },
    {
        change: "a storageClassName with '_'",
        kinds: ["PersistentVolumeClaim"],
        apply: (o) => ((o.spec.storageClassName = "fast_ssd"), "spec.storageClassName"),
    },
    {
        change: "a data key with a space",
        kinds: ["ConfigMap", "Secret"],
        apply: (o) => ((o.data = { ...o.data, "bad key": "eA==" }), "data[bad key]"),
    },
    {
        change: "a ConfigMap key in data and binaryData",
        kinds: ["ConfigMap"],
        apply: (o) => {
            o.data = { ...o.data, twice: "x" };
            o.binaryData = { twice: "eA==" };
            return "data[twice]";
        },
    },
    {
        change: "a TLS Secret without tls.crt",
        kinds: ["Secret"],
        apply: (o) => (
            (o.type = "kubernetes.io/tls"),
            (o.data = { "tls.key": "eA==" }),
            delete o.stringData,
            "data[tls.crt]"
        ),
    },
];

/** The mutations that apply to an object of this kind. */
export function mutationsOf(kind: string): Mutation[] {
    return MUTATIONS.filter((m) => m.kinds.includes("*") || m.kinds.includes(kind));
}
