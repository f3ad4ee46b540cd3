/**
 * `npm run bench:check`: what does `npm run check` cost?
 *
 * Every check is the compiled command `npm run check` runs (offline/launch.js, its build current, npm's own start
 * left out).
 * - check vs floor, on both stacks: the floor is the same program run under the same mocks by the compiled harness
 *   alone, without schema validation and policies (bench/floor.js, bench:fast's floor too);
 * - scale: check on a generated program with 100 WebStacks vs one with 1 WebStack;
 * - manifests vs program: `check --manifests` on the dev stack's objects (rendered once with `--out`) vs
 *   `check --stack dev` on the program that declares them;
 * - waivers: `check --stack dev` with a waiver file of 100 entries (issue 22: loading, validating, matching them
 *   and reporting the stale ones) vs the same check with no waiver file;
 * - API-server rules (issue 25): loading offline/apiserver/ as `npm run check` runs it (compiled, dist/) and running
 *   it once over the dev stack's objects, cold, in a fresh process that first loads what the check loads anyway (its
 *   report module, the policies' k8s views) (`BENCH_CHECK_APISERVER_RULES` mode of this script), vs the whole
 *   compiled `npm run check -- --stack dev` (offline/launch.js with its build current, npm's own start left out).
 * The program runs skip the type check (`--skip-type-check`): it is the TypeScript compiler's cost, not
 * the check's, and the floor has none.
 *
 * Every measurement is a fresh process (as users run it), the variants of one repetition run back to back
 * (order alternating between repetitions) so background load hits them alike; medians are reported.
 * Last line: `ratios: check_vs_floor=<x> scale_100_vs_1=<y> manifests_vs_program=<z> waivers_100_vs_0=<w>
 * apiserver_rules_vs_check=<r>` from wall-clock medians (goals: ≤ 1.5, ≤ 110, ≤ 1: reading YAML must not cost more
 * than running the program, ≤ 1.05, and ≤ 0.05);
 * the line before gives the same ratios from CPU time, which a busy machine distorts much less.
 *
 * Usage: npm run bench:check [-- --reps <n>]        (default 3; --help for all flags)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { CATALOG } from "../policy/catalog";
import { MAX_EXPIRY_DAYS, UNWAIVABLE, WAIVER_FILE_ENV } from "../policy/waiver-settings";
import { DAY_MS, isoDay } from "../policy/waivers";
import type { CommandSpec } from "../scripts/cli";
import { BENCH_EXIT_CODES, median, REPS_FLAG, runBench } from "./support";

const ROOT = path.join(__dirname, "..");
const TS_NODE = require.resolve("ts-node/register/transpile-only");
/** What `npm run check` runs: the compiled checker, rebuilt first when a source is newer than dist/. */
const LAUNCH = path.join(ROOT, "offline", "launch.js");
const FLOOR = path.join(__dirname, "floor.js");
const STACKS = ["dev", "qa"];
const SCALES = [1, 100];
/** Entries of the waiver file of the waivers measurement. */
const WAIVER_COUNT = 100;

interface Command {
    label: string;
    args: string[];
    /** Extra environment of the process. */
    env?: Record<string, string>;
}

/** Set in the API-server rules' process: time offline/apiserver/ over the objects of a rendered stack (arg: its directory). */
const RULES_ENV = "BENCH_CHECK_APISERVER_RULES";

interface Timing {
    /** Wall-clock seconds: what the user waits. */
    wall: number;
    /** User + system CPU seconds of the process (all threads): barely affected by other load on the machine. */
    cpu: number;
}

/**
 * Times one fresh process with bash's `time` (it reports the child's CPU, which Node's spawn does not);
 * a failing command aborts the bench, since its timing would mean nothing.
 */
