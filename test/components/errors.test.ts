// components/errors.ts: how every bad setting reads at `pulumi preview` — "field: problem (got v). Fix: … [lessons]",
// secrets never shown, long values cut, and the run's closing error counting the problems it reported.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    argPaths,
    describeValue,
    FieldProblem,
    formatProblem,
    HIDDEN,
    prefixed,
    ProblemsReported,
    reportingProblems,
    WebStackArgError,
} from "../../components/errors";

const problem = (over: Partial<FieldProblem> = {}): FieldProblem => ({
    field: "api.port",
    problem: "must be an integer from 1024 to 65535",
    got: 80,
    fix: "set api.port to 5000",
    ...over,
});

describe("errors (components/errors.ts)", () => {
    it("L19 describeValue: a secret is never shown, a missing value is 'nothing', others as JSON", () => {
        assert.strictEqual(describeValue(HIDDEN), "<secret, not shown>");
        assert.strictEqual(describeValue(undefined), "nothing");
        assert.strictEqual(describeValue(["a", 1]), '["a",1]');
    });

    it("describeValue: a value of more than 240 characters is cut to 240, ending in ...", () => {
        const fits = "x".repeat(238); // 240 with its quotes
        assert.strictEqual(describeValue(fits), JSON.stringify(fits));
        const long = describeValue("y".repeat(239));
        assert.strictEqual(long.length, 240);
        assert.strictEqual(long, `"${"y".repeat(236)}...`);
    });

    it("formatProblem: field, problem, value and fix, with the lessons in brackets when there are any", () => {
        assert.strictEqual(
            formatProblem(problem({ lessons: ["L02", "L18"] })),
            "api.port: must be an integer from 1024 to 65535 (got 80). Fix: set api.port to 5000 [L02, L18]",
        );
        const plain = "api.port: must be an integer from 1024 to 65535 (got 80). Fix: set api.port to 5000";
        assert.strictEqual(formatProblem(problem()), plain);
        assert.strictEqual(formatProblem(problem({ lessons: [] })), plain);
    });

    it("WebStackArgError: a RunError (no stack trace at preview) listing every problem, one a line", () => {
        const err = new WebStackArgError([problem(), problem({ field: "api.replicas", got: 1 })]);
        assert.ok(err instanceof pulumi.RunError);
        assert.strictEqual(err.name, "WebStackArgError");
        assert.deepStrictEqual(err.message.split("\n"), [
            formatProblem(problem()),
            formatProblem(problem({ field: "api.replicas", got: 1 })),
        ]);
        assert.strictEqual(err.problems.length, 2);
    });

    it("ProblemsReported: the run's last error only counts the problems reported above it", () => {
        const one = new ProblemsReported([problem()], "the stack config");
        assert.strictEqual(one.name, "ProblemsReported");
        assert.strictEqual(one.message, "the stack config: 1 problem, each reported above; nothing was deployed");
        assert.ok(one instanceof WebStackArgError);
        const two = new ProblemsReported([problem(), problem()], "the stack config");
        assert.strictEqual(two.message, "the stack config: 2 problems, each reported above; nothing was deployed");
    });

    it("argPaths and prefixed: arguments named in the caller's terms, moved ones by their own path", () => {
        const { prefix, path } = argPaths({ prefix: "api.", moved: { secretEnv: "apiSecrets" } });
        assert.strictEqual(prefix, "api.");
        assert.strictEqual(path("port"), "api.port");
        assert.strictEqual(path("secretEnv.TOKEN"), "apiSecrets.TOKEN");
        assert.strictEqual(path("secretEnv[0]"), "apiSecrets[0]");
        assert.strictEqual(argPaths("site.").path("replicas"), "site.replicas");
        assert.strictEqual(argPaths().path("replicas"), "replicas");
        assert.deepStrictEqual(
            prefixed([problem({ field: "port" })], "site.").map((p) => p.field),
            ["site.port"],
        );
        assert.deepStrictEqual(prefixed([problem({ field: "port" })], ""), [problem({ field: "port" })]);
    });
});

describe("reportingProblems (components/errors.ts): each problem its own error diagnostic, then one closing error", () => {
    const logged: string[] = [];
    const original = pulumi.log.error;
    beforeEach(() => {
        logged.length = 0;
        (pulumi.log as { error: (msg: string) => Promise<void> }).error = (msg: string) => {
            logged.push(msg);
            return Promise.resolve();
        };
    });
    afterEach(() => {
        (pulumi.log as { error: typeof original }).error = original;
    });

    it("L22 a WebStackArgError: every problem logged in the preview's format, then ProblemsReported counting them", () => {
        const problems = [problem(), problem({ field: "api.replicas", got: 1 })];
        assert.throws(
            () =>
                reportingProblems("the stack config", () => {
                    throw new WebStackArgError(problems);
                }),
            (err: unknown) =>
                err instanceof ProblemsReported &&
                err.message === "the stack config: 2 problems, each reported above; nothing was deployed",
        );
        assert.deepStrictEqual(logged, problems.map(formatProblem));
    });

    it("anything else, and a ProblemsReported from a nested setup, passes through unlogged", () => {
        const other = new Error("boom");
        assert.throws(
            () =>
                reportingProblems("x", () => {
                    throw other;
                }),
            (err: unknown) => err === other,
        );
        const reported = new ProblemsReported([problem()], "inner");
        assert.throws(
            () =>
                reportingProblems("outer", () => {
                    throw reported;
                }),
            (err: unknown) => err === reported,
        );
        assert.deepStrictEqual(logged, []);
        assert.strictEqual(
            reportingProblems("x", () => 7),
            7,
        );
    });
});
