/** What the benches share: the `--reps` flag, its parsing and medians. */
import { CommandSpec, FlagSpec, helpText, parseCommandLine, UsageError } from "../scripts/cli";

export const REPS_FLAG = {
    type: "string",
    valueName: "<n>",
    default: "3",
    description: "repetitions of every measurement (medians are reported)",
} satisfies FlagSpec;

/** `--reps` as a whole number >= 1, or a usage error that says so. */
export function parseReps(value: string): number {
    const reps = Number(value);
    if (!Number.isInteger(reps) || reps < 1) {
        throw new UsageError(`--reps must be a whole number >= 1 (got ${JSON.stringify(value)}). Fix: e.g. --reps 3`);
    }
    return reps;
}

export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const BENCH_EXIT_CODES = {
    0: "measured (the ratios are printed, not judged)",
    1: "a measured command failed",
    2: "usage error",
};

/** --help, then `run` with --reps; returns the exit code (2 usage error, 1 a measured command failed). */
export function runBench(
    spec: CommandSpec,
    argv: string[],
    log: (text: string) => void,
    error: (text: string) => void,
    run: (reps: number) => void,
): number {
    const name = spec.name.replace(/^npm run /, "").replace(/ --$/, "");
    try {
        const parsed = parseCommandLine(spec, argv);
        if (parsed.help) {
            log(helpText(spec));
            return 0;
        }
        run(parseReps(String(parsed.flags.reps)));
        return 0;
    } catch (err) {
        error(
            `${name}: ${(err as Error).message}${err instanceof UsageError ? `\n(npm run ${name} -- --help lists the flags)` : ""}`,
        );
        return err instanceof UsageError ? 2 : 1;
    }
}
