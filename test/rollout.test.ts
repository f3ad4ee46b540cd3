// Rollout semantics of the real program (index.ts) with the real stack files, under mocks: what a new API
// digest changes, that nothing changes without one, and that an older config deploys the older digests.
import * as assert from "assert";
import * as path from "path";
import { ProgramRun, RecordedResource, runProgram } from "../offline/run-program";
import { loadStackConfigFile, StackConfig, withConfigOverrides } from "../offline/stack-config";
import type { LooseRecordedResource } from "./support/recorded";

const ROOT = path.join(__dirname, "..");
const PROGRAM = path.join(ROOT, "index.ts");
const DIGEST_V1 = `sha256:${"1".repeat(64)}`;
const DIGEST_V2 = `sha256:${"2".repeat(64)}`;
const DEV_API_REPO = "image-registry.openshift-image-registry.svc:5000/qr-demo-dev/north-api";

function stackConfig(stack: string): StackConfig {
    return loadStackConfigFile(path.join(ROOT, `Pulumi.${stack}.yaml`), "webstack");
}

/** dev's config with the API image pinned to `digest` (what `pulumi config set --path api.image` writes). */
function devWithApiDigest(digest: string): StackConfig {
    const base = stackConfig("dev");
    const api = JSON.parse(base.config["webstack:api"]);
    return withConfigOverrides(base, { "webstack:api": { ...api, image: `${DEV_API_REPO}@${digest}` } });
}

const key = (r: RecordedResource) => `${r.type}::${r.name}`;

/** Custom resources whose inputs differ between two runs (by URN), plus those only in one of them. */
function changedResources(before: ProgramRun, after: ProgramRun): string[] {
    const old = new Map(before.resources.filter((r) => r.custom).map((r) => [r.urn, r]));
    const changed: string[] = [];
    for (const r of after.resources.filter((r) => r.custom)) {
        const previous = old.get(r.urn);
        old.delete(r.urn);
        if (!previous || JSON.stringify(previous.inputs) !== JSON.stringify(r.inputs)) {
            changed.push(key(r));
        }
    }
    return [...changed, ...[...old.values()].map(key)].sort();
}

function find(run: ProgramRun, type: string, name: string): LooseRecordedResource {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    assert.ok(found, `${type}::${name} not declared; have ${run.resources.map(key).join(", ")}`);
    return found;
}

/** Every container and initContainer image of every pod template in the run. */
function podImages(run: ProgramRun): Array<{ resource: string; image: string }> {
    const images: Array<{ resource: string; image: string }> = [];
    const resources: LooseRecordedResource[] = run.resources;
    for (const r of resources) {
        const podSpec = r.inputs?.spec?.template?.spec ?? r.inputs?.spec?.jobTemplate?.spec?.template?.spec;
        for (const c of [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])]) {
            images.push({ resource: `${key(r)}/${c.name}`, image: c.image });
        }
    }
    return images;
}

