/**
 * The project's own stacks (index.ts with Pulumi.dev.yaml / Pulumi.qa.yaml) pass the whole pack with no
 * mandatory and no advisory violation, with the default config and with policy-config.example.json.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runPolicies } from "../../offline/policy-runner";
import { RecordedResource, runProgram } from "../../offline/run-program";
import { loadStackConfigFile } from "../../offline/stack-config";
import { TYPES } from "../../policy/k8s";

const ROOT = path.join(__dirname, "..", "..");
const EXAMPLE_CONFIG = JSON.parse(fs.readFileSync(path.join(ROOT, "policy-config.example.json"), "utf8"));

describe("the project's own stacks pass the policy pack", function () {
    // On a loaded 2-core machine a program run can take tens of seconds.
    this.timeout(300_000);

    for (const stack of ["dev", "qa"]) {
        let resources: Promise<RecordedResource[]>;
        before(() => {
            resources = runProgram({
                program: path.join(ROOT, "index.ts"),
                stack,
                config: loadStackConfigFile(path.join(ROOT, `Pulumi.${stack}.yaml`), "webstack"),
            }).then((run) => run.resources);
            resources.catch(() => undefined); // awaited (and reported) by the tests
        });

        it(`[L01-L32] ${stack}: zero mandatory and zero advisory violations with the default config`, async () => {
            const all = await resources;
            const kinds = new Set(all.map((r) => r.type));
            for (const type of [
                TYPES.deployment,
                TYPES.statefulSet,
                TYPES.job,
                TYPES.service,
                TYPES.route,
                TYPES.pvc,
                TYPES.networkPolicy,
            ]) {
                assert.ok(kinds.has(type), `the ${stack} stack has no ${type}: the check would be vacuous`);
            }
            const violations = await runPolicies(all);
            assert.deepEqual(
                violations.map((v) => `${v.level} ${v.policy} ${v.resource}: ${v.message}`),
                [],
            );
        });

        it(`[L20] ${stack}: zero violations with policy-config.example.json (allowed prefixes on)`, async () => {
            const violations = await runPolicies(await resources, { packConfig: EXAMPLE_CONFIG });
            assert.deepEqual(
                violations.map((v) => `${v.level} ${v.policy} ${v.resource}: ${v.message}`),
                [],
            );
        });
    }
});
