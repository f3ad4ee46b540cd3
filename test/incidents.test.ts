/**
 * Incident regression suite: every postmortem incident whose mistake is visible in resource definitions,
 * written as the plain @pulumi/kubernetes program that reproduces it (test/incidents/*.ts), run under mocks
 * in this process (each program is a distinct module, loaded once) and checked with the whole policy pack. Each must be rejected by the policy for its lesson.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { Violation, runPolicies } from "../offline/policy-runner";
import { projectNameFor, RecordedResource, runProgram } from "../offline/run-program";

interface Incident {
    /** postmortem and what happened */
    incident: string;
    program: string;
    lesson: string;
    policy: string;
    level: "mandatory" | "advisory";
    /** "<type>::<name>" of the resource the violation must name */
    resource: string;
    /** the field the message must point at */
    field: string;
    packConfig?: Record<string, unknown>;
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

const incidents: Incident[] = [
    {
        incident: "000 ISSUE-001 ubi9/python-311 S2I run script replaced gunicorn",
        program: "000-s2i-builder-cmd",
        lesson: "L01",
        policy: "s2i-builder-command-set",
        level: "mandatory",
        resource: `${DEPLOYMENT}::north-api`,
        field: "containers[0].command",
    },
    {
        incident: "000 ISSUE-002 nginx:alpine needs root",
        program: "000-nginx-alpine-root",
        lesson: "L02",
        policy: "no-root-only-images",
        level: "mandatory",
        resource: `${DEPLOYMENT}::nginx`,
        field: "containers[0].image",
    },
    {
        incident: "000 ISSUE-002 nginx:alpine listens on 80 as non-root",
        program: "000-nginx-alpine-root",
        lesson: "L02",
        policy: "no-privileged-ports",
        level: "mandatory",
        resource: `${DEPLOYMENT}::nginx`,
        field: "ports[0].containerPort",
    },
    {
        incident: "000 ISSUE-003 3 nginx replicas on an RWO PVC (Multi-Attach)",
        program: "000-rwo-multi-attach",
        lesson: "L03",
        policy: "rwo-volume-single-replica",
        level: "mandatory",
        resource: `${DEPLOYMENT}::nginx`,
        field: "persistentVolumeClaim.claimName",
    },
    {
        incident: "000 ISSUE-003 RWO PVC with a rolling update",
        program: "000-rwo-multi-attach",
        lesson: "L03",
        policy: "rwo-volume-recreate-strategy",
        level: "advisory",
        resource: `${DEPLOYMENT}::nginx`,
        field: "spec.strategy.type",
    },
    {
        incident: "000 ISSUE-005 Route to an ExternalName Service (503)",
        program: "000-route-externalname",
        lesson: "L05",
        policy: "route-backend-selects-pods",
        level: "mandatory",
        resource: "kubernetes:route.openshift.io/v1:Route::north-v2-test",
        field: "spec.to.name",
    },
    {
        incident: "000 ISSUE-006 qr-demo-qa pulling qr-demo-dev's internal image",
        program: "000-cross-namespace-image",
        lesson: "L06",
        policy: "internal-registry-same-namespace",
        level: "mandatory",
        resource: `${DEPLOYMENT}::north-api`,
        field: "containers[0].image",
    },
    {
        incident: "000 manual route cutover: 2 replicas, default maxUnavailable",
        program: "000-manual-cutover",
        lesson: "L29",
        policy: "rolling-update-zero-unavailable",
        level: "advisory",
        resource: `${DEPLOYMENT}::nginx`,
        field: "maxUnavailable",
    },
    {
        incident: "000 containers with default (root-capable) security",
        program: "000-manual-cutover",
        lesson: "L30",
        policy: "pod-security-restricted",
        level: "mandatory",
        resource: `${DEPLOYMENT}::nginx`,
        field: "securityContext.runAsNonRoot",
    },
    {
        incident: "000/001 Redis reachable by anything in the cluster",
        program: "000-manual-cutover",
        lesson: "L31",
        policy: "namespace-has-network-policy",
        level: "advisory",
        resource: `${DEPLOYMENT}::redis`,
        field: "spec.template.metadata.labels",
    },
    {
        incident: "000/002 static-files PVC replaced (deleted) on an access-mode change",
        program: "000-manual-cutover",
        lesson: "L32",
        policy: "pvc-protected",
        level: "mandatory",
        resource: "kubernetes:core/v1:PersistentVolumeClaim::static-files",
        field: "protect",
    },
    {
        incident: "001 site and 3 MB videos stuffed into a ConfigMap",
        program: "001-site-in-configmap",
        lesson: "L08",
        policy: "configmap-size-limit",
        level: "mandatory",
        resource: "kubernetes:core/v1:ConfigMap::north-site",
        field: "data/binaryData",
    },
    {
        incident: "001 state lost on restart: Redis without a volume",
        program: "001-redis-no-volume",
        lesson: "L10",
        policy: "redis-data-persistent",
        level: "advisory",
        resource: `${DEPLOYMENT}::redis`,
        field: "volumeMounts",
    },
    {
        incident: "002 :main tag never rolled the pods",
        program: "002-mutable-main-tag",
        lesson: "L12",
        policy: "images-digest-pinned",
        level: "mandatory",
        resource: `${DEPLOYMENT}::csv-ingestion-worker`,
        field: "containers[0].image",
    },
    {
        incident: "002 migration Job retries without bound",
        program: "002-migration-job",
        lesson: "L13",
        policy: "job-bounded-retries",
        level: "advisory",
        resource: "kubernetes:batch/v1:Job::db-migrate",
        field: "spec.activeDeadlineSeconds",
    },
    {
        incident: "002 migration Job deleted by TTL re-runs",
        program: "002-migration-job",
        lesson: "L13",
        policy: "job-no-ttl-after-finished",
        level: "advisory",
        resource: "kubernetes:batch/v1:Job::db-migrate",
        field: "spec.ttlSecondsAfterFinished",
    },
    {
        incident: "002 drift: pod template ignored by Pulumi",
        program: "002-drift-and-hang",
        lesson: "L14",
        policy: "no-ignore-changes-on-workload-spec",
        level: "mandatory",
        resource: `${DEPLOYMENT}::csv-ingestion-worker`,
        field: "ignoreChanges",
    },
    {
        incident: "002 deploy hung 12 min on CrashLoopBackOff (no readiness)",
        program: "002-drift-and-hang",
        lesson: "L15",
        policy: "readiness-probe-set",
        level: "advisory",
        resource: `${DEPLOYMENT}::csv-ingestion-worker`,
        field: "readinessProbe",
    },
    {
        incident: "002 Helm/Flux ownership conflicts (no ownership labels)",
        program: "002-drift-and-hang",
        lesson: "L16",
        policy: "recommended-labels",
        level: "advisory",
        resource: `${DEPLOYMENT}::csv-ingestion-worker`,
        field: "metadata.labels",
    },
    {
        incident: "003 probes on 50053, server on 50054",
        program: "003-port-mismatch",
        lesson: "L18",
        policy: "probe-ports-declared",
        level: "mandatory",
        resource: `${DEPLOYMENT}::planning`,
        field: "readinessProbe.tcpSocket.port",
    },
    {
        incident: "003 Service targetPort 50053, pods on 50054",
        program: "003-port-mismatch",
        lesson: "L18",
        policy: "service-target-port-matches-pods",
        level: "mandatory",
        resource: "kubernetes:core/v1:Service::planning",
        field: "spec.ports[0].targetPort",
    },
    {
        incident: "003 GRPC_PORT_PLANNING=50053, container port 50054",
        program: "003-port-mismatch",
        lesson: "L18",
        policy: "port-env-matches-container-port",
        level: "advisory",
        resource: `${DEPLOYMENT}::planning`,
        field: "env[0]",
    },
    {
        incident: "003 secrets committed to git, literal in env",
        program: "003-secrets-in-env",
        lesson: "L19",
        policy: "no-literal-secret-env",
        level: "mandatory",
        resource: `${DEPLOYMENT}::orchestrator`,
        field: "env[1].value",
    },
    {
        incident: "003 two registry namespaces (swe-fleet vs swe-ai-fleet)",
        program: "003-two-registry-namespaces",
        lesson: "L20",
        policy: "allowed-image-prefixes",
        level: "mandatory",
        resource: `${DEPLOYMENT}::context`,
        field: "containers[0].image",
        packConfig: { "allowed-image-prefixes": { allowedPrefixes: ["registry.example.com/swe-ai-fleet/"] } },
    },
    {
        incident: "003 zombie pods after a node reboot, no PDB",
        program: "003-zombie-pods-no-pdb",
        lesson: "L21",
        policy: "replicated-workload-has-pdb",
        level: "advisory",
        resource: `${DEPLOYMENT}::context`,
        field: "spec.replicas",
    },
    {
        incident: "004 sha-39a4e17 deployed as a tag with imagePullPolicy Always",
        program: "004-stale-relay-daemonset",
        lesson: "L12",
        policy: "images-digest-pinned",
        level: "mandatory",
        resource: "kubernetes:apps/v1:DaemonSet::relay",
        field: "containers[0].image",
    },
    {
        incident: "004 data cloned into the container filesystem",
        program: "004-stale-relay-daemonset",
        lesson: "L26",
        policy: "read-only-root-filesystem",
        level: "advisory",
        resource: "kubernetes:apps/v1:DaemonSet::relay",
        field: "readOnlyRootFilesystem",
    },
    {
        incident: "004 no liveness probe",
        program: "004-stale-relay-daemonset",
        lesson: "L27",
        policy: "liveness-probe-set",
        level: "advisory",
        resource: "kubernetes:apps/v1:DaemonSet::relay",
        field: "livenessProbe",
    },
    {
        incident: "004 proposed fix mounts a hostPath",
        program: "004-stale-relay-daemonset",
        lesson: "L30",
        policy: "pod-security-baseline",
        level: "mandatory",
        resource: "kubernetes:apps/v1:DaemonSet::relay",
        field: "volumes[1].hostPath",
    },
];

