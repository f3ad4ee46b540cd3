/**
 * Compliant baselines for every Kubernetes kind the policies read, and helpers to run one policy over
 * them through the offline runner (real ResourceValidationArgs/StackValidationArgs, no PolicyPack).
 * Each policy test changes ONE field of a baseline and asserts the exact violation.
 */
import { strict as assert } from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../../policy/k8s";
import { PolicyRunOptions, Violation, runPolicies } from "../../offline/policy-runner";
import type { RecordedResource } from "../../offline/run-program";
import type { LooseRecordedResource } from "../support/recorded";

export const NAMESPACE = "shop";
export const DIGEST = `sha256:${"a".repeat(64)}`;
export const APP_IMAGE = `quay.io/webstack/api@${DIGEST}`;
export const REDIS_IMAGE = `docker.io/library/redis@${DIGEST}`;

type Policy = ResourceValidationPolicy | StackValidationPolicy;
type Json = Record<string, any>;

/** The app.kubernetes.io labels of one component (selector labels are name + instance + component). */
export function labels(component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": "webstack",
        "app.kubernetes.io/instance": "shop",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "webstack",
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

export function selector(component: string): Record<string, string> {
    return { "app.kubernetes.io/instance": "shop", "app.kubernetes.io/component": component };
}

function meta(name: string, component = name): Json {
    return { name, namespace: NAMESPACE, labels: labels(component) };
}

/** A restricted, probed, digest-pinned container listening on 8080 ("http"). */
export function container(name = "app", image = APP_IMAGE, port = 8080): Json {
    return {
        name,
        image,
        command: ["/app/start"],
        ports: [{ name: "http", containerPort: port }],
        env: [
            { name: "PORT", value: String(port) },
            { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "api", key: "token" } } },
        ],
        readinessProbe: { httpGet: { path: "/readyz", port: "http" } },
        livenessProbe: { httpGet: { path: "/healthz", port: port } },
        securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    };
}

export function podSpec(c: Json = container()): Json {
    return {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        automountServiceAccountToken: false,
        containers: [c],
        volumes: [{ name: "tmp", emptyDir: {} }],
    };
}

function template(component: string, spec: Json = podSpec()): Json {
    return { metadata: { labels: labels(component) }, spec };
}

// ---- one compliant object per kind (inputs) ----

