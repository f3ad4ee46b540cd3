/**
 * The pack's fixtures, as parity cases for the admission forms: each changes one field of a compliant baseline
 * (test/policy/fixtures.ts), as the policy's own tests do, and says whether the pack reports it. The fast suite
 * checks the pack's verdict on every case (test/admission/parity-cases.test.ts); the cluster suite sends each case
 * to the API server with the generated policies installed and checks the same verdict at the same field
 * (test/cluster/admission.test.ts). Every policy with an admission form has a failing and a passing case.
 */
import { ADMISSION, PolicyName } from "../../policy/catalog";
import { TYPES } from "../../policy/k8s";
import { policies } from "../../policy/policies";
import type { AdmissionPolicyName } from "../../admission/forms";
import { runPolicies } from "../../offline/policy-runner";
import { DIGEST, stackWith, WORKLOAD_CASES } from "../policy/fixtures";

type Json = Record<string, any>;

export interface ParityCase {
    policy: AdmissionPolicyName;
    /** "violation": the pack reports `policy` on the object; "pass": it does not. */
    expect: "violation" | "pass";
    title: string;
    /** The fixture object changed: type token and resource name in compliantStack(). */
    type: string;
    name: string;
    change: (o: Json) => void;
}

/** Settings both the pack and the generated policies run with: prefixes the fixtures' images use, small size limits. */
export const PARITY_PACK_CONFIG = {
    "allowed-image-prefixes": {
        allowedPrefixes: [
            "quay.io/webstack/",
            "docker.io/library/redis",
            "docker.io/library/nginx",
            "docker.io/nginxinc/",
            "registry.access.redhat.com/",
            "image-registry.openshift-image-registry.svc:5000/",
        ],
    },
    "configmap-size-advisory": { maxBytes: 1024 },
    "configmap-size-limit": { maxBytes: 4096 },
};

const deployment = { type: TYPES.deployment, name: "web" };
const app = (o: Json) => o.spec.template.spec.containers[0];
const pinned = (repo: string) => `${repo}@${DIGEST}`;

const cases = (policy: AdmissionPolicyName, list: Omit<ParityCase, "policy">[]) => list.map((c) => ({ ...c, policy }));