function timeProcess(command: Command): Timing {
    const timed = 'TIMEFORMAT="%R %U %S"; { time "$@" >/dev/null 2>&3; } 3>&2 2>&1';
    const result = spawnSync("bash", ["-c", timed, "bench", process.execPath, ...command.args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, ...command.env },
    });
    if (result.status !== 0) {
        throw new Error(`${command.label} exited ${result.status}: ${result.stderr.trim()}`);
    }
    const [wall, user, system] = result.stdout.trim().split(/\s+/).map(Number);
    return { wall, cpu: user + system };
}

function checkCommand(label: string, program: string, stack: string, config: string): Command {
    return {
        label,
        args: [LAUNCH, "--program", program, "--stack", stack, "--config", config, "--json", "--skip-type-check"],
    };
}

function manifestsCommand(label: string, dir: string): Command {
    return { label, args: [LAUNCH, "--manifests", dir, "--json"] };
}

/** The stack's objects as plain YAML files (what `--manifests` reads), written by check itself. */
function renderStack(dir: string, stack: string): string {
    const out = path.join(dir, `manifests-${stack}`);
    // Through the launcher, so dist/ (which the API-server rules' measurement loads) is current too.
    const rendered = spawnSync(process.execPath, [LAUNCH, "--stack", stack, "--out", out, "--skip-type-check"], {
        cwd: ROOT,
        encoding: "utf8",
    });
    if (rendered.status !== 0) {
        throw new Error(
            `rendering ${stack} for the manifests bench exited ${rendered.status}: ${rendered.stderr.trim()}`,
        );
    }
    return out;
}

function floorCommand(label: string, program: string, stack: string, config: string): Command {
    return { label, args: [FLOOR, program, stack, config] };
}

/** A program with `count` WebStacks built from the dev config, in a temporary project directory. */
function generateProgram(dir: string, count: number): string {
    const programDir = path.join(dir, `webstacks-${count}`);
    fs.mkdirSync(programDir, { recursive: true });
    fs.writeFileSync(path.join(programDir, "Pulumi.yaml"), "name: webstack\nruntime: nodejs\n");
    const from = (module: string) => JSON.stringify(path.join(ROOT, module));
    const program = [
        `// Generated by bench/check.ts: ${count} WebStack(s) from the stack's config, named <appName>0..${count - 1}.`,
        `import * as pulumi from ${JSON.stringify(require.resolve("@pulumi/pulumi"))};`,
        `import { CONFIG_KEYS, parseStackConfig, readConfigKey } from ${from("program/config")};`,
        `import { WebStack } from ${from("components/web-stack")};`,
        `const config = new pulumi.Config();`,
        `const raw: Record<string, unknown> = {};`,
        `for (const key of CONFIG_KEYS) {`,
        `    raw[key] = readConfigKey(config, key);`,
        `}`,
        `const { appName, ...args } = parseStackConfig(raw);`,
        `export const urls = Array.from({ length: ${count} }, (_, i) => new WebStack(\`\${appName}\${i}\`, args).url);`,
        ``,
    ].join("\n");
    const entry = path.join(programDir, "index.ts");
    fs.writeFileSync(entry, program);
    return entry;
}

/**
 * A valid waiver file of `count` entries over the waivable policies, expiring before the limit, each naming objects
 * the dev stack does not have: every one is matched against every violation and reported stale (the most work).
 */
function generateWaivers(dir: string, count: number): string {
    const policies = Object.keys(CATALOG).filter((p) => !(UNWAIVABLE as readonly string[]).includes(p));
    const expires = isoDay(Date.now() + (MAX_EXPIRY_DAYS - 1) * DAY_MS);
    const entries = Array.from({ length: count }, (_, i) =>
        [
            `  - policy: ${policies[i % policies.length]}`,
            `    kind: Deployment`,
            `    name: bench-${i}-*`,
            `    owner: team-bench`,
            `    expires: ${expires}`,
            `    reason: bench/check.ts waiver ${i}`,
        ].join("\n"),
    );
    const file = path.join(dir, "policy-waivers.yaml");
    fs.writeFileSync(file, `waivers:\n${entries.join("\n")}\n`);
    return file;
}

