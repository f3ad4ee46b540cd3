// A component's schema and its Args type cannot drift apart: argsSchema makes `tsc` (run by `npm test` before
// mocha) reject a schema with a key the Args lack, without one they have, or with another optionality. Each
// expected-error directive below fails the type check the day argsSchema stops catching its case.
import * as assert from "assert";
import { apiSchema } from "../../components/api";
import { argsSchema, int } from "../../components/args-schema";

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
