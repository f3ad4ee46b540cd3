/**
 * Upgrade safety (issue 23): a stack deployed with the program as it was at a fixed earlier commit, then previewed
 * with the current program and stack files, must plan no replacement and no deletion — only the changes listed
 * below. A renamed or re-parented child changes its URN, which the engine turns into delete-and-create: for the
 * protected content and Redis claims that makes `pulumi up` fail half way (L32), for the rest it recreates objects
 * nobody meant to touch. A refactor that must move a resource ships an alias, and this test then passes again.
 * The baseline is test/engine/fixtures/upgrade-baseline/ (tools/engine/upgrade-baseline.sh writes it).
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { changesOf, EngineStack, programFrom, ROOT, WEBSTACK } from "./engine";

const BASELINE_DIR = path.join(__dirname, "fixtures", "upgrade-baseline");
const BASELINE: { commit: string; date: string; reason: string } = JSON.parse(
    fs.readFileSync(path.join(BASELINE_DIR, "baseline.json"), "utf8"),
);

/**
 * What the current program intends to change on a stack deployed by the baseline, as "op type::name" (op from
 * `pulumi preview --json`). Empty: the upgrade leaves every deployed object as it is. A deliberate change adds
 * its steps here (and says why), or refreshes the baseline.
 */
/** Issue 27: Redis reads its password's hash from an ACL file mounted from a new Secret, not `--requirepass` (L19). */
const REDIS_OFF_COMMAND_LINE = [
    "create kubernetes:core/v1:Secret::north-redis-acl",
    "update kubernetes:apps/v1:StatefulSet::north-redis",
];
/** Issue 30: the schema version is recorded on a new ConfigMap, which the migration Job and the API depend on (L13, L23). */
const SCHEMA_RECORD = ["create kubernetes:core/v1:ConfigMap::north-api-migrate-schema"];
const INTENDED_CHANGES: Record<string, string[]> = {
    dev: [...SCHEMA_RECORD, ...REDIS_OFF_COMMAND_LINE],
    qa: [...SCHEMA_RECORD, ...REDIS_OFF_COMMAND_LINE],
};

/** Operations that destroy what a stack deployed: never allowed by an upgrade, intended or not. */
const DESTRUCTIVE = /replace|delete|discard/;

/** The baseline program unpacked inside the repository (git-ignored .engine/), so its imports find node_modules. */
function unpackBaseline(): string {
    const dir = path.join(ROOT, ".engine", "upgrade-baseline", BASELINE.commit.slice(0, 12));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execFileSync("tar", ["xzf", path.join(BASELINE_DIR, "program.tar.gz"), "-C", dir]);
    return dir;
}

describe(`engine: upgrading stacks deployed by ${BASELINE.commit.slice(0, 12)} (${BASELINE.date}) to the current program [L32, L14]`, function () {
    this.timeout(900_000);
    let baselineDir: string;

    before(() => {
        baselineDir = unpackBaseline();
    });
    after(() => fs.rmSync(baselineDir, { recursive: true, force: true }));

    for (const stackName of Object.keys(INTENDED_CHANGES)) {
        it(`[L32, L14] ${stackName}: pulumi up with the baseline, then preview with the current program: no replacement, no deletion, only the intended changes`, async () => {
            const stack = await EngineStack.create({
                stack: stackName,
                configFile: path.join(baselineDir, `Pulumi.${stackName}.yaml`),
                program: programFrom(path.join(baselineDir, "index.ts")),
            });
            try {
                await stack.withProgram(["up", "--yes", "--skip-preview"]);
                const deployedResources: unknown[] = (await stack.exportState()).deployment.resources ?? [];
                assert.ok(
                    deployedResources.length >= 20,
                    `the baseline deployed ${deployedResources.length} resources`,
                );
                const deployed = changesOf((await stack.previewJson()).digest.steps);
                assert.deepEqual(deployed, [], "the baseline program must be converged on its own state first");

                stack.useConfigFile(path.join(ROOT, `Pulumi.${stackName}.yaml`));
                stack.program = WEBSTACK;
                const { result, digest } = await stack.previewJson();
                const changes = changesOf(digest.steps);
                const destroyed = changes.filter((c) => DESTRUCTIVE.test(c.split(" ")[0]));
                assert.deepEqual(
                    destroyed,
                    [],
                    `the current program would replace or delete what ${BASELINE.commit.slice(0, 12)} deployed: ` +
                        `a child renamed or re-parented needs an alias (aliases: [{ name: <old name> }] or { parent: <old parent> })\n${result.stdout}`,
                );
                assert.deepEqual(changes, INTENDED_CHANGES[stackName], result.stdout);
            } finally {
                stack.remove();
            }
        });
    }
});
