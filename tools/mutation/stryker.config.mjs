// npm run test:mutation: StrykerJS over components/ and policy/rules/ (issue 30). Run from the repository root by
// tools/mutation/run.sh, which installs this folder's own Stryker + Mocha 11 (see package.json's description).
// Incremental: results are kept in reports/mutation/ (git-ignored) and only changed code and tests re-run.
import { createRequire } from "node:module";

// Stryker looks for "@stryker-mutator/*" plugins from the working directory (the repository root, whose
// node_modules does not have them): name them from this folder instead.
const fromHere = createRequire(import.meta.url);
const plugin = (name) => fromHere.resolve(`@stryker-mutator/${name}`);

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
        spec: ["test/**/*.test.ts"],
        // The sandbox is a copy without .git: the two files that list the repository with `git ls-files` (its layout,
        // not the components' behaviour) cannot run there.
        ignore: ["test/engine/**", "test/cluster/**", "test/package.test.ts", "test/suites.test.ts"],
        extension: ["ts"],
        // Not test/support/lesson-ledger.ts: a mutant run executes only the tests that cover the mutant, and the
        // ledger would fail that partial run for lessons whose tests were not selected (a false "killed").
        require: ["ts-node/register/transpile-only"],
    },
    checkers: ["typescript"],
    tsconfigFile: "tsconfig.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    coverageAnalysis: "perTest",
    incremental: true,
    incrementalFile: "reports/mutation/stryker-incremental.json",
    reporters: ["html", "json", "clear-text", "progress"],
    htmlReporter: { fileName: "reports/mutation/index.html" },
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    concurrency: Number(process.env.WEBSTACK_MUTATION_CONCURRENCY ?? 2),
    timeoutMS: 60000,
    // The first, unmutated run of the whole suite with coverage: about a minute idle, several under load.
    dryRunTimeoutMinutes: 30,
    thresholds: { high: 90, low: 85, break: null },
};