function bench(reps: number): void {
    const program = path.join(ROOT, "index.ts");
    const devConfig = path.join(ROOT, "Pulumi.dev.yaml");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-check-"));
    const pairs: Array<[Command, Command]> = STACKS.map((stack) => [
        floorCommand(`floor ${stack}`, program, stack, path.join(ROOT, `Pulumi.${stack}.yaml`)),
        checkCommand(`check ${stack}`, program, stack, path.join(ROOT, `Pulumi.${stack}.yaml`)),
    ]);
    const scaled = SCALES.map((count) =>
        checkCommand(`check ${count} WebStack${count === 1 ? "" : "s"}`, generateProgram(tmp, count), "dev", devConfig),
    );
    const rendered = renderStack(tmp, "dev");
    const manifests = manifestsCommand("manifests dev", rendered);
    const rulesRuns: { total: Timing; run: Timing }[] = [];
    const withWaiverFile = (label: string, file: string): Command => ({
        ...checkCommand(label, program, "dev", devConfig),
        env: { [WAIVER_FILE_ENV]: file },
    });
    const waivers: [Command, Command] = [
        withWaiverFile("check dev, no waiver file", path.join(tmp, "no-waivers.yaml")),
        withWaiverFile(`check dev, ${WAIVER_COUNT} waivers`, generateWaivers(tmp, WAIVER_COUNT)),
    ];
    const commands = [...pairs.flat(), ...scaled, manifests, ...waivers];
    const times = new Map<string, Timing[]>(commands.map((c) => [c.label, []]));

    console.log(
        `bench:check: ${reps} repetitions, ${os.cpus().length} CPUs, load average ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(" ")}`,
    );
    for (let rep = 0; rep < reps; rep++) {
        const order =
            rep % 2 === 0
                ? commands
                : [
                      ...[...waivers].reverse(),
                      manifests,
                      ...pairs.map(([floor, check]) => [check, floor]).flat(),
                      ...[...scaled].reverse(),
                  ];
        const line: string[] = [];
        for (const command of order) {
            const timing = timeProcess(command);
            times.get(command.label)!.push(timing);
            line.push(`${command.label} ${timing.wall.toFixed(2)}s (cpu ${timing.cpu.toFixed(2)}s)`);
        }
        rulesRuns.push(timeApiServerRules(rendered));
        line.push(
            `apiserver rules ${rulesRuns[rep].total.wall.toFixed(3)}s (cpu ${rulesRuns[rep].total.cpu.toFixed(3)}s)`,
        );
        console.log(`rep ${rep + 1}: ${line.join(", ")}`);
    }
    fs.rmSync(tmp, { recursive: true, force: true });

    const med = (label: string, of: keyof Timing) => median(times.get(label)!.map((t) => t[of]));
    for (const command of commands) {
        console.log(
            `median ${command.label}: ${med(command.label, "wall").toFixed(2)}s (cpu ${med(command.label, "cpu").toFixed(2)}s)`,
        );
    }
    const rules = (part: "total" | "run", of: keyof Timing) => median(rulesRuns.map((r) => r[part][of]));
    console.log(
        `median apiserver rules over the dev objects: ${rules("total", "wall").toFixed(3)}s (cpu ${rules("total", "cpu").toFixed(3)}s), of which the rules' run (module loaded) ${(1000 * rules("run", "wall")).toFixed(1)} ms`,
    );
    const ratios = (of: keyof Timing) => {
        const floorTotal = STACKS.reduce((sum, s) => sum + med(`floor ${s}`, of), 0);
        const checkTotal = STACKS.reduce((sum, s) => sum + med(`check ${s}`, of), 0);
        const scale = med(scaled[1].label, of) / med(scaled[0].label, of);
        const manifestsVsProgram = med(manifests.label, of) / med("check dev", of);
        const waiversVsNone = med(waivers[1].label, of) / med(waivers[0].label, of);
        const rulesShare = (rules("total", of) / med("check dev", of)).toFixed(3);
        return `check_vs_floor=${(checkTotal / floorTotal).toFixed(2)} scale_100_vs_1=${scale.toFixed(2)} manifests_vs_program=${manifestsVsProgram.toFixed(2)} waivers_100_vs_0=${waiversVsNone.toFixed(3)} apiserver_rules_vs_check=${rulesShare}`;
    };
    console.log(
        `load average after: ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(" ")}`,
    );
    console.log(`cpu ratios: ${ratios("cpu")}`);
    console.log(`ratios: ${ratios("wall")}`);
}