export const kinds = {
    /** Scaled by the HorizontalPodAutoscaler "web" (2–4 pods), so it sets no replicas of its own. */
    deployment: (): Json => ({
        metadata: meta("web"),
        spec: {
            selector: { matchLabels: selector("web") },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template: template("web"),
        },
    }),
    statefulSet: (): Json => {
        const redis = container("redis", REDIS_IMAGE, 6379);
        redis.command = ["redis-server", "--appendonly", "yes"];
        redis.ports = [{ name: "redis", containerPort: 6379 }];
        redis.env = [];
        redis.readinessProbe = { tcpSocket: { port: "redis" } };
        redis.livenessProbe = { tcpSocket: { port: 6379 } };
        redis.volumeMounts = [...redis.volumeMounts, { name: "data", mountPath: "/data" }];
        return {
            metadata: meta("redis"),
            spec: {
                replicas: 1,
                serviceName: "redis",
                selector: { matchLabels: selector("redis") },
                template: template("redis", podSpec(redis)),
                volumeClaimTemplates: [
                    {
                        metadata: { name: "data" },
                        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
                    },
                ],
            },
        };
    },
    daemonSet: (): Json => ({
        metadata: meta("agent"),
        spec: { selector: { matchLabels: selector("agent") }, template: template("agent") },
    }),
    replicaSet: (): Json => ({
        metadata: meta("legacy"),
        spec: { replicas: 1, selector: { matchLabels: selector("legacy") }, template: template("legacy") },
    }),
    pod: (): Json => ({ metadata: meta("debug"), spec: podSpec() }),
    job: (): Json => ({
        metadata: meta("migrate"),
        spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 600,
            template: template("migrate", { ...podSpec(), restartPolicy: "Never" }),
        },
    }),
    cronJob: (): Json => ({
        metadata: meta("cleanup"),
        spec: {
            schedule: "0 3 * * *",
            jobTemplate: {
                spec: {
                    backoffLimit: 1,
                    activeDeadlineSeconds: 300,
                    template: template("cleanup", { ...podSpec(), restartPolicy: "Never" }),
                },
            },
        },
    }),
    /** A single-replica Deployment with strategy Recreate sharing the RWO claim "content" (L03's allowed shape). */
    files: (): Json => {
        const spec = podSpec();
        spec.containers[0].volumeMounts.push({ name: "content", mountPath: "/srv" });
        spec.volumes.push({ name: "content", persistentVolumeClaim: { claimName: "content" } });
        return {
            metadata: meta("files"),
            spec: {
                replicas: 1,
                strategy: { type: "Recreate" },
                selector: { matchLabels: selector("files") },
                template: template("files", spec),
            },
        };
    },
    service: (): Json => ({
        metadata: meta("web"),
        spec: { selector: selector("web"), ports: [{ name: "http", port: 80, targetPort: "http" }] },
    }),
    /** The StatefulSet "redis"'s governing Service: headless, so each pod gets a DNS name (redis-0.redis). */
    headlessService: (): Json => ({
        metadata: meta("redis"),
        spec: {
            clusterIP: "None",
            selector: selector("redis"),
            ports: [{ name: "redis", port: 6379, targetPort: "redis" }],
        },
    }),
    pvc: (): Json => ({
        metadata: meta("content"),
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    }),
    configMap: (): Json => ({ metadata: meta("config"), data: { "app.conf": "listen 8080\n" } }),
    /** The Secret every fixture container reads API_TOKEN from. */
    secret: (): Json => ({ metadata: meta("api"), type: "Opaque", stringData: { token: "not-a-real-token" } }),
    pdb: (): Json => ({
        metadata: meta("web"),
        spec: { maxUnavailable: 1, selector: { matchLabels: selector("web") } },
    }),
    networkPolicy: (): Json => ({ metadata: meta("default"), spec: { podSelector: {}, policyTypes: ["Ingress"] } }),
    route: (): Json => ({
        apiVersion: "route.openshift.io/v1",
        kind: "Route",
        metadata: meta("web"),
        spec: {
            to: { kind: "Service", name: "web" },
            port: { targetPort: "http" },
            tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" },
        },
    }),
    ingress: (): Json => ({
        metadata: meta("web"),
        spec: {
            tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }],
            rules: [
                {
                    host: "shop.example.com",
                    http: {
                        paths: [
                            {
                                path: "/",
                                pathType: "Prefix",
                                backend: { service: { name: "web", port: { name: "http" } } },
                            },
                        ],
                    },
                },
            ],
        },
    }),
    hpa: (): Json => ({
        metadata: meta("web"),
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
            minReplicas: 2,
            maxReplicas: 4,
        },
    }),
};

export interface RecordOptions {
    protect?: boolean;
    ignoreChanges?: string[];
    /** outputs when they differ from the inputs (e.g. an auto-assigned metadata.name) */
    outputs?: Json;
}

/** A RecordedResource as offline/run-program records it; outputs default to the inputs. */
export function record(type: string, name: string, inputs: Json, opts: RecordOptions = {}): LooseRecordedResource {
    return {
        urn: `urn:pulumi:test::webstack::${type}::${name}`,
        type,
        name,
        custom: true,
        inputs,
        outputs: opts.outputs ?? structuredClone(inputs),
        options: {
            dependsOn: [],
            ...(opts.protect !== undefined ? { protect: opts.protect } : {}),
            ...(opts.ignoreChanges ? { ignoreChanges: opts.ignoreChanges } : {}),
        },
    };
}

/** One compliant object of every kind, as a stack: every policy passes on it. */
export function compliantStack(): LooseRecordedResource[] {
    return [
        record(TYPES.deployment, "web", kinds.deployment()),
        record(TYPES.statefulSet, "redis", kinds.statefulSet()),
        record(TYPES.daemonSet, "agent", kinds.daemonSet()),
        record(TYPES.replicaSet, "legacy", kinds.replicaSet()),
        record(TYPES.pod, "debug", kinds.pod()),
        record(TYPES.job, "migrate", kinds.job()),
        record(TYPES.cronJob, "cleanup", kinds.cronJob()),
        record(TYPES.deployment, "files", kinds.files()),
        record(TYPES.service, "web", kinds.service()),
        record(TYPES.service, "redis", kinds.headlessService()),
        record(TYPES.pvc, "content", kinds.pvc(), { protect: true }),
        record(TYPES.configMap, "config", kinds.configMap()),
        record(TYPES.secret, "api", kinds.secret()),
        record(TYPES.pdb, "web", kinds.pdb()),
        record(TYPES.networkPolicy, "default", kinds.networkPolicy()),
        record(TYPES.route, "web", kinds.route()),
        record(TYPES.ingress, "web", kinds.ingress()),
        record(TYPES.hpaV2, "web", kinds.hpa()),
    ];
}