export const PARITY_CASES: ParityCase[] = [
    ...WORKLOAD_CASES.map((w): ParityCase => ({
        policy: "images-digest-pinned",
        expect: "violation",
        title: `a :main tag on a ${w.kind}`,
        type: w.type,
        name: w.name,
        change: (o) => (w.podSpec(o).containers[0].image = "quay.io/webstack/api:main"),
    })),
    ...cases("images-digest-pinned", [
        {
            expect: "violation",
            title: "an unpinned initContainer",
            ...deployment,
            change: (o) => {
                const { readinessProbe, livenessProbe, ...init } = app(o); // init containers take no probes
                void [readinessProbe, livenessProbe];
                o.spec.template.spec.initContainers = [{ ...init, name: "wait", image: "quay.io/webstack/wait:1.36" }];
            },
        },
        {
            expect: "violation",
            title: "a truncated digest",
            ...deployment,
            change: (o) => (app(o).image = "quay.io/webstack/api@sha256:abc123"),
        },
        { expect: "pass", title: "the digest-pinned baseline", ...deployment, change: () => undefined },
    ]),
    ...cases("allowed-image-prefixes", [
        {
            expect: "violation",
            title: "an image from another registry",
            ...deployment,
            change: (o) => (app(o).image = pinned("ghcr.io/other/api")),
        },
        {
            expect: "pass",
            title: 'a Docker Hub short name ("redis") under an allowed docker.io/library/ prefix',
            ...deployment,
            change: (o) => (app(o).image = pinned("redis")),
        },
    ]),
    ...cases("internal-registry-same-namespace", [
        {
            expect: "violation",
            title: "another namespace's image stream",
            ...deployment,
            change: (o) => (app(o).image = pinned("image-registry.openshift-image-registry.svc:5000/other/api")),
        },
        {
            expect: "pass",
            title: "the workload's own namespace",
            ...deployment,
            change: (o) => (app(o).image = pinned("image-registry.openshift-image-registry.svc:5000/shop/api")),
        },
    ]),
    ...cases("no-root-only-images", [
        {
            expect: "violation",
            title: "library nginx",
            ...deployment,
            change: (o) => (app(o).image = pinned("docker.io/library/nginx")),
        },
        {
            expect: "violation",
            title: 'library nginx by its short name "nginx:1.27"',
            ...deployment,
            change: (o) => (app(o).image = `nginx:1.27@${DIGEST}`),
        },
        {
            expect: "pass",
            title: "nginx-unprivileged",
            ...deployment,
            change: (o) => (app(o).image = pinned("nginxinc/nginx-unprivileged")),
        },
    ]),
    ...cases("s2i-builder-command-set", [
        {
            expect: "violation",
            title: "an S2I python builder without command",
            ...deployment,
            change: (o) => {
                app(o).image = pinned("registry.access.redhat.com/ubi9/python-311");
                delete app(o).command;
            },
        },
        {
            expect: "pass",
            title: "an S2I python builder with command",
            ...deployment,
            change: (o) => (app(o).image = pinned("registry.access.redhat.com/ubi9/python-311")),
        },
    ]),
    ...cases("no-literal-secret-env", [
        {
            expect: "violation",
            title: "DB_PASSWORD as a literal",
            ...deployment,
            change: (o) => app(o).env.push({ name: "DB_PASSWORD", value: "hunter2" }),
        },
        {
            expect: "pass",
            title: "PASSWORD_FILE, a path to a mounted secret",
            ...deployment,
            change: (o) => app(o).env.push({ name: "PASSWORD_FILE", value: "/run/secrets/password" }),
        },
    ]),
    ...cases("no-secret-values", [
        {
            expect: "violation",
            title: "an AWS access key id under an innocent name",
            ...deployment,
            change: (o) => app(o).env.push({ name: "CONFIG", value: "AKIAIOSFODNN7EXAMPLE" }),
        },
        {
            expect: "violation",
            title: "a password inside DATABASE_URL",
            ...deployment,
            change: (o) => app(o).env.push({ name: "DATABASE_URL", value: "postgres://app:s3cr3t-pass@db:5432/app" }),
        },
        {
            expect: "pass",
            title: "a $(DB_PASSWORD) reference inside DATABASE_URL",
            ...deployment,
            change: (o) =>
                app(o).env.push({ name: "DATABASE_URL", value: "postgres://app:$(DB_PASSWORD)@db:5432/app" }),
        },
        {
            expect: "violation",
            title: "a private key block in a ConfigMap",
            type: TYPES.configMap,
            name: "config",
            change: (o) => (o.data["tls.key"] = "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n"),
        },
    ]),
    ...cases("readiness-probe-set", [
        {
            expect: "violation",
            title: "a Deployment container without readinessProbe",
            ...deployment,
            change: (o) => delete app(o).readinessProbe,
        },
        {
            expect: "pass",
            title: "a Job container without readinessProbe (not long-running)",
            type: TYPES.job,
            name: "migrate",
            change: (o) => delete o.spec.template.spec.containers[0].readinessProbe,
        },
    ]),
    ...cases("liveness-probe-set", [
        {
            expect: "violation",
            title: "a StatefulSet container without livenessProbe",
            type: TYPES.statefulSet,
            name: "redis",
            change: (o) => delete o.spec.template.spec.containers[0].livenessProbe,
        },
        {
            expect: "pass",
            title: "a CronJob container without livenessProbe (not long-running)",
            type: TYPES.cronJob,
            name: "cleanup",
            change: (o) => delete o.spec.jobTemplate.spec.template.spec.containers[0].livenessProbe,
        },
    ]),
    ...cases("probe-ports-declared", [
        {
            expect: "violation",
            title: "a readinessProbe on an undeclared port name",
            ...deployment,
            change: (o) => (app(o).readinessProbe.httpGet.port = "metrics"),
        },
        {
            expect: "violation",
            title: "a livenessProbe on an undeclared port number",
            ...deployment,
            change: (o) => (app(o).livenessProbe.httpGet.port = 9090),
        },
        {
            expect: "violation",
            title: "a grpc startupProbe on an undeclared port",
            ...deployment,
            change: (o) => (app(o).startupProbe = { grpc: { port: 50053 } }),
        },
        {
            expect: "pass",
            title: "a tcpSocket probe on the declared port number",
            ...deployment,
            change: (o) => (app(o).readinessProbe = { tcpSocket: { port: 8080 } }),
        },
    ]),
    ...cases("port-env-matches-container-port", [
        {
            expect: "violation",
            title: "PORT=5000 while the container declares 8080",
            ...deployment,
            change: (o) => (app(o).env[0].value = "5000"),
        },
        {
            expect: "pass",
            title: "REDIS_PORT, another service's port",
            ...deployment,
            change: (o) => app(o).env.push({ name: "REDIS_PORT", value: "6379" }),
        },
    ]),
    ...cases("container-resources", [
        {
            expect: "violation",
            title: "no CPU request",
            ...deployment,
            change: (o) => delete app(o).resources.requests.cpu,
        },
        {
            expect: "violation",
            title: "no memory limit",
            ...deployment,
            change: (o) => delete app(o).resources.limits,
        },
        {
            expect: "pass",
            title: "limits only (the API server defaults requests to them)",
            ...deployment,
            change: (o) => (app(o).resources = { limits: { cpu: "100m", memory: "512Mi" } }),
        },
    ]),
    ...cases("read-only-root-filesystem", [
        {
            expect: "violation",
            title: "readOnlyRootFilesystem: false",
            ...deployment,
            change: (o) => (app(o).securityContext.readOnlyRootFilesystem = false),
        },
        { expect: "pass", title: "readOnlyRootFilesystem: true", ...deployment, change: () => undefined },
    ]),
    ...cases("automount-service-account-token", [
        {
            expect: "violation",
            title: "a pod template that leaves the token mounted",
            ...deployment,
            change: (o) => delete o.spec.template.spec.automountServiceAccountToken,
        },
        { expect: "pass", title: "automountServiceAccountToken: false", ...deployment, change: () => undefined },
    ]),
    ...cases("no-privileged-ports", [
        {
            expect: "violation",
            title: "a non-root container declaring port 80",
            ...deployment,
            change: (o) => app(o).ports.push({ name: "legacy", containerPort: 80 }),
        },
        {
            expect: "pass",
            title: "port 8080",
            ...deployment,
            change: () => undefined,
        },
    ]),
    ...cases("rolling-update-zero-unavailable", [
        {
            expect: "violation",
            title: "maxUnavailable 1 with 2 replicas",
            ...deployment,
            // The baseline Deployment is HPA-scaled and leaves replicas unset (hpa-target-replicas-unset).
            change: (o) => {
                o.spec.replicas = 2;
                o.spec.strategy.rollingUpdate.maxUnavailable = 1;
            },
        },
        {
            expect: "violation",
            title: "Recreate with 2 replicas",
            ...deployment,
            change: (o) => {
                o.spec.replicas = 2;
                o.spec.strategy = { type: "Recreate" };
            },
        },
        {
            expect: "pass",
            title: "Recreate with 1 replica",
            type: TYPES.deployment,
            name: "files",
            change: () => undefined,
        },
    ]),
    ...cases("job-bounded-retries", [
        {
            expect: "violation",
            title: "a Job without activeDeadlineSeconds",
            type: TYPES.job,
            name: "migrate",
            change: (o) => delete o.spec.activeDeadlineSeconds,
        },
        {
            expect: "violation",
            title: "a CronJob jobTemplate without backoffLimit",
            type: TYPES.cronJob,
            name: "cleanup",
            change: (o) => delete o.spec.jobTemplate.spec.backoffLimit,
        },
        { expect: "pass", title: "the bounded Job", type: TYPES.job, name: "migrate", change: () => undefined },
    ]),
    ...cases("job-no-ttl-after-finished", [
        {
            expect: "violation",
            title: "ttlSecondsAfterFinished: 100",
            type: TYPES.job,
            name: "migrate",
            change: (o) => (o.spec.ttlSecondsAfterFinished = 100),
        },
        { expect: "pass", title: "no TTL", type: TYPES.job, name: "migrate", change: () => undefined },
    ]),
    ...cases("ingress-tls", [
        {
            expect: "violation",
            title: "an Ingress without tls",
            type: TYPES.ingress,
            name: "web",
            change: (o) => delete o.spec.tls,
        },
        {
            expect: "violation",
            title: "an Ingress whose tls covers another host",
            type: TYPES.ingress,
            name: "web",
            change: (o) => (o.spec.tls[0].hosts = ["other.example.com"]),
        },
        {
            expect: "violation",
            title: "a Route without tls",
            type: TYPES.route,
            name: "web",
            change: (o) => delete o.spec.tls,
        },
        { expect: "pass", title: "the edge-terminated Route", type: TYPES.route, name: "web", change: () => undefined },
    ]),
    ...cases("recommended-labels", [
        {
            expect: "violation",
            title: "a Deployment without part-of",
            ...deployment,
            change: (o) => delete o.metadata.labels["app.kubernetes.io/part-of"],
        },
        {
            expect: "violation",
            title: "a pod template without managed-by",
            ...deployment,
            change: (o) => delete o.spec.template.metadata.labels["app.kubernetes.io/managed-by"],
        },
        {
            expect: "violation",
            title: "a Service without labels",
            type: TYPES.service,
            name: "web",
            change: (o) => delete o.metadata.labels,
        },
        {
            expect: "pass",
            title: "the labelled ConfigMap",
            type: TYPES.configMap,
            name: "config",
            change: () => undefined,
        },
    ]),
    ...cases("configmap-size-limit", [
        {
            expect: "violation",
            title: "a ConfigMap over maxBytes (4096)",
            type: TYPES.configMap,
            name: "config",
            change: (o) => (o.data["site.html"] = "x".repeat(5000)),
        },
        {
            expect: "pass",
            title: "a ConfigMap under maxBytes",
            type: TYPES.configMap,
            name: "config",
            change: (o) => (o.data["site.html"] = "x".repeat(3000)),
        },
    ]),
    ...cases("configmap-size-advisory", [
        {
            expect: "violation",
            title: "a ConfigMap over the advisory maxBytes (1024), binaryData counted decoded",
            type: TYPES.configMap,
            name: "config",
            change: (o) => (o.binaryData = { "logo.png": Buffer.alloc(1500, 7).toString("base64") }),
        },
        {
            expect: "pass",
            title: "the small ConfigMap",
            type: TYPES.configMap,
            name: "config",
            change: () => undefined,
        },
    ]),
];

