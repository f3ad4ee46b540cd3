// Storage and its consumer rules: ReadWriteOnce forces one replica with Recreate, more is rejected (L03); the
// claim is protected (L32).
import * as assert from "assert";
import { recordResources } from "../../offline/run-program";
import { WebStackArgError } from "../../components/errors";
import { StaticSite } from "../../components/static-site";
import { consumerPlan, consumerProblems, quantityProblems, Storage, StorageArgs } from "../../components/storage";
import { assertSchemaValid, one } from "./support";

const UPSTREAM = "web-api.demo.svc:5000";

function siteOn(storage: Partial<StorageArgs>, site: Partial<ConstructorParameters<typeof StaticSite>[1]> = {}) {
    return recordResources(() => {
        const content = new Storage("content", { namespace: "demo", ...storage });
        new StaticSite("site", { namespace: "demo", apiUpstream: UPSTREAM, content: { storage: content }, ...site });
    });
}

async function rejectionOf(build: Promise<unknown>): Promise<string> {
    try {
        await build;
    } catch (err) {
        assert.ok(err instanceof WebStackArgError || /WebStackArgError|Fix:/.test(String(err)), String(err));
        return (err as Error).message;
    }
    return assert.fail("accepted");
}

describe("Storage (components/storage.ts)", () => {
    it("L32 the claim is created with protect: true, default ReadWriteMany 1Gi, schema-valid", async () => {
        const resources = await recordResources(() => {
            new Storage("content", { namespace: "demo" });
        });
        const pvc = one(resources, "PersistentVolumeClaim", "content");
        assert.strictEqual(pvc.resource.options.protect, true);
        assert.deepStrictEqual(pvc.obj.spec.accessModes, ["ReadWriteMany"]);
        assert.strictEqual(pvc.obj.spec.resources.requests.storage, "1Gi");
        assertSchemaValid(resources);
    });

    it("rejects a size that is not a quantity, naming field, value and fix", async () => {
        const message = await rejectionOf(
            recordResources(() => {
                new Storage("content", { namespace: "demo", size: "lots" });
            }),
        );
        assert.match(message, /^size: is not a Kubernetes quantity \(got "lots"\)\. Fix: .*"1Gi"/);
    });

    it("L03 ReadWriteOnce ⇒ the consumer runs 1 replica with strategy Recreate", async () => {
        const resources = await siteOn({ accessMode: "ReadWriteOnce" });
        const site = one(resources, "Deployment", "site").obj;
        assert.strictEqual(site.spec.replicas, 1);
        assert.deepStrictEqual(site.spec.strategy, { type: "Recreate" });
    });

    it("L03 ReadWriteOnce with 3 replicas is rejected at construction (the Multi-Attach incident)", async () => {
        const message = await rejectionOf(siteOn({ accessMode: "ReadWriteOnce" }, { replicas: 3 }));
        assert.match(
            message,
            /^replicas: more than 1 replica cannot mount a ReadWriteOnce volume.*\(got 3\)\. Fix: .*content\.volume\.accessMode to ReadWriteMany.*\[L03\]$/m,
        );
    });

    it("L03 ReadWriteOnce with an HPA max of 4 is rejected", async () => {
        const message = await rejectionOf(siteOn({ accessMode: "ReadWriteOnce" }, { autoscaling: { min: 1, max: 4 } }));
        assert.match(message, /^autoscaling\.max: an autoscaler could add replicas.*\(got 4\)\. Fix: .*\[L03\]$/m);
    });

    it("L03 ReadWriteMany allows several replicas, rolling with maxUnavailable 0 (L29)", async () => {
        const resources = await siteOn({ accessMode: "ReadWriteMany" }, { replicas: 3 });
        const site = one(resources, "Deployment", "site").obj;
        assert.strictEqual(site.spec.replicas, 3);
        assert.deepStrictEqual(site.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
        assert.ok(one(resources, "PodDisruptionBudget", "site"), "L21: PDB with ≥ 2 replicas");
    });

    it("L03 one replica (and an autoscaler max of 1) fits a ReadWriteOnce volume; any number fits ReadWriteMany", () => {
        const fields = {
            replicas: "site.replicas",
            maxReplicas: "site.autoscaling.max",
            accessMode: "site.content.volume.accessMode",
        };
        assert.deepStrictEqual(consumerProblems("ReadWriteOnce", { replicas: 1, maxReplicas: 1 }, fields), []);
        assert.deepStrictEqual(consumerProblems("ReadWriteMany", { replicas: 5, maxReplicas: 9 }, fields), []);
        const problems = consumerProblems("ReadWriteOnce", { replicas: 2, maxReplicas: 2 }, fields);
        assert.deepStrictEqual(
            problems.map((p) => [p.field, p.got, p.lessons]),
            [
                ["site.replicas", 2, ["L03"]],
                ["site.autoscaling.max", 2, ["L03"]],
            ],
        );
        assert.match(problems[0].fix, /set site\.content\.volume\.accessMode to ReadWriteMany/);
        assert.deepStrictEqual(consumerPlan("ReadWriteMany", 4), { replicas: 4, strategy: "RollingUpdate" });
        assert.deepStrictEqual(consumerPlan("ReadWriteOnce", 1), { replicas: 1, strategy: "Recreate" });
    });

    it("the claim asks for the given size, class and access mode, labelled as storage of its application", async () => {
        const resources = await recordResources(() => {
            new Storage("content", {
                namespace: "demo",
                size: "2.5Gi",
                accessMode: "ReadWriteOnce",
                storageClassName: "fast",
                partOf: "shop",
            });
        });
        const pvc = one(resources, "PersistentVolumeClaim", "content").obj;
        assert.deepStrictEqual(pvc.spec, {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: "2.5Gi" } },
            storageClassName: "fast",
        });
        assert.deepStrictEqual(
            [pvc.metadata.name, pvc.metadata.namespace, pvc.metadata.labels["app.kubernetes.io/component"]],
            ["content", "demo", "storage"],
        );
        assert.strictEqual(pvc.metadata.labels["app.kubernetes.io/part-of"], "shop");
        assert.deepStrictEqual(quantityProblems("500Mi", "size"), []);
    });

    it("L21 a consumer of a ReadWriteOnce volume runs one pod, so it gets no PodDisruptionBudget", async () => {
        const resources = await siteOn({ accessMode: "ReadWriteOnce" });
        assert.deepStrictEqual(
            resources.filter((r) => r.type.endsWith("PodDisruptionBudget")).map((r) => r.name),
            [],
        );
    });
});
