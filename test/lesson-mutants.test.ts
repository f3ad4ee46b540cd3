// Lesson mutants (issue 30): the dev stack as the program renders it, with one default at a time put back to the
// value that caused the incident, must be reported by the named policy at the named object. The rendered objects
// are changed, not the source files: each row is what a hand edit, a reverted default or another tool would deploy.
import * as assert from "assert";
import * as path from "path";
import { runPolicies, Violation } from "../offline/policy-runner";
import { RecordedResource, runProgram } from "../offline/run-program";
import { loadStackConfigFile } from "../offline/stack-config";
import { TYPES } from "../policy/k8s";

interface LessonMutant {
    lesson: string;
    /** The incident's value, in words. */
    incident: string;
    /** Resource type and name of the object changed. */
    type: string;
    name: string;
    /** Puts the incident's value into the object's inputs, and again into its outputs (or into its options). */
    mutate: (inputs: Record<string, any>, resource: RecordedResource) => void;
    /** The policy that must report it, at that object. */
    policy: string;
}

const apiPod = (o: Record<string, any>) => o.spec.template.spec;
const apiContainer = (o: Record<string, any>) => apiPod(o).containers[0];

const MUTANTS: LessonMutant[] = [
    {
        lesson: "L03",
        incident: "3 nginx replicas on the ReadWriteOnce content claim (Multi-Attach)",
        type: TYPES.deployment,
        name: "north-site",
        mutate: (o) => (o.spec.replicas = 3),
        policy: "rwo-volume-single-replica",
    },
    {
        lesson: "L12",
        incident: "the API image by its mutable :main tag",
        type: TYPES.deployment,
        name: "north-api",
        mutate: (o) => (apiContainer(o).image = apiContainer(o).image.replace(/@sha256:[0-9a-f]{64}$/, ":main")),
        policy: "images-digest-pinned",
    },
    {
        lesson: "L13",
        incident: "a migration Job that retries forever (no backoffLimit, no deadline)",
        type: TYPES.job,
        name: "north-api-migrate",
        mutate: (o) => {
            delete o.spec.backoffLimit;
            delete o.spec.activeDeadlineSeconds;
        },
        policy: "job-bounded-retries",
    },
    {
        lesson: "L15",
        incident: "no readiness probe on the API (the 12-minute hang)",
        type: TYPES.deployment,
        name: "north-api",
        mutate: (o) => delete apiContainer(o).readinessProbe,
        policy: "readiness-probe-set",
    },
    {
        lesson: "L18",
        incident: "the readiness probe on port 50053 while the API listens on 5000",
        type: TYPES.deployment,
        name: "north-api",
        mutate: (o) => (apiContainer(o).readinessProbe.httpGet.port = 50053),
        policy: "probe-ports-declared",
    },
    {
        lesson: "L18",
        incident: "nginx's upstream one port off the API Service's (postmortem 003's mismatch)",
        type: TYPES.configMap,
        name: "north-site",
        mutate: (o) =>
            (o.data["nginx.conf"] = o.data["nginx.conf"].replace(/(north-api\.[a-z0-9-]+\.svc):5000/, "$1:5001")),
        policy: "nginx-upstream-matches-service",
    },
    {
        lesson: "L19",
        incident: "DB_PASSWORD as a literal env value (the committed secrets file)",
        type: TYPES.deployment,
        name: "north-api",
        mutate: (o) => apiContainer(o).env.push({ name: "DB_PASSWORD", value: "hunter2" }),
        policy: "no-literal-secret-env",
    },
    {
        lesson: "L26",
        incident: "a writable root filesystem",
        type: TYPES.deployment,
        name: "north-api",
        mutate: (o) => (apiContainer(o).securityContext.readOnlyRootFilesystem = false),
        policy: "read-only-root-filesystem",
    },
    {
        lesson: "L27",
        incident: "no liveness probe",
        type: TYPES.deployment,
        name: "north-api",
        mutate: (o) => delete apiContainer(o).livenessProbe,
        policy: "liveness-probe-set",
    },
    {
        lesson: "L29",
        incident: "a rollout that may take a replica down (maxUnavailable 1)",
        type: TYPES.deployment,
        name: "north-api",
        mutate: (o) => (o.spec.strategy.rollingUpdate.maxUnavailable = 1),
        policy: "rolling-update-zero-unavailable",
    },
    {
        lesson: "L30",
        incident: "a privileged container",
        type: TYPES.deployment,
        name: "north-api",
        mutate: (o) => (apiContainer(o).securityContext.privileged = true),
        policy: "pod-security-baseline",
    },
    {
        lesson: "L31",
        incident: "the API's NetworkPolicy admitting every source (from: [])",
        type: TYPES.networkPolicy,
        name: "north-netpol-api-from-site",
        mutate: (o) => (o.spec.ingress[0].from = []),
        policy: "network-policy-ingress-restricted",
    },
    {
        lesson: "L31",
        incident: "Redis's NetworkPolicy with an empty peer",
        type: TYPES.networkPolicy,
        name: "north-netpol-redis-from-api",
        mutate: (o) => o.spec.ingress[0].from.push({}),
        policy: "network-policy-ingress-restricted",
    },
    {
        lesson: "L32",
        incident: "the content claim without protect (deleted on replacement)",
        type: TYPES.pvc,
        name: "north-content",
        mutate: (_o, r) => (r.options.protect = false),
        policy: "pvc-protected",
    },
];

const ROOT = path.join(__dirname, "..");

/** The dev stack with `mutant` applied to a copy of its one object. */
function mutated(resources: RecordedResource[], mutant: LessonMutant): RecordedResource[] {
    const targets = resources.filter((r) => r.type === mutant.type && r.name === mutant.name);
    assert.equal(targets.length, 1, `the dev stack has one ${mutant.type} ${mutant.name}`);
    return resources.map((r) => {
        if (r !== targets[0]) return r;
        const copy = structuredClone(r);
        // Resource policies read the inputs, stack policies the outputs (as the engine hands them over).
        mutant.mutate(copy.inputs as Record<string, any>, copy);
        mutant.mutate(copy.outputs as Record<string, any>, copy);
        assert.notDeepEqual(copy, r, "the mutant changed nothing");
        return copy;
    });
}

const at = (v: Violation, m: LessonMutant) => v.policy === m.policy && v.resource === `${m.type}::${m.name}`;

describe("lesson mutants: each incident's value put back into the dev stack is reported by its policy (issue 30)", function () {
    this.timeout(300_000);
    let resources: RecordedResource[];
    let baseline: Violation[];

    before(async () => {
        const config = loadStackConfigFile(path.join(ROOT, "Pulumi.dev.yaml"), "webstack");
        resources = (await runProgram({ program: path.join(ROOT, "index.ts"), stack: "dev", config })).resources;
        baseline = await runPolicies(resources);
    });

    for (const mutant of MUTANTS) {
        it(`[${mutant.lesson}] ${mutant.incident}: ${mutant.policy} reports ${mutant.type.split(":").pop()} ${mutant.name}`, async () => {
            assert.deepEqual(
                baseline.filter((v) => at(v, mutant)),
                [],
                "the dev stack as rendered must pass this policy",
            );
            const found = (await runPolicies(mutated(resources, mutant))).filter((v) => at(v, mutant));
            assert.ok(found.length > 0, `${mutant.policy} did not report the mutant`);
            assert.ok(
                found.every((v) => v.lessons.includes(mutant.lesson)),
                JSON.stringify(found),
            );
        });
    }
});
