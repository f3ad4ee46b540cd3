// npm run test:mutation: StrykerJS over components/ and policy/rules/ (issue 30). Run from the repository root by
// tools/mutation/run.sh, which installs this folder's own Stryker + Mocha 11 (see package.json's description).
// Incremental: results are kept in reports/mutation/ (git-ignored) and only changed code and tests re-run.
import { globSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";

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
// Outside test/policy/ and test/components/, the tests of the renderers (nginx-conf, redis-conf), of the image
// references and of the config and secret-env parsers mirror a components/ file too (no spawned processes).
// Within the mirrors, the tests that build a whole component under mocks (50–100 ms a test) come after the ones that
// call a renderer or a single child's function (1–10 ms): a workload.ts mutant that workload.test.ts kills should not
// first wait for every Api and WebStack build that also reaches it.
const MIRRORS_FIRST = [
    "test/policy/",
    "test/components/",
    "test/images/",
    "test/config.test.ts",
    "test/secret-env.test.ts",
    "test/nginx-conf.test.ts",
    "test/redis-conf.test.ts",
];
const WHOLE_COMPONENTS = /^test\/components\/(api|redis|static-site|web-stack)\.test\.ts$/;
const SLOW_LAST = [/^test\/check\./, /\.real\.test\.ts$/, /^test\/cluster-/, /^test\/typescript\./, /^test\/verify/];
const MIRROR_TIERS = 2;
const tier = (file) =>
    MIRRORS_FIRST.some((prefix) => file.startsWith(prefix))
        ? WHOLE_COMPONENTS.test(file)
            ? 1
            : 0
        : SLOW_LAST.some((slow) => slow.test(file))
          ? MIRROR_TIERS + 1
          : MIRROR_TIERS;

// WEBSTACK_MUTATION_TESTS picks the tests the mutants run against (docs/mutation-testing.md):
// - "all" (the default): every fast-suite file the sandbox can run; the score that counts.
// - "mirrors": only the mirroring unit tests. Several times faster, but a mutant that only a stack-level or
//   real-server test kills counts as survived, so the score is a lower bound. Its results are kept apart.
const TEST_SETS = { all: () => true, mirrors: (file) => tier(file) < MIRROR_TIERS };
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
/** Every finished mutant's result, kept between runs (and saved when a run is stopped). */
export const incrementalFile = `${reportDir}/stryker-incremental.json`;

// WEBSTACK_MUTATION_TYPECHECK=1 adds Stryker's TypeScript checker: mutants tsc rejects are then set aside as compile
// errors (outside the score) instead of run. Off by default, measured (docs/mutation-testing.md): the checkers were
// the bottleneck while the test runners idled; components/api-image-build.ts took 5 min 42 s with the checker and
// 43 s without (same machine, same load), with the same survivors (the 19 mutants it rejected all failed a test).
// Without it, a type-invalid mutant that no test catches counts as survived, although npm test's tsc would fail on
// it: the score errs low, never high.
export const typecheck = process.env.WEBSTACK_MUTATION_TYPECHECK === "1";

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
        require: ["ts-node/register/transpile-only", fromHere.resolve("./mocha-hooks.cjs")],
    },
    checkers: typecheck ? ["typescript"] : [],
    tsconfigFile: "tsconfig.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    coverageAnalysis: "perTest",
    // A static mutant (a module-level constant: a regex, a list, a threshold) changes what a module computes when it is
    // loaded, so Stryker restarts the test process and runs every test for it: 13 % of policy/rules/' mutants took
    // 72 % of the estimated time, and on a busy machine a restart alone takes a minute. Ignored by default (Stryker
    // reports them as Ignored, outside the score; the summary counts them); WEBSTACK_MUTATION_STATIC=run tests them.
    ignoreStatic: process.env.WEBSTACK_MUTATION_STATIC !== "run",
    incremental: true,
    incrementalFile,
    reporters: ["html", "json", "clear-text", "progress"],
    htmlReporter: { fileName: `${reportDir}/index.html` },
    jsonReporter: { fileName: `${reportDir}/mutation.json` },
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    // One test runner per core. With the checker, Stryker gives half the concurrency to checkers and half to runners.
    concurrency: Number(process.env.WEBSTACK_MUTATION_CONCURRENCY ?? (typecheck ? 2 : 1) * availableParallelism()),
    timeoutMS: 60000,
    // The first, unmutated run of the whole suite with coverage: about a minute idle, several under load.
    dryRunTimeoutMinutes: 30,
    thresholds: { high: 90, low: 85, break: null },
};
