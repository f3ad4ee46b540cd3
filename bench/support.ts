/** What the benches share: the `--reps` flag, its parsing and medians, measuring a Node process. */
import { spawnSync } from "child_process";
import * as path from "path";
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
    try {
        const reps = repsOrHelp(spec, argv, log);
        if (reps !== undefined) {
            run(reps);
        }
        return 0;
    } catch (err) {
        return benchFailure(spec, err, error);
    }
}

/** runBench for a bench that waits for something (a watching process). */
export async function runBenchAsync(
    spec: CommandSpec,
    argv: string[],
    log: (text: string) => void,
    error: (text: string) => void,
    run: (reps: number) => Promise<void>,
): Promise<number> {
    try {
        const reps = repsOrHelp(spec, argv, log);
        if (reps !== undefined) {
            await run(reps);
        }
        return 0;
    } catch (err) {
        return benchFailure(spec, err, error);
    }
}

/** The repetitions asked for, or undefined once --help is printed. */
function repsOrHelp(spec: CommandSpec, argv: string[], log: (text: string) => void): number | undefined {
    const parsed = parseCommandLine(spec, argv);
    if (parsed.help) {
        log(helpText(spec));
        return undefined;
    }
    return parseReps(String(parsed.flags.reps));
}

function benchFailure(spec: CommandSpec, err: unknown, error: (text: string) => void): number {
    const name = spec.name.replace(/^npm run /, "").replace(/ --$/, "");
    error(
        `${name}: ${(err as Error).message}${err instanceof UsageError ? `\n(npm run ${name} -- --help lists the flags)` : ""}`,
    );
    return err instanceof UsageError ? 2 : 1;
}

/** What one measured process cost. */
export interface Measurement {
    /** Seconds the user waits. */
    wall: number;
    /** User + system CPU seconds of the child (from its own process.resourceUsage()). */
    cpu: number;
    /** Peak resident set of the child, MiB. */
    rssMiB: number;
}

/** Preloaded into every measured Node process (bench/probe.js): it reports the process's resource usage on fd 3. */
const PROBE = path.join(__dirname, "probe.js");

/**
 * One fresh `node <args>` process, from the repository root; exit 0 or 1 (a verdict) is a measurement, anything else
 * aborts the bench (its timing would mean nothing).
 */
export function measureNode(label: string, args: string[], env: NodeJS.ProcessEnv = process.env): Measurement {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["-r", PROBE, ...args], {
        cwd: path.join(__dirname, ".."),
        env,
        stdio: ["ignore", "ignore", "pipe", "pipe"],
        maxBuffer: 64 * 1024 * 1024,
    });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0 && result.status !== 1) {
        throw new Error(`${label} exited ${result.status}: ${String(result.stderr).trim()}`);
    }
    const usage = JSON.parse(String(result.output[3])) as NodeJS.ResourceUsage;
    return { wall, cpu: (usage.userCPUTime + usage.systemCPUTime) / 1e6, rssMiB: usage.maxRSS / 1024 };
}
