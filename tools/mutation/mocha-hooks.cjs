// Mocha root hooks for mutant runs (tools/mutation/stryker.config.mjs requires this file). Two gaps of Stryker's mocha
// runner, which would otherwise leave mutants "surviving" tests that do catch them:
//
// 1. A test's child processes. Stryker switches a mutant on in this process only (global.__stryker__.activeMutant); a
//    process a test starts (`npm run check`, a nested mocha) would run the same sandbox code unmutated, so it could
//    neither kill the mutant nor agree with the mutated code in the test's own process. The instrumented code reads
//    __STRYKER_ACTIVE_MUTANT__ when it loads, so the variable is set for every mutant run, before any suite's
//    `before` hook (Stryker activates the mutant, then starts mocha), and cleared for the unmutated dry run.
// 2. Coverage in `before` hooks. Per-test coverage is recorded under the id of the test that runs (set by Stryker's
//    own root beforeEach), so the code a suite's `before` hook runs, e.g. rendering the nginx.conf a real nginx then
//    serves to every test of test/nginx.real.test.ts, was counted for whichever test ran last, in another file, and
//    the real-server tests were never chosen for those mutants. In the dry run, coverage between two tests is kept
//    apart and counted for every test of the top-level suite that runs next.

// INSTRUMENTER_CONSTANTS.ACTIVE_MUTANT_ENV_VARIABLE of @stryker-mutator/api (not imported: npm test loads this file
// without Stryker installed).
const ACTIVE_MUTANT_ENV = "__STRYKER_ACTIVE_MUTANT__";
/** The coverage key of code that runs between tests (hooks), until it is handed to the tests of its suite. */
const BETWEEN_TESTS = "webstack: between tests";

/** Stryker's instrumentation namespace, or undefined outside a mutation run. */
const stryker = () => globalThis.__stryker__;
/** The unmutated run that records which tests cover which mutants. */
const isDryRun = () => stryker() !== undefined && stryker().activeMutant === undefined;

/** Coverage of the `before` hooks, by top-level suite (usually one test file). */
let setupCoverage = new Map();

function topSuite(test) {
    let suite = test.parent;
    while (suite.parent && !suite.parent.root) {
        suite = suite.parent;
    }
    return suite;
}

function addCounts(into, counts) {
    for (const [mutant, hits] of Object.entries(counts ?? {})) {
        into[mutant] = (into[mutant] ?? 0) + hits;
    }
    return into;
}

function passActiveMutantToChildren() {
    const active = stryker()?.activeMutant;
    if (active === undefined) {
        delete process.env[ACTIVE_MUTANT_ENV];
    } else {
        process.env[ACTIVE_MUTANT_ENV] = String(active);
    }
}

const mochaHooks = {
    beforeAll() {
        passActiveMutantToChildren();
        if (isDryRun()) {
            setupCoverage = new Map();
            stryker().currentTestId = BETWEEN_TESTS;
        }
    },
    /** Runs before Stryker's own beforeEach: the hooks just run belong to this test's suite. */
    beforeEach() {
        if (!isDryRun()) return;
        const perTest = stryker().mutantCoverage?.perTest;
        if (perTest?.[BETWEEN_TESTS] === undefined) return;
        const suite = topSuite(this.currentTest);
        setupCoverage.set(suite, addCounts(setupCoverage.get(suite) ?? {}, perTest[BETWEEN_TESTS]));
        delete perTest[BETWEEN_TESTS];
    },
    afterEach() {
        if (!isDryRun()) return;
        const ns = stryker();
        const setup = setupCoverage.get(topSuite(this.currentTest));
        if (setup !== undefined && ns.currentTestId !== BETWEEN_TESTS) {
            ns.mutantCoverage.perTest[ns.currentTestId] = addCounts(
                ns.mutantCoverage.perTest[ns.currentTestId] ?? {},
                setup,
            );
        }
        ns.currentTestId = BETWEEN_TESTS;
    },
    afterAll() {
        // The last suite's `after` hooks: no test follows them.
        if (isDryRun()) delete stryker().mutantCoverage?.perTest?.[BETWEEN_TESTS];
    },
};

module.exports = { ACTIVE_MUTANT_ENV, BETWEEN_TESTS, mochaHooks };
