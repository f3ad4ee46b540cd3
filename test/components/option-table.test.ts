// components/option-table.ts: a component's options as one table (default, check, lessons), from which the checks,
// the defaults and the schema's rules are all read.
import * as assert from "assert";
import { FieldProblem } from "../../components/errors";
import { defaultsOf, optionProblems, OptionRule, tableProblems, withDefaults } from "../../components/option-table";

const atLeastTwo: OptionRule<number> = {
    default: 2,
    check: (field, value) =>
        value >= 2 ? undefined : { field, problem: "must be 2 or more", got: value, fix: `set ${field} to 2` },
    lessons: ["L10", "L21"],
};

describe("option tables (components/option-table.ts)", () => {
    it("L21 a problem without lessons of its own gets the rule's; one with its own keeps them", () => {
        assert.deepStrictEqual(optionProblems(atLeastTwo, "api.replicas", 1), [
            {
                field: "api.replicas",
                problem: "must be 2 or more",
                got: 1,
                fix: "set api.replicas to 2",
                lessons: ["L10", "L21"],
            },
        ]);
        const own: OptionRule<number> = {
            check: (field, value): FieldProblem => ({ field, problem: "p", got: value, fix: "f", lessons: ["L03"] }),
            lessons: ["L10"],
        };
        assert.deepStrictEqual(optionProblems(own, "x", 1)[0].lessons, ["L03"]);
        const bare: OptionRule<number> = { check: (field, value) => ({ field, problem: "p", got: value, fix: "f" }) };
        assert.strictEqual(optionProblems(bare, "x", 1)[0].lessons, undefined);
    });

    it("a check may report one problem per element; the elements without one are dropped", () => {
        const each: OptionRule<number[]> = {
            check: (field, values) =>
                values.map((v, i) =>
                    v < 0 ? { field: `${field}[${i}]`, problem: "negative", got: v, fix: "f" } : undefined,
                ),
        };
        assert.deepStrictEqual(
            optionProblems(each, "ports", [1, -2, 3, -4]).map((p) => p.field),
            ["ports[1]", "ports[3]"],
        );
    });

    it("defaults and withDefaults: an option given as undefined takes its default", () => {
        const table = { replicas: atLeastTwo, command: { ...atLeastTwo, default: undefined } };
        const defaults = defaultsOf<{ replicas: number }>(table);
        assert.deepStrictEqual(defaults, { replicas: 2 });
        assert.ok(Object.isFrozen(defaults));
        assert.deepStrictEqual(withDefaults(defaults, { replicas: undefined, port: 80 }), { replicas: 2, port: 80 });
        assert.deepStrictEqual(withDefaults(defaults, { replicas: 5 }), { replicas: 5 });
    });

    it("tableProblems: only given options are checked, unless required; fields named after the prefix", () => {
        const table = { replicas: atLeastTwo, min: atLeastTwo };
        assert.deepStrictEqual(
            tableProblems(table, { replicas: 1 }, [], "api.").map((p) => p.field),
            ["api.replicas"],
        );
        assert.deepStrictEqual(tableProblems(table, {}), []);
        const required: OptionRule<number> = {
            check: (field, value) =>
                value === undefined ? { field, problem: "is required", got: value, fix: "f" } : undefined,
        };
        assert.deepStrictEqual(
            tableProblems({ command: required, port: required }, {}, ["command"]).map((p) => p.field),
            ["command"],
        );
    });
});
