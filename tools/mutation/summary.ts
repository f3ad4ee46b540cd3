// The summary line of `npm run test:mutation`: the mutation score per folder from Stryker's JSON report
// (mutation-testing-report-schema), beside issue 30's goals. Score = detected / valid, as Stryker counts it:
// killed and timed-out mutants are detected; compile and runtime errors and ignored mutants are not valid.
import * as fs from "node:fs";

type Status =
    "Killed" | "Timeout" | "Survived" | "NoCoverage" | "CompileError" | "RuntimeError" | "Ignored" | "Pending";
interface Report {
    files: Record<string, { mutants: { status: Status }[] }>;
}

/** Folders and their goals (issue 30). */
export const GOALS: { folder: string; goal: number }[] = [
    { folder: "components/", goal: 85 },
    { folder: "policy/rules/", goal: 90 },
];

export interface FolderScore {
    folder: string;
    goal: number;
    detected: number;
    valid: number;
    /** Left out of the score: Ignored (static mutants, unless WEBSTACK_MUTATION_STATIC=run) and compile errors. */
    ignored: number;
    compileErrors: number;
    /** Percent, one decimal; undefined when the folder had no valid mutant in the report. */
    score?: number;
}

export function folderScores(report: Report): FolderScore[] {
    return GOALS.map(({ folder, goal }) => {
        const statuses = Object.entries(report.files)
            .filter(([file]) => file.startsWith(folder))
            .flatMap(([, { mutants }]) => mutants.map((mutant) => mutant.status));
        const detected = statuses.filter((status) => status === "Killed" || status === "Timeout").length;
        const valid = statuses.filter((status) => !["CompileError", "RuntimeError", "Ignored"].includes(status)).length;
        const count = (wanted: Status) => statuses.filter((status) => status === wanted).length;
        const score = valid === 0 ? undefined : Math.round((1000 * detected) / valid) / 10;
        return {
            folder,
            goal,
            detected,
            valid,
            ignored: count("Ignored"),
            compileErrors: count("CompileError"),
            score,
        };
    });
}

/**
 * One report from several, e.g. the chunks of a folder run with different `--mutate` sets (each run's report holds
 * only its own files). A file in more than one report takes its mutants from the last: list re-runs after the runs
 * they replace.
 */
export function mergeReports(reports: Report[]): Report {
    return { files: Object.assign({}, ...reports.map((report) => report.files)) as Report["files"] };
}

if (require.main === module) {
    // The test set and where its report is: one place, the Stryker config (Node 24 loads the ES module with require).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require("./stryker.config.mjs") as {
        testSet: string;
        testFiles: string[];
        reportDir: string;
        incrementalFile: string;
        typecheck: boolean;
    };
    // Several report files (chunks of a run) are summed up as one; by default, the last run's report.
    // --partial: a run stopped before its end wrote no report, only its incremental file (every finished mutant).
    const args = process.argv.slice(2);
    const files =
        args[0] === "--partial"
            ? [config.incrementalFile]
            : args.length > 0
              ? args
              : [`${config.reportDir}/mutation.json`];
    const against =
        config.testSet === "all"
            ? `all ${config.testFiles.length} fast-suite test files`
            : `only the ${config.testFiles.length} "${config.testSet}" test files, a lower bound`;
    const typeInvalid = config.typecheck
        ? "set aside by the TypeScript checker"
        : "run like the others (WEBSTACK_MUTATION_TYPECHECK=1 sets them aside)";
    const scores = folderScores(mergeReports(files.map((file) => JSON.parse(fs.readFileSync(file, "utf8")) as Report)));
    for (const { folder, goal, detected, valid, ignored, compileErrors, score } of scores) {
        const figure = score === undefined ? "not run" : `${score}% (${detected}/${valid})`;
        console.log(
            `mutation score ${folder}: ${figure}, goal ≥ ${goal}%${score !== undefined && score < goal ? " (below)" : ""}; ` +
                `left out: ${compileErrors} compile errors, ${ignored} ignored (static); tests: ${against}; ` +
                `type-invalid mutants: ${typeInvalid}`,
        );
    }
}