/** compliantStack() with the resource `type::name` replaced (inputs and outputs) by `change(inputs)`'s result. */
export function stackWith(
    type: string,
    name: string,
    change: (inputs: Json) => void,
    opts: RecordOptions = {},
): LooseRecordedResource[] {
    return compliantStack().map((r) => {
        if (r.type !== type || r.name !== name) {
            return r;
        }
        const inputs = structuredClone(r.inputs);
        change(inputs);
        return record(type, name, inputs, { protect: r.options.protect, ...opts });
    });
}

/** The baseline with `env` added to the web Deployment's container. */
export function webWithEnv(...env: Json[]): LooseRecordedResource[] {
    return stackWith(TYPES.deployment, "web", (o) => {
        o.spec.template.spec.containers[0].env.push(...env);
    });
}

export async function violationsOf(
    policy: Policy,
    resources: RecordedResource[],
    options: Omit<PolicyRunOptions, "policies"> = {},
): Promise<Violation[]> {
    return runPolicies(resources, { ...options, policies: [policy] });
}

/** Asserts the run produced exactly these messages (in any order) and nothing else. */
export async function expectMessages(
    policy: Policy,
    resources: RecordedResource[],
    messages: string[],
    options: Omit<PolicyRunOptions, "policies"> = {},
): Promise<Violation[]> {
    const violations = await violationsOf(policy, resources, options);
    assert.deepEqual(violations.map((v) => v.message).sort(), [...messages].sort());
    for (const v of violations) {
        assert.equal(v.policy, policy.name);
        assert.equal(v.level, policy.enforcementLevel === "remediate" ? "mandatory" : policy.enforcementLevel);
    }
    return violations;
}

/** Resource types the policy declared itself not applicable to, over the compliant stack. */
export async function notApplicableTypes(
    policy: Policy,
    resources: RecordedResource[] = compliantStack(),
    options: Omit<PolicyRunOptions, "policies"> = {},
): Promise<Set<string>> {
    const types = new Set<string>();
    await runPolicies(resources, {
        ...options,
        policies: [policy],
        onNotApplicable: (_p, resource) => types.add(resource.split("::")[0]),
    });
    return types;
}

/** Every workload kind of the compliant stack, for "applies to all kinds" loops. */
export const WORKLOAD_CASES: { type: string; name: string; kind: string; podSpec: (o: Json) => Json }[] = [
    { type: TYPES.pod, name: "debug", kind: "Pod", podSpec: (o) => o.spec },
    { type: TYPES.deployment, name: "web", kind: "Deployment", podSpec: (o) => o.spec.template.spec },
    { type: TYPES.statefulSet, name: "redis", kind: "StatefulSet", podSpec: (o) => o.spec.template.spec },
    { type: TYPES.daemonSet, name: "agent", kind: "DaemonSet", podSpec: (o) => o.spec.template.spec },
    { type: TYPES.replicaSet, name: "legacy", kind: "ReplicaSet", podSpec: (o) => o.spec.template.spec },
    { type: TYPES.job, name: "migrate", kind: "Job", podSpec: (o) => o.spec.template.spec },
    { type: TYPES.cronJob, name: "cleanup", kind: "CronJob", podSpec: (o) => o.spec.jobTemplate.spec.template.spec },
];

export const POD_SPEC_PATH: Record<string, string> = {
    Pod: "spec",
    Deployment: "spec.template.spec",
    StatefulSet: "spec.template.spec",
    DaemonSet: "spec.template.spec",
    ReplicaSet: "spec.template.spec",
    Job: "spec.template.spec",
    CronJob: "spec.jobTemplate.spec.template.spec",
};

/** Asserts, over the compliant stack, that the policy ran on exactly `types` and declared every other type not applicable. */
export async function assertAppliesOnlyTo(
    policy: Policy,
    types: readonly string[],
    options: Omit<PolicyRunOptions, "policies"> = {},
): Promise<void> {
    const stack = compliantStack();
    const skipped = await notApplicableTypes(policy, stack, options);
    const expected = new Set(stack.map((r) => r.type).filter((t) => !types.includes(t)));
    assert.deepEqual([...skipped].sort(), [...expected].sort());
}

/** The seven workload type tokens. */
export const WORKLOAD_TYPES = WORKLOAD_CASES.map((c) => c.type);
