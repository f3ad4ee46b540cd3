// npm run test:mutation: StrykerJS over components/ and policy/rules/ (issue 30). Run from the repository root by
// tools/mutation/run.sh, which installs this folder's own Stryker + Mocha 11 (see package.json's description).
// Incremental: results are kept in reports/mutation/ (git-ignored) and only changed code and tests re-run.
import { globSync } from "node:fs";
import { createRequire } from "node:module";

// Stryker looks for "@stryker-mutator/*" plugins from the working directory (the repository root, whose
// node_modules does not have them): name them from this folder instead.
const fromHere = createRequire(import.meta.url);
const plugin = (name) => fromHere.resolve(`@stryker-mutator/${name}`);

// Files no mutant run can reach: the suites of the live engine and cluster, and the two that list the repository with
// `git ls-files` (Stryker's sandbox copy has no .git).
const NOT_IN_SANDBOX = ["test/engine/**", "test/cluster/**", "test/package.test.ts", "test/suites.test.ts"];

// The order a mutant's tests run in. Mocha stops at the first failure (Stryker's default, disableBail: false), so a
// killed mutant costs only the tests before its killer: the unit tests that mirror the source run first and kill
// most mutants in milliseconds; the files that spawn `npm run check`, tsc or real nginx/redis (seconds a test) run
// last, for the mutants nothing quicker kills and the survivors. The set of tests is the same in any order.
// nginx-conf.test.ts and redis-conf.test.ts mirror components/nginx-conf.ts and redis-conf.ts (pure functions, no
// spawned processes), so they count as mirrors too.
const MIRRORS_FIRST = ["test/policy/", "test/components/", "test/nginx-conf.test.ts", "test/redis-conf.test.ts"];
const SLOW_LAST = [/^test\/check\./, /\.real\.test\.ts$/, /^test\/cluster-/, /^test\/typescript\./, /^test\/verify/];
const tier = (file) =>
    MIRRORS_FIRST.some((prefix) => file.startsWith(prefix)) ? 0 : SLOW_LAST.some((slow) => slow.test(file)) ? 2 : 1;

// WEBSTACK_MUTATION_TESTS picks the tests the mutants run against (docs/mutation-testing.md):
// - "all" (the default): every fast-suite file the sandbox can run; the score that counts.
// - "mirrors": only the mirroring unit tests. Several times faster, but a mutant that only a stack-level or
//   real-server test kills counts as survived, so the score is a lower bound. Its results are kept apart.
const TEST_SETS = { all: () => true, mirrors: (file) => tier(file) === 0 };
export const testSet = process.env.WEBSTACK_MUTATION_TESTS ?? "all";
if (!(testSet in TEST_SETS)) {
    throw new Error(`WEBSTACK_MUTATION_TESTS="${testSet}": expected one of ${Object.keys(TEST_SETS).join(", ")}`);
}
export const testFiles = globSync("test/**/*.test.ts", { exclude: NOT_IN_SANDBOX })
    .map((file) => file.split("\\").join("/"))
    .filter(TEST_SETS[testSet])
    .sort((a, b) => tier(a) - tier(b) || a.localeCompare(b));
/** Where this test set's results go: reports/mutation/ for "all", a subfolder for any other. */
export const reportDir = testSet === "all" ? "reports/mutation" : `reports/mutation/${testSet}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    mutate: [
        "components/**/*.ts",
        "!components/dist/**",
        // The package's re-export list: no logic to mutate.
        "!components/index.ts",
        "policy/rules/**/*.ts",
    ],
    plugins: [plugin("mocha-runner"), plugin("typescript-checker")],
    testRunner: "mocha",
    mochaOptions: {
        "no-config": true,
        "no-package": true,
        spec: testFiles,
        extension: ["ts"],
        // Not test/support/lesson-ledger.ts: a mutant run executes only the tests that cover the mutant, and the
        // ledger would fail that partial run for lessons whose tests were not selected (a false "killed").
        require: ["ts-node/register/transpile-only"],
    },
    checkers: ["typescript"],
    tsconfigFile: "tsconfig.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    coverageAnalysis: "perTest",
    // A static mutant (a module-level constant: a regex, a list, a threshold) changes what a module computes when it is
    // loaded, so Stryker restarts the test process and runs every test for it: 13 % of policy/rules/' mutants took
    // 72 % of the estimated time, and on a busy machine a restart alone takes a minute. Ignored by default (Stryker
    // reports them as Ignored, outside the score; the summary counts them); WEBSTACK_MUTATION_STATIC=run tests them.
    ignoreStatic: process.env.WEBSTACK_MUTATION_STATIC !== "run",
    incremental: true,
    incrementalFile: `${reportDir}/stryker-incremental.json`,
    reporters: ["html", "json", "clear-text", "progress"],
    htmlReporter: { fileName: `${reportDir}/index.html` },
    jsonReporter: { fileName: `${reportDir}/mutation.json` },
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    concurrency: Number(process.env.WEBSTACK_MUTATION_CONCURRENCY ?? 2),
    timeoutMS: 60000,
    // The first, unmutated run of the whole suite with coverage: about a minute idle, several under load.
    dryRunTimeoutMinutes: 30,
    thresholds: { high: 90, low: 85, break: null },
};