describe("rollout semantics of the dev and qa stacks (L12, L13, L14, L23)", function () {
    // 4 parallel program runs, then 1 more: two child lifetimes on a loaded machine (failed once at 120 s, load 33).
    this.timeout(600_000);
    let v1: ProgramRun;
    let v1Again: ProgramRun;
    let v2: ProgramRun;
    let rolledBack: ProgramRun;
    let qa: ProgramRun;

    before(async () => {
        [v1, v1Again, v2, qa] = await Promise.all([
            runProgram({ program: PROGRAM, stack: "dev", config: devWithApiDigest(DIGEST_V1) }),
            runProgram({ program: PROGRAM, stack: "dev", config: devWithApiDigest(DIGEST_V1) }),
            runProgram({ program: PROGRAM, stack: "dev", config: devWithApiDigest(DIGEST_V2) }),
            runProgram({ program: PROGRAM, stack: "qa", config: stackConfig("qa") }),
        ]);
        // Rollback = the older config again, after the newer one (L23).
        rolledBack = await runProgram({ program: PROGRAM, stack: "dev", config: devWithApiDigest(DIGEST_V1) });
    });

    it("L12/L13: a new API digest changes only the API Deployment and the migration Job", () => {
        assert.deepStrictEqual(changedResources(v1, v2), [
            "kubernetes:apps/v1:Deployment::north-api",
            "kubernetes:batch/v1:Job::north-api-migrate",
        ]);
        const api = find(v2, "kubernetes:apps/v1:Deployment", "north-api");
        assert.deepStrictEqual(
            api.inputs.spec.template.spec.containers.map((c: { image: string }) => c.image),
            [`${DEV_API_REPO}@${DIGEST_V2}`],
            "the pod template carries the new digest: a rolling update",
        );
    });

    it("L13: the migration Job is re-created for the new digest (template changes replace it) before the API rolls", () => {
        const job1 = find(v1, "kubernetes:batch/v1:Job", "north-api-migrate");
        const job2 = find(v2, "kubernetes:batch/v1:Job", "north-api-migrate");
        assert.strictEqual(job2.inputs.spec.template.spec.containers[0].image, `${DEV_API_REPO}@${DIGEST_V2}`);
        assert.notDeepStrictEqual(job2.inputs.spec.template, job1.inputs.spec.template);
        assert.ok(
            job2.options.replaceOnChanges?.includes("spec.template"),
            "a new template replaces the Job, which runs it again",
        );
        assert.strictEqual(
            job2.inputs.metadata.name,
            undefined,
            "auto-named: the new Job is created before the old one is deleted",
        );
        const api = find(v2, "kubernetes:apps/v1:Deployment", "north-api");
        assert.ok(api.options.dependsOn.includes(job2.urn), "the API waits for the migration");
    });

    it("L24: an API-only release leaves nginx and its version header untouched", () => {
        const site1 = find(v1, "kubernetes:apps/v1:Deployment", "north-site");
        const site2 = find(v2, "kubernetes:apps/v1:Deployment", "north-site");
        assert.deepStrictEqual(site2.inputs, site1.inputs);
        assert.strictEqual(v2.stackOutputs.version, v1.stackOutputs.version);
        assert.notDeepStrictEqual(v2.stackOutputs.images, v1.stackOutputs.images);
    });

    it("L14: the same config twice gives identical objects (no spurious diffs)", () => {
        assert.deepStrictEqual(changedResources(v1, v1Again), []);
        assert.deepStrictEqual(
            v1Again.resources.map((r) => r.inputs),
            v1.resources.map((r) => r.inputs),
        );
        assert.deepStrictEqual(v1Again.stackOutputs, v1.stackOutputs);
    });

    it("L23: the older config after a newer one reproduces the older objects and digests exactly (rollback)", () => {
        assert.deepStrictEqual(changedResources(v1, rolledBack), []);
        assert.deepStrictEqual(rolledBack.stackOutputs.images, v1.stackOutputs.images);
        assert.deepStrictEqual(
            (rolledBack.stackOutputs.images as Record<string, string>).api,
            `${DEV_API_REPO}@${DIGEST_V1}`,
            "the exported digest is what promotion and verify read",
        );
    });

    it("L12/L28: every image in dev's and qa's objects is digest-pinned and pulled IfNotPresent", () => {
        for (const run of [v1, qa]) {
            const images = podImages(run);
            assert.ok(
                images.length >= 4,
                `expected the api, migration, nginx and redis containers, got ${images.length}`,
            );
            for (const { resource, image } of images) {
                assert.match(image, /^[^@\s]+@sha256:[0-9a-f]{64}$/, `${resource} runs ${image}`);
            }
            const resources: LooseRecordedResource[] = run.resources;
            for (const r of resources) {
                const podSpec = r.inputs?.spec?.template?.spec;
                for (const c of [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])]) {
                    assert.notStrictEqual(
                        c.imagePullPolicy,
                        "Always",
                        `${key(r)}/${c.name}: Always relied on to refresh a tag (L28)`,
                    );
                }
            }
            const exported = Object.values(run.stackOutputs.images as Record<string, string>);
            for (const { resource, image } of images) {
                assert.ok(
                    exported.includes(image),
                    `${resource} runs ${image}, which the stack output images does not list (verify would call it stale)`,
                );
            }
        }
    });
});
