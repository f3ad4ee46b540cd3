// offline/check.ts's command line, read once by scripts/cli.ts (issue 26): which flags were written decides what
// applies, so a default value and a written one are told apart without scanning the words again.
import * as assert from "assert";
import { parseArgs, type CheckArgs } from "../offline/check";
import { UsageError } from "../scripts/cli";

const parsed = (...argv: string[]) => parseArgs(argv, {}) as CheckArgs;

describe("npm run check -- <flags>: the parsed command line (offline/check.ts parseArgs)", () => {
    it("knows whether --stack and --program were written, in either spelling, also with the default's value", () => {
        assert.deepStrictEqual(
            [parsed(), parsed("--stack", "dev"), parsed("--stack=qa"), parsed("--program=x/index.ts")].map((a) => [
                a.stackGiven,
                a.programGiven,
            ]),
            [
                [false, false],
                [true, false],
                [true, false],
                [false, true],
            ],
        );
        assert.strictEqual(parsed("--stack", "dev").stack, parsed().stack);
    });

    it("refuses --program, --stack or --config beside --manifests, not --policy-config", () => {
        for (const flag of ["--program=index.ts", "--stack=dev", "--config=c.yaml"]) {
            assert.throws(
                () => parsed("--manifests", "m.yaml", flag),
                (err: Error) =>
                    err instanceof UsageError && /^--manifests checks YAML, not a program/.test(err.message),
                flag,
            );
        }
        assert.strictEqual(parsed("--manifests", "m.yaml", "--policy-config", "p.json").policyConfig, "p.json");
    });
});
