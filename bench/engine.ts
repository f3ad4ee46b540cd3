/**
 * `npm run bench:engine`: what does the offline check save over the real engine?
 *
 * `pulumi preview --policy-pack` of a stack (the CLI from `npm run engine:install`, kubernetes provider in render
 * mode, a fresh `file://` backend, the program served by this process as test/engine/engine.ts does) vs
 * `npm run check -- --stack <stack>` (a fresh process of the compiled checker, as package.json runs it),
 * interleaved: each repetition runs both back to back, in alternating order, so background load hits them alike.
 * Medians of wall-clock seconds are reported. Last line: `ratios: check_vs_preview=<x>` (check's median / preview's
 * median; below 1 means check is faster; issue 29's goal: ≤ 0.2).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { EngineStack, policyPack } from "../test/engine/engine";
import { helpText, parseCommandLine, UsageError } from "../scripts/cli";

const ROOT = path.join(__dirname, "..");

const SPEC = {
    name: "npm run bench:engine --",
    summary:
        "Times pulumi preview --policy-pack against npm run check for one stack, interleaved; prints medians and the ratio.",
    flags: {
        stack: {
            type: "string" as const,
            description: "stack to preview and check",
            default: "dev",
            valueName: "<stack>",
        },
        reps: { type: "string" as const, description: "repetitions of each command", default: "3", valueName: "<n>" },
    },
    exitCodes: { 0: "measured", 1: "a command failed (its output is printed)", 2: "usage error" },
    example: "npm run bench:engine -- --stack dev --reps 5",
};

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timePreview(stackName: string): Promise<number> {
    const stack = await EngineStack.create({ stack: stackName });
    try {
        const started = process.hrtime.bigint();
        await stack.withProgram(["preview", "--policy-pack", policyPack()]);
        return Number(process.hrtime.bigint() - started) / 1e9;
    } finally {
        stack.remove();
    }
}

function timeCheck(stackName: string): number {
    const started = process.hrtime.bigint();
    // package.json's check command: the compiled checker (offline/launch.js), built before the first measurement.
    const result = spawnSync(process.execPath, ["offline/launch.js", "--stack", stackName], {
        cwd: ROOT,
        encoding: "utf8",
    });
    if (result.status !== 0) {
        throw new Error(
            `npm run check -- --stack ${stackName} exited ${result.status}:\n${result.stdout}${result.stderr}`,
        );
    }
    return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(argv: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseCommandLine(SPEC, argv);
    } catch (err) {
        if (err instanceof UsageError) {
            console.error(`${err.message}\n\n${helpText(SPEC)}`);
            return 2;
        }
        throw err;
    }
    if (parsed.help) {
        console.log(helpText(SPEC));
        return 0;
    }
    const reps = Number(parsed.flags.reps);
    if (!Number.isInteger(reps) || reps < 1) {
        console.error(`--reps must be a whole number >= 1 (got "${parsed.flags.reps}")\n\n${helpText(SPEC)}`);
        return 2;
    }
    const stack = parsed.flags.stack;
    // Brings the compiled checker up to date outside the measurements (offline/launch.js builds it when stale).
    spawnSync(process.execPath, ["offline/launch.js", "--help"], { cwd: ROOT, stdio: "ignore" });
    const preview: number[] = [];
    const check: number[] = [];
    for (let i = 0; i < reps; i++) {
        if (i % 2 === 0) {
            preview.push(await timePreview(stack));
            check.push(timeCheck(stack));
        } else {
            check.push(timeCheck(stack));
            preview.push(await timePreview(stack));
        }
        console.log(`rep ${i + 1}/${reps}: preview ${preview[i].toFixed(1)} s, check ${check[i].toFixed(1)} s`);
    }
    console.log(
        `median wall seconds (${stack}, ${reps} reps): pulumi preview --policy-pack ${median(preview).toFixed(1)}, npm run check ${median(check).toFixed(1)}`,
    );
    console.log(`ratios: check_vs_preview=${(median(check) / median(preview)).toFixed(2)} (goal ≤ 0.2)`);
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
        console.error((err as Error).message ?? err);
        process.exit(1);
    },
);
