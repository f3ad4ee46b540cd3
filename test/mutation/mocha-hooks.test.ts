// tools/mutation/mocha-hooks.cjs: a mutant is switched on in the processes a test starts too, and what a suite's
// `before` hook runs counts as covered by the tests of that suite (the real-server tests render their configs there).
import * as assert from "node:assert";
import { spawnSync } from "node:child_process";

interface Coverage {
    static: Record<string, number>;
    perTest: Record<string, Record<string, number>>;
}
interface StrykerNamespace {
    activeMutant?: string;
    currentTestId?: string;
    mutantCoverage?: Coverage;
}
interface FakeSuite {
    title: string;
    root?: boolean;
    parent?: FakeSuite;
}
type Hook = (this: { currentTest?: { parent: FakeSuite } }) => void;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS root-hook file, as mocha loads it
const { ACTIVE_MUTANT_ENV, BETWEEN_TESTS, mochaHooks } = require("../../tools/mutation/mocha-hooks.cjs") as {
    ACTIVE_MUTANT_ENV: string;
    BETWEEN_TESTS: string;
    mochaHooks: { beforeAll: Hook; beforeEach: Hook; afterEach: Hook; afterAll: Hook };
};

const global = globalThis as typeof globalThis & { __stryker__?: StrykerNamespace };

/** What a child process started now sees of the active mutant. */
function childSees(): string {
    const script = `process.stdout.write(String(process.env.${ACTIVE_MUTANT_ENV}))`;
    return spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout;
}

describe("npm run test:mutation: mocha root hooks (tools/mutation/mocha-hooks.cjs)", function () {
    const saved = { namespace: global.__stryker__, env: process.env[ACTIVE_MUTANT_ENV] };
    after(function () {
        global.__stryker__ = saved.namespace;
        if (saved.env === undefined) {
            delete process.env[ACTIVE_MUTANT_ENV];
        } else {
            process.env[ACTIVE_MUTANT_ENV] = saved.env;
        }
    });

    it("passes the active mutant to the processes a test starts, and clears it for the unmutated dry run", function () {
        global.__stryker__ = { activeMutant: "42" };
        mochaHooks.beforeAll.call({});
        assert.strictEqual(childSees(), "42");
        global.__stryker__ = {};
        mochaHooks.beforeAll.call({});
        assert.strictEqual(childSees(), "undefined");
    });

    it("dry run: coverage of a suite's before hook counts for each of its tests, not for the test that ran before", function () {
        const root: FakeSuite = { title: "", root: true };
        const real: FakeSuite = { title: "nginx.conf on a real nginx", parent: root };
        const inner: FakeSuite = { title: "SSE", parent: real };
        const other: FakeSuite = { title: "stacks", parent: root };
        const ns: StrykerNamespace = { mutantCoverage: { static: {}, perTest: {} }, currentTestId: "earlier test" };
        global.__stryker__ = ns;
        const perTest = ns.mutantCoverage!.perTest;
        /** One test: our beforeEach, Stryker's (which names the test), the test's own coverage, our afterEach. */
        const runTest = (suite: FakeSuite, id: string, covers: string[]) => {
            const context = { currentTest: { parent: suite } };
            mochaHooks.beforeEach.call(context);
            ns.currentTestId = id;
            perTest[id] = Object.fromEntries(covers.map((mutant) => [mutant, 1]));
            mochaHooks.afterEach.call(context);
        };

        mochaHooks.beforeAll.call({});
        // The real-nginx suite's before hook renders nginx.conf: mutant 7.
        perTest[ns.currentTestId!] = { "7": 1 };
        runTest(inner, "real SSE 1", ["9"]);
        runTest(real, "real headers", []);
        // The next file's before hook: mutant 8.
        perTest[ns.currentTestId!] = { "8": 2 };
        runTest(other, "stacks dev", ["9"]);
        mochaHooks.afterAll.call({});

        assert.deepStrictEqual(perTest, {
            "real SSE 1": { "9": 1, "7": 1 },
            "real headers": { "7": 1 },
            "stacks dev": { "9": 1, "8": 2 },
        });
        assert.ok(!(BETWEEN_TESTS in perTest));
    });

    it("mutant runs leave the coverage alone", function () {
        const ns: StrykerNamespace = {
            activeMutant: "3",
            currentTestId: "a test",
            mutantCoverage: { static: {}, perTest: { "a test": { "3": 1 } } },
        };
        global.__stryker__ = ns;
        const context = { currentTest: { parent: { title: "s", parent: { title: "", root: true } } } };
        mochaHooks.beforeAll.call(context);
        mochaHooks.beforeEach.call(context);
        mochaHooks.afterEach.call(context);
        mochaHooks.afterAll.call(context);
        assert.deepStrictEqual(ns, {
            activeMutant: "3",
            currentTestId: "a test",
            mutantCoverage: { static: {}, perTest: { "a test": { "3": 1 } } },
        });
    });
});
