/**
 * "Not evaluated" under the real CLI (issue 22 item 4): on a new stack's first preview a container port derived from a
 * resource of the same update is unknown, so the mandatory no-privileged-ports cannot run. By default the pack
 * fails the preview (the unknown is not an image reference); with WEBSTACK_NOT_EVALUATED=report it only lists it.
 * The mock harness's preview mode reports the same.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { runPolicies } from "../../offline/policy-runner";
import { runProgram } from "../../offline/run-program";
import { NOT_EVALUATED_ENV } from "../../policy/not-evaluated";
import { EngineStack, policyPack, programFrom } from "./engine";
import { printedViolations } from "./policy-output";

const FIXTURES = path.join(__dirname, "fixtures");
const PROGRAM = path.join(FIXTURES, "unknown-port-program.ts");
const INPUT = "spec.template.spec.containers[0].ports[0].containerPort";

describe("engine: a mandatory policy not evaluated during preview (issue 22 item 4)", function () {
    this.timeout(600_000);
    let stack: EngineStack;
    before(async () => {
        stack = await EngineStack.create({
            stack: "unknown-port",
            configFile: path.join(FIXTURES, "Pulumi.unknown-port.yaml"),
            program: programFrom(PROGRAM),
        });
    });
    after(() => stack?.remove());

    /** `<level> <policy> <name>` of every policy the CLI reported as not evaluated. */
    const notEvaluated = (stdout: string) =>
        printedViolations(stdout)
            .filter((v) => v.text.includes("NOT EVALUATED"))
            .map((v) => `${v.level} ${v.policy} ${v.name}`)
            .sort();

    it("default: the preview fails on no-privileged-ports, not evaluated, naming the unknown input; the mock harness agrees", async () => {
        const result = await stack.withProgram(["preview", "--policy-pack", policyPack()], { allowFailure: true });
        assert.notEqual(result.code, 0, result.stdout);
        const engine = notEvaluated(result.stdout);
        assert.ok(engine.includes("mandatory no-privileged-ports web"), result.stdout);
        const printed = printedViolations(result.stdout).find((v) => v.policy === "no-privileged-ports")!;
        assert.ok(
            printed.text.includes(`NOT EVALUATED: the input ${INPUT} is unknown until the update runs.`),
            printed.text,
        );

        const mock = await runPolicies(
            (await runProgram({ program: PROGRAM, stack: "unknown-port", preview: true })).resources,
        );
        assert.deepEqual(
            mock
                .filter((v) => v.notEvaluated !== undefined)
                .map((v) => `${v.level} ${v.policy} ${v.resource.split("::")[1]}`)
                .sort(),
            engine,
        );
    });

    it("WEBSTACK_NOT_EVALUATED=report: the same preview passes, the policy listed as not evaluated (advisory)", async () => {
        const result = await stack.withProgram(["preview", "--policy-pack", policyPack()], {
            env: { [NOT_EVALUATED_ENV]: "report" },
        });
        assert.ok(notEvaluated(result.stdout).includes("advisory no-privileged-ports web"), result.stdout);
        assert.ok(!printedViolations(result.stdout).some((v) => v.level === "mandatory"), result.stdout);
    });
});