/** `(spec.template.spec.containers[0].image)`: the field paths a message names, pack's and admission's alike. */
export function fieldsOf(message: string): string[] {
    return [...message.matchAll(/\(([^()]+)\): /g)].map((m) => m[1]);
}

/** What the pack reports about the case's object, from every policy with an admission form: policy → fields. */
export interface PackFinding {
    policy: string;
    level: "mandatory" | "advisory";
    fields: string[];
}

/** The object the case sends: the changed fixture, as the pack sees it (inputs). */
export function caseObject(c: ParityCase): Json {
    const resource = stackWith(c.type, c.name, c.change).find((r) => r.type === c.type && r.name === c.name)!;
    return structuredClone(resource.inputs) as Json;
}

const admissionPolicies = policies.filter((p) => ADMISSION[p.name as PolicyName] === "cel");

/** Runs the pack's admission-form policies over the compliant stack with the case applied; findings on its object. */
export async function packFindings(c: ParityCase): Promise<PackFinding[]> {
    const violations = await runPolicies(stackWith(c.type, c.name, c.change), {
        policies: admissionPolicies,
        packConfig: PARITY_PACK_CONFIG,
    });
    const byPolicy = new Map<string, PackFinding>();
    for (const v of violations.filter((v) => v.resource === `${c.type}::${c.name}`)) {
        const finding = byPolicy.get(v.policy) ?? { policy: v.policy, level: v.level, fields: [] };
        finding.fields.push(fieldsOf(v.message)[0]);
        byPolicy.set(v.policy, finding);
    }
    return [...byPolicy.values()];
}
