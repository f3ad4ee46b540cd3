// A rollback after a schema migration (postmortem 002; issue 30): with the schema-version guard installed
// (admission/schema-guard.ts), reverting to an older image's config — its image and its lower
// migration.schemaVersion — fails at `pulumi preview` with the guard's message, and at `pulumi up` before the
// migration Job or the API Deployment change; the API image rolls back alone with migration.image kept (the Job does
// not re-run); a deliberate downgrade passes with migration.allowSchemaDowngradeTo. Real kube-apiserver, kwok nodes.
import * as assert from "assert";
import { createHash } from "crypto";
import { admissionObjects } from "../../admission/generate";
import { Api } from "../../components/api";
import { ImageRegistry } from "../../components/images";
import { SCHEMA_VERSION_ANNOTATION, schemaRecordName } from "../../components/schema-version";
import { createTestNamespace, localClusterOnly, suiteKubectl } from "./support/cluster";
import { kubectl, kubectlApply, kubectlJson, removeStackDirs, testStack, TestStack } from "./support/pulumi";

const NS = "webstack-rollback";
const APP = "shop";
const RECORD = schemaRecordName(APP);
const image = (label: string) => `quay.io/webstack/api@sha256:${createHash("sha256").update(label).digest("hex")}`;
const [IMAGE_V1, IMAGE_V2] = [image("release-1"), image("release-2")];

/** The API with its migration, as a release's config declares it. */
const release =
    (api: string, migration: { schemaVersion: number; image?: string; allowSchemaDowngradeTo?: number }) =>
    (): Promise<void> => {
        // kwok runs no container: the made-up digests are never looked up or pulled.
        const registry = new ImageRegistry(`${APP}-registry`, { verifyDigests: false });
        new Api(
            `${APP}-api`,
            {
                namespace: NS,
                image: api,
                command: ["gunicorn", "app:app"],
                partOf: APP,
                migration: { command: ["flask", "db", "upgrade"], ...migration },
            },
            { providers: [registry] },
        );
        return Promise.resolve();
    };

const deployedImage = () =>
    kubectl("get", "deployment", `${APP}-api`, "-n", NS, "-o", "jsonpath={.spec.template.spec.containers[0].image}");
const recordedVersion = () =>
    kubectlJson("get", "configmap", RECORD, "-n", NS).metadata.annotations[SCHEMA_VERSION_ANNOTATION] as string;
const jobs = () =>
    kubectlJson<{ items: any[] }>("get", "jobs", "-n", NS).items.map((j) => ({
        name: j.metadata.name as string,
        image: j.spec.template.spec.containers[0].image as string,
        succeeded: j.status?.succeeded as number | undefined,
    }));

const REFUSED = new RegExp(
    `\\[L13, L23\\] schema-version-guard: ConfigMap "${RECORD}" lowers the schema version from 2 to 1: the older image's migration would run against the newer schema\\. Fix: .*migration\\.image`,
);