// Each program runs once, shared by every case that checks it.
const runs = new Map<string, Promise<RecordedResource[]>>();
function resourcesOf(program: string): Promise<RecordedResource[]> {
    if (!runs.has(program)) {
        const dir = path.join(__dirname, "incidents");
        runs.set(
            program,
            runProgram({
                program: path.join(dir, `${program}.ts`),
                stack: "incident",
                project: projectNameFor(dir),
            }).then((r) => r.resources),
        );
    }
    return runs.get(program)!;
}

describe("incident regression suite: each postmortem's bad resources are rejected by its lesson's policy", function () {
    this.timeout(300_000);

    for (const i of incidents) {
        it(`[${i.lesson}] ${i.incident} -> ${i.policy} (${i.level})`, async () => {
            const violations: Violation[] = await runPolicies(await resourcesOf(i.program), {
                packConfig: i.packConfig,
            });
            const hit = violations.find(
                (v) => v.policy === i.policy && v.resource === i.resource && v.message.includes(i.field),
            );
            assert.ok(
                hit,
                `${i.policy} did not report ${i.field} of ${i.resource}; got:\n${violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`).join("\n")}`,
            );
            assert.equal(hit.level, i.level);
            assert.ok(hit.lessons.includes(i.lesson), `${i.policy} cites ${hit.lessons.join(", ")}, not ${i.lesson}`);
            assert.match(hit.message, /Fix: /);
        });
    }

    it("every program of test/incidents is exercised and every lesson with a policy has an incident", async () => {
        const fs = await import("fs");
        const programs = fs.readdirSync(path.join(__dirname, "incidents")).map((f) => f.replace(/\.ts$/, ""));
        assert.deepEqual([...new Set(incidents.map((i) => i.program))].sort(), programs.sort());
        const { policies } = await import("../policy/policies");
        const { lessonsOf } = await import("../policy/catalog");
        const primaryLessons = new Set(policies.map((p) => lessonsOf(p.name)[0]));
        const covered = new Set(incidents.map((i) => i.lesson));
        assert.deepEqual(
            [...primaryLessons].filter((l) => !covered.has(l)),
            [],
        );
    });
});