/** The compiled build of a module of this repository (dist/, as offline/launch.js builds it). */
const compiled = (module: string) => path.join(ROOT, "dist", `${module}.js`);

/** What a fresh process spends loading the compiled offline/apiserver/ and running it once over a rendered stack's objects. */
function timeApiServerRules(dir: string): { total: Timing; run: Timing } {
    const child = spawnSync(process.execPath, ["-r", TS_NODE, __filename, dir], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, [RULES_ENV]: "1" },
    });
    if (child.status !== 0) {
        throw new Error(`the API-server rules' run exited ${child.status}: ${child.stderr.trim()}`);
    }
    return JSON.parse(child.stdout) as { total: Timing; run: Timing };
}

/** The API-server rules' mode: the objects are read first, then the rules' module load and one pass are timed. */
function apiServerRulesCost(dir: string): void {
    const objects = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => parseYaml(fs.readFileSync(path.join(dir, f), "utf8")) as Record<string, unknown>);
    // What the check loads anyway, rules or not (its report and the policies' k8s views): not the rules' cost.
    for (const shared of ["offline/report", "policy/k8s", "policy/workloads"]) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded before the clock starts
        require(compiled(shared));
    }
    const clock = () => ({ wall: Number(process.hrtime.bigint()) / 1e9, cpu: process.cpuUsage() });
    const since = (from: ReturnType<typeof clock>): Timing => {
        const cpu = process.cpuUsage(from.cpu);
        return { wall: clock().wall - from.wall, cpu: (cpu.user + cpu.system) / 1e6 };
    };
    const start = clock();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- timed: the cold load is part of the cost
    const { apiServerProblems } = require(compiled("offline/apiserver/index")) as typeof import("../offline/apiserver");
    const loaded = clock();
    for (const object of objects) {
        apiServerProblems(object, String(object.kind));
    }
    const run = since(loaded);
    const total = since(start);
    process.stdout.write(`${JSON.stringify({ total, run })}\n`);
}

export const BENCH_CHECK_COMMAND = {
    name: "npm run bench:check --",
    summary:
        "Times `npm run check` against the bare mock run of the same program (floor) on both stacks, and 100 WebStacks " +
        "against 1, the dev check with 100 waivers against none, and the offline API-server rules against the dev check; prints " +
        "medians and the ratios (goals: check_vs_floor <= 1.5, scale_100_vs_1 <= 110, waivers_100_vs_0 <= 1.05, " +
        "apiserver_rules_vs_check <= 0.05). Not a test.",
    flags: {
        reps: REPS_FLAG,
    },
    exitCodes: BENCH_EXIT_CODES,
    example: "npm run bench:check -- --reps 5",
} satisfies CommandSpec;

/** The command line; returns the exit code (the floor mode exits by itself when its run ends). */
export function main(
    argv: string[],
    log: (text: string) => void = console.log,
    error: (text: string) => void = console.error,
): number | undefined {
    if (process.env[RULES_ENV] === "1") {
        apiServerRulesCost(argv[0]);
        return 0;
    }
    return runBench(BENCH_CHECK_COMMAND, argv, log, error, bench);
}

if (require.main === module) {
    const code = main(process.argv.slice(2));
    if (code !== undefined) {
        process.exitCode = code;
    }
}
