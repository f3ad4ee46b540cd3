/**
 * `npm run check -- --watch` (issue 29): checks once and prints the text report, then re-checks in this process
 * whenever one of its inputs is saved and prints only what changed: `+` a new finding, `-` a finding gone, then the
 * summary line. A re-check is warm (the SDK, the policies and the schemas stay loaded; the type check keeps its
 * parsed declarations), so a one-field change to a stack config is re-checked in well under a second; the line says
 * how long the re-check and its type check took.
 *
 * Watched: the program's own modules and its stack config as the last run read them (the program and the config
 * file when no run succeeded yet), or the --manifests file or directory; the --policy-config file, the waiver file
 * and the --crd files. Their directories are watched, not the files, so an editor that saves by renaming a new file
 * over the old one is seen too. The policies themselves stay loaded: a policy edit needs a restart.
 */
import * as fs from "fs";
import * as path from "path";
import { waiverFilePath } from "../policy/waivers";
import { check, describeFailure, writeFully, type CheckArgs, type Write } from "./check";
import { findingLines, summaryLine, textReport } from "./report";
import { TypeCheckError } from "./types";

/** Saves come in bursts (write, rename, chmod): one re-check once they settle. */
const SETTLE_MS = 50;

/** Runs until the process is stopped (Ctrl-C); resolves only if no input can be watched at all (exit 2). */
export function watch(args: CheckArgs, out: { writeOut: Write; writeErr: Write }): Promise<number> {
    const fromCaller = (p: string) => path.resolve(args.callerDir, p);
    let previous: string[] | undefined;
    let watchers: fs.FSWatcher[] = [];
    let watched: string[] = fallbackInputs(args, fromCaller);
    let running: Promise<void> | undefined;
    let changed = new Set<string>();
    let timer: NodeJS.Timeout | undefined;
    let typeErrors = false;

    const print = (text: string) => writeFully(out.writeOut, text);
    const recheck = async () => {
        const because = [...changed].map((f) => path.relative(args.callerDir, f) || f).join(", ");
        // Types come from TypeScript files (and tsconfig.json) alone: a config or manifest save needs no type check,
        // unless the last one failed (its errors must stay reported until a .ts edit fixes them).
        const typesMayHaveChanged =
            previous === undefined || typeErrors || [...changed].some((f) => /\.tsx?$|\.json$/.test(f));
        changed = new Set();
        const started = performance.now();
        try {
            const result = await check(typesMayHaveChanged ? args : { ...args, skipTypeCheck: true });
            const seconds = ((performance.now() - started) / 1000).toFixed(2);
            const typeCheck =
                result.typeCheckSeconds === undefined ? "" : `, type check ${result.typeCheckSeconds.toFixed(2)} s`;
            const lines = findingLines(result.report);
            const opts = { allowUnchecked: args.allowUnchecked };
            if (previous === undefined) {
                await print(textReport(result.report, opts));
            } else {
                const before = new Set(previous);
                const now = new Set(lines);
                const added = lines.filter((l) => !before.has(l));
                const gone = previous.filter((l) => !now.has(l));
                await print(
                    [
                        `re-checked in ${seconds} s${typeCheck} (${because} changed): ${added.length} new, ${gone.length} gone`,
                        ...added.map((l) => `+ ${l}`),
                        ...gone.map((l) => `- ${l}`),
                        summaryLine(result.report, opts),
                    ].join("\n") + "\n",
                );
            }
            previous = lines;
            typeErrors = false;
            watched = inputsOf(args, fromCaller, result.sources);
        } catch (err) {
            typeErrors = err instanceof TypeCheckError;
            const { error, fix } = describeFailure(err);
            await writeFully(out.writeErr, `check: ${error}\nFix: ${fix}\n`);
            const seconds = ((performance.now() - started) / 1000).toFixed(2);
            await print(
                `re-check failed in ${seconds} s${because ? ` (${because} changed)` : ""}: see above; still watching\n`,
            );
        }
        watchers.forEach((w) => w.close());
        watchers = watchAll(watched, (file) => {
            changed.add(file);
            clearTimeout(timer);
            timer = setTimeout(() => void schedule(), SETTLE_MS);
        });
    };
    const schedule = async (): Promise<void> => {
        if (running !== undefined) {
            // A save during a re-check: check again once it is done (changed keeps what to name).
            await running;
            return changed.size > 0 ? schedule() : undefined;
        }
        running = recheck();
        await running;
        running = undefined;
    };

    const start = async (): Promise<number> => {
        if (args.manifests === undefined) {
            // The program's modules are loaded anew by every re-check: transpiled once per content, not every time.
            (await import("./run-program")).reuseTranspiledModules();
        }
        await schedule();
        if (watchers.length === 0) {
            await writeFully(out.writeErr, "check: --watch found no input it can watch\n");
            return 2;
        }
        await print(`watching ${watched.length} files (Ctrl-C stops)\n`);
        return new Promise<number>(() => undefined);
    };
    return start();
}

/** Before any run succeeded: the program and its config (or the manifests), and the other flags' files. */
function fallbackInputs(args: CheckArgs, fromCaller: (p: string) => string): string[] {
    const program = args.programGiven ? fromCaller(args.program) : path.resolve(args.program);
    const config =
        args.config !== undefined
            ? fromCaller(args.config)
            : path.join(path.dirname(program), `Pulumi.${args.stack}.yaml`);
    return inputsOf(args, fromCaller, [program, config]);
}

function inputsOf(args: CheckArgs, fromCaller: (p: string) => string, sources: string[]): string[] {
    return [
        ...(args.manifests !== undefined ? [fromCaller(args.manifests)] : sources),
        ...(args.policyConfig !== undefined ? [fromCaller(args.policyConfig)] : []),
        ...(args.crd ?? []).map(fromCaller),
        waiverFilePath(),
    ];
}

/** Watches each file's directory (a directory argument: recursively) and calls `onChange` with the changed input. */
function watchAll(inputs: string[], onChange: (file: string) => void): fs.FSWatcher[] {
    const byDirectory = new Map<string, Set<string>>();
    const directories: string[] = [];
    for (const input of new Set(inputs)) {
        if (isDirectory(input)) {
            directories.push(input);
        } else {
            const dir = path.dirname(input);
            byDirectory.set(dir, (byDirectory.get(dir) ?? new Set()).add(path.basename(input)));
        }
    }
    const watchers: fs.FSWatcher[] = [];
    const tryWatch = (dir: string, recursive: boolean, listener: (name: string | null) => void) => {
        try {
            watchers.push(fs.watch(dir, { recursive }, (_event, name) => listener(name)));
        } catch {
            // A directory that does not exist (yet): nothing in it can change.
        }
    };
    for (const dir of directories) {
        tryWatch(dir, true, (name) => onChange(name === null ? dir : path.join(dir, name)));
    }
    for (const [dir, names] of byDirectory) {
        tryWatch(dir, false, (name) => {
            if (name !== null && names.has(name)) {
                onChange(path.join(dir, name));
            }
        });
    }
    return watchers;
}

function isDirectory(file: string): boolean {
    try {
        return fs.statSync(file).isDirectory();
    } catch {
        return false;
    }
}
