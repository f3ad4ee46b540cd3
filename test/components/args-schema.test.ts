// A component's schema and its Args type cannot drift apart: argsSchema makes `tsc` (run by `npm test` before
// mocha) reject a schema with a key the Args lack, without one they have, or with another optionality. Each
// expected-error directive below fails the type check the day argsSchema stops catching its case.
import * as assert from "assert";
import { apiSchema } from "../../components/api";
import { z } from "zod";
import { argsSchema, checkedSchema, imageRefSchema, int, problemsOfIssue } from "../../components/args-schema";
import { FieldProblem } from "../../components/errors";

interface Bounds {
    min: number;
    max: number;
    step?: number;
}

describe("argsSchema ties a component's schema to its Args type", () => {
    it("compiles only with exactly the Args' keys and value types", () => {
        // @ts-expect-error `stride` is not a key of Bounds
        argsSchema<Bounds>()({ min: int, max: int, step: int.optional(), stride: int });
        // @ts-expect-error `step` of Bounds has no schema
        argsSchema<Bounds>()({ min: int, max: int });
        // @ts-expect-error `max` is optional in the schema but required in Bounds
        argsSchema<Bounds>()({ min: int, max: int.optional(), step: int.optional() });
        const exact = argsSchema<Bounds>()({ min: int, max: int, step: int.optional() });
        assert.deepStrictEqual(exact.parse({ min: 1, max: 2 }), { min: 1, max: 2 });
    });

    it("a component's schema rejects a key its Args do not have, naming it", () => {
        const parsed = apiSchema.safeParse({ image: "ghcr.io/acme/api:1", command: ["node"], replica: 2 });
        assert.strictEqual(parsed.success, false);
        assert.deepStrictEqual(
            parsed.error?.issues.map((i) => [i.code, (i as { keys?: string[] }).keys]),
            [["unrecognized_keys", ["replica"]]],
        );
    });
});

describe("checkedSchema: the stack config refuses a value with the component's own problem, at the key's path", () => {
    const negative = (field: string, value: number): FieldProblem => ({
        field,
        problem: "must be 0 or more",
        got: value,
        fix: `set ${field} to 0`,
        lessons: ["L21"],
    });
    const count = checkedSchema(z.number(), (field, value) => (value < 0 ? negative(field, value) : undefined));

    it("accepts what the check accepts", () => {
        assert.strictEqual(count.parse(2), 2);
    });

    it("refuses with the check's words, and the issue gives the whole problem at any path", () => {
        const parsed = count.safeParse(-1);
        assert.strictEqual(parsed.success, false);
        const [issue] = parsed.error.issues;
        assert.strictEqual(parsed.error.issues.length, 1);
        assert.strictEqual(issue.message, "must be 0 or more");
        assert.deepStrictEqual(problemsOfIssue(issue, "site.count"), [negative("site.count", -1)]);
    });

    it("a check with several problems: one issue, the problems joined in its message, each at the path", () => {
        const both = checkedSchema(z.string(), (field, value) =>
            value === "" ? [negative(field, 0), { ...negative(field, 0), problem: "must not be empty" }] : [],
        );
        assert.ok(both.safeParse("x").success, "an empty list is no problem");
        const [issue] = both.safeParse("").error!.issues;
        assert.strictEqual(issue.message, "must be 0 or more; must not be empty");
        assert.deepStrictEqual(
            problemsOfIssue(issue, "a.b")!.map((p) => [p.field, p.problem]),
            [
                ["a.b", "must be 0 or more"],
                ["a.b", "must not be empty"],
            ],
        );
    });

    it("zod's own issues (a wrong type) carry no component problem", () => {
        const [issue] = count.safeParse("two").error!.issues;
        assert.strictEqual(problemsOfIssue(issue, "site.count"), undefined);
    });

    it("L12 imageRefSchema names what is wrong with the reference", () => {
        const [issue] = imageRefSchema.safeParse("ghcr.io/org/App:1").error!.issues;
        assert.strictEqual(
            issue.message,
            'is not an image reference: it has path segment "App" with upper-case letters',
        );
    });
});