describe("rollback after a schema migration: the schema-version guard at admission (postmortem 002)", function () {
    let s: TestStack | undefined;
    let guards: Record<string, unknown>[] = [];

    before(async function () {
        localClusterOnly(this, "the API's made-up image digests run only on kwok's fake nodes");
        createTestNamespace(NS, "restricted");
        guards = admissionObjects({ namespace: NS, prefix: "rollback-test", now: new Date() }).guards;
        kubectlApply(guards);
        // The policy takes effect once the API server's informers have it: wait for it to refuse a lowered probe.
        kubectlApply([
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "probe-schema", namespace: NS, annotations: { [SCHEMA_VERSION_ANNOTATION]: "5" } },
            },
        ]);
        const deadline = Date.now() + 60_000;
        for (;;) {
            try {
                suiteKubectl([
                    "annotate",
                    "--dry-run=server",
                    "--overwrite",
                    "-n",
                    NS,
                    "configmap/probe-schema",
                    `${SCHEMA_VERSION_ANNOTATION}=4`,
                ]);
            } catch (err) {
                if (/schema-version-guard/.test((err as Error).message)) {
                    break;
                }
                throw err;
            }
            if (Date.now() > deadline) {
                throw new Error("the schema-version guard never took effect");
            }
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
        s = await testStack("rollback", {}, release(IMAGE_V2, { schemaVersion: 2 }));
    });

    after(async function () {
        this.timeout(180_000);
        if (s) {
            await s.stack.workspace.removeStack(s.stack.name, { force: true }).catch(() => undefined);
            removeStackDirs([s]);
        }
        const named = guards.map((o) => `${String(o.kind).toLowerCase()}/${(o.metadata as { name: string }).name}`);
        suiteKubectl(["delete", ...named, `namespace/${NS}`, "--wait=false", "--ignore-not-found"]);
    });

    it("[L13, L23] reverting to release 1 (older image, schemaVersion 1) is refused at preview and at up; the Job and the API are untouched; the API rolls back alone with migration.image kept; allowSchemaDowngradeTo lets a deliberate downgrade through", async function () {
        assert.strictEqual((await s!.stack.up()).summary.result, "succeeded");
        assert.strictEqual(recordedVersion(), "2");
        const deployed = jobs();
        assert.deepStrictEqual(
            deployed.map((j) => [j.image, j.succeeded]),
            [[IMAGE_V2, 1]],
        );

        // The reverted config: release 1's image and its schema version. The preview's server-side dry run is refused.
        const revert = release(IMAGE_V1, { schemaVersion: 1 });
        await assert.rejects(s!.stack.preview({ program: revert }), (err: Error) => {
            assert.match(err.message, REFUSED);
            return true;
        });
        // `pulumi up --skip-preview` (what the Automation API runs): the record's update is refused first.
        await assert.rejects(s!.stack.up({ program: revert }), REFUSED);
        assert.strictEqual(recordedVersion(), "2");
        assert.deepStrictEqual(jobs(), deployed, "no migration Job of the older image ran");
        assert.strictEqual(deployedImage(), IMAGE_V2, "the API Deployment was not touched");
        // A hand edit gets the same answer, and cannot garble the version either.
        assert.throws(
            () => kubectl("annotate", "--overwrite", "-n", NS, `configmap/${RECORD}`, `${SCHEMA_VERSION_ANNOTATION}=1`),
            REFUSED,
        );
        assert.throws(
            () => kubectl("annotate", "--overwrite", "-n", NS, `configmap/${RECORD}`, `${SCHEMA_VERSION_ANNOTATION}-`),
            /schema-version-guard: ConfigMap "shop-schema" annotation webstack\.dev\/schema-version must stay a version number, got ""/,
        );

        // The safe rollback (docs/rollback.md): the older API image, the schema and its migration Job kept as they are.
        const apiOnly = release(IMAGE_V1, { schemaVersion: 2, image: IMAGE_V2 });
        assert.strictEqual((await s!.stack.preview({ program: apiOnly })).changeSummary?.replace, undefined);
        assert.strictEqual((await s!.stack.up({ program: apiOnly })).summary.result, "succeeded");
        assert.strictEqual(deployedImage(), IMAGE_V1);
        assert.deepStrictEqual(jobs(), deployed, "the migration did not re-run");

        // A deliberate downgrade (the database was migrated down by hand): the override names the target version.
        const downgrade = release(IMAGE_V1, { schemaVersion: 1, allowSchemaDowngradeTo: 1 });
        assert.strictEqual((await s!.stack.up({ program: downgrade })).summary.result, "succeeded");
        assert.strictEqual(recordedVersion(), "1");
        const rerun = jobs().filter((j) => !deployed.some((d) => d.name === j.name));
        assert.deepStrictEqual(
            rerun.map((j) => [j.image, j.succeeded]),
            [[IMAGE_V1, 1]],
        );
        // The override left on the record admits that one version only.
        assert.throws(
            () => kubectl("annotate", "--overwrite", "-n", NS, `configmap/${RECORD}`, `${SCHEMA_VERSION_ANNOTATION}=0`),
            /lowers the schema version from 1 to 0/,
        );
    });
});
