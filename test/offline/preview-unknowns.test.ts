/**
 * The mock harness in preview mode produces the unknowns a brand-new stack's first `pulumi preview` has
 * (test/engine/preview.test.ts shows them under the real engine), so the fast suite covers them too: no policy
 * crashes or reports a false violation on them, and an unknown that hides a real problem is reported as advisory
 * "can't run ... during preview" instead of passing in silence.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { runPolicies } from "../../offline/policy-runner";
import { runProgram } from "../../offline/run-program";
import { loadStackConfigFile } from "../../offline/stack-config";

const ROOT = path.join(__dirname, "..", "..");
const UNKNOWN_TAG_PROGRAM = path.join(ROOT, "test", "engine", "fixtures", "unknown-tag-program.ts");

/** `advisory <policy> <type>::<name>` of every "can't run ... during preview" report, sorted. */
function cantRunDuringPreview(
    violations: { level: string; policy: string; resource: string; message: string }[],
): string[] {
    return violations
        .filter((v) => v.message.startsWith("can't run"))
        .map((v) => `${v.level} ${v.policy} ${v.resource}`)
        .sort();
}

/** What the first preview of dev with api.build reports (test/engine/preview.test.ts: the engine reports the same). */
const API_BUILD_UNKNOWN_IMAGE = [
    "images-digest-pinned",
    "internal-registry-same-namespace",
    "no-root-only-images",
    "redis-data-persistent",
    "s2i-builder-command-set",
]
    .flatMap((policy) => [
        `advisory ${policy} kubernetes:apps/v1:Deployment::north-api`,
        `advisory ${policy} kubernetes:batch/v1:Job::north-api-migrate`,
    ])
    .sort();

describe("offline harness: a new stack's first preview (values unknown until apply)", function () {
    this.timeout(300_000);

    it("[L12] an image tag known only after apply: advisory can't run during preview; mandatory once known (as after pulumi up)", async () => {
        const preview = await runPolicies(
            (await runProgram({ program: UNKNOWN_TAG_PROGRAM, stack: "unknown", preview: true })).resources,
        );
        assert.deepEqual(
            preview.filter((v) => v.level === "mandatory"),
            [],
        );
        const digestPinned = preview.filter((v) => v.policy === "images-digest-pinned");
        assert.equal(digestPinned.length, 1);
        assert.equal(digestPinned[0].level, "advisory");
        assert.match(
            digestPinned[0].message,
            /^can't run policy 'images-digest-pinned' during preview: .*can't be known during preview/,
        );

        const applied = await runPolicies(
            (await runProgram({ program: UNKNOWN_TAG_PROGRAM, stack: "unknown" })).resources,
        );
        assert.deepEqual(
            applied.filter((v) => v.level === "mandatory").map((v) => v.policy),
            ["images-digest-pinned"],
        );
    });

    it("[L12, L17] webstack dev with api.build: the pushed digest is unknown, so the policies that read the API image say they can't run during preview (advisory), none fails", async () => {
        const config = loadStackConfigFile(
            path.join(ROOT, "test", "fixtures", "stacks", "build", "Pulumi.dev.yaml"),
            "webstack",
        );
        const preview = await runPolicies(
            (await runProgram({ program: path.join(ROOT, "index.ts"), stack: "dev", config, preview: true })).resources,
        );
        assert.deepEqual(
            preview.filter((v) => v.level === "mandatory"),
            [],
        );
        assert.deepEqual(cantRunDuringPreview(preview), API_BUILD_UNKNOWN_IMAGE);
        for (const v of preview.filter((x) => x.message.startsWith("can't run"))) {
            assert.match(
                v.message,
                /during preview: string value at \.spec\.template\.spec\.containers\.0\.image can't be known during preview$/,
            );
        }
    });

    it("[L19, L22] webstack dev: the Redis password is unknown, and no policy crashes or reports a violation because of it", async () => {
        const config = loadStackConfigFile(path.join(ROOT, "Pulumi.dev.yaml"), "webstack");
        const previewRun = await runProgram({
            program: path.join(ROOT, "index.ts"),
            stack: "dev",
            config,
            preview: true,
        });
        const password = previewRun.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword");
        assert.ok(password, "no RandomPassword in the dev stack");
        assert.equal(password.outputs.result, undefined, "the password was expected to be unknown during preview");

        const preview = await runPolicies(previewRun.resources);
        const applied = await runPolicies(
            (await runProgram({ program: path.join(ROOT, "index.ts"), stack: "dev", config })).resources,
        );
        assert.deepEqual(
            preview.filter((v) => v.level === "mandatory"),
            [],
        );
        assert.deepEqual(
            preview.filter((v) => v.message.startsWith("can't run")),
            [],
        );
        // The unknowns change nothing else the pack reports.
        const summary = (vs: typeof preview) => vs.map((v) => `${v.level} ${v.policy} ${v.resource}`).sort();
        assert.deepEqual(summary(preview), summary(applied));
    });
});
