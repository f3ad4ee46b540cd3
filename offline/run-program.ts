/**
 * Run any Pulumi TypeScript program (or a build callback) under the Pulumi mock runtime and record every
 * resource it declares, with inputs, outputs, parent and resource options. See offline/mock-runtime.ts for
 * how the data is captured.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { recordRun } from "./mock-runtime";
import type { StackConfig } from "./stack-config";
import type { InvokeHandler, ProgramRun, RecordedResource } from "./types";

export { ProgramError } from "./types";
export type { InvokeHandler, ProgramRun, RecordedResource } from "./types";

export interface RunOptions {
    /** Path to the program's entry .ts (index.ts). */
    program: string;
    /** Stack name. */
    stack: string;
    /** Default: `name` in Pulumi.yaml beside the program, else "project". */
    project?: string;
    /** Default: no config. */
    config?: StackConfig;
    /** Extra invoke answers. */
    invoke?: InvokeHandler;
    /** Run as a new stack's first preview: see RecordOptions.preview. Default false. */
    preview?: boolean;
}

/** Project name for a program: `name` in the Pulumi.yaml beside it, else Pulumi's mock default. */
export function projectNameFor(dir: string): string {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) {
        return "project";
    }
    const name: unknown = ((YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { name?: unknown }).name;
    return typeof name === "string" && name !== "" ? name : "project";
}

/**
 * Loads the program's entry module inside a fresh mocked stack, as the Pulumi language host does, in this
 * process. A program is a module with top-level side effects, so each run loads it anew: the entry and every
 * module of the program first loaded during the run are dropped from the module cache afterwards (packages
 * under node_modules and modules this process had already loaded stay shared). Runs are serialized.
 * Rejects with ProgramError when the program itself fails.
 */
export async function runProgram(opts: RunOptions): Promise<ProgramRun> {
    const entry = path.resolve(opts.program);
    if (!fs.existsSync(entry)) {
        throw new Error(`program ${opts.program} does not exist. Fix: pass the entry .ts file of a Pulumi program`);
    }
    const options = {
        stack: opts.stack,
        project: opts.project ?? projectNameFor(path.dirname(entry)),
        config: opts.config,
        invoke: opts.invoke,
        preview: opts.preview,
    };
    // The program is TypeScript: compiled as `pulumi` compiles it (ts-node), unless this process already runs under ts-node.
    if (!(".ts" in require.extensions)) {
        (await import("ts-node")).register({ transpileOnly: true });
    }
    if (reuseTranspiled === "wanted") {
        reuseTranspiledModules();
    }
    let loadedBefore: Set<string> | undefined;
    let sources: string[] = [];
    let run: ProgramRun;
    try {
        run = await recordRun(async () => {
            loadedBefore = new Set(Object.keys(require.cache));
            loadedBefore.delete(entry);
            delete require.cache[entry];
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- require (not import()) so the program's modules land in require.cache, which is cleared after the run
            let exported: unknown = require(entry);
            if (Object.getOwnPropertyDescriptor(exported, "default") !== undefined) {
                exported = (exported as { default: unknown }).default;
            }
            return exported instanceof Function ? await (exported as () => unknown)() : exported;
        }, options);
    } finally {
        if (loadedBefore !== undefined) {
            sources = forgetModulesLoadedSince(loadedBefore);
        }
    }
    return { ...run, sources };
}

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/** Drops the program's own modules loaded during a run, so the next run evaluates them again; returns their files. */
function forgetModulesLoadedSince(loadedBefore: Set<string>): string[] {
    const forgotten: string[] = [];
    for (const file of Object.keys(require.cache)) {
        if (!loadedBefore.has(file) && !file.includes(NODE_MODULES) && path.dirname(file) !== __dirname) {
            delete require.cache[file];
            forgotten.push(file);
        }
    }
    return forgotten;
}

/**
 * In-process: constructs components directly in `build` under a fresh mocked stack and records every
 * resource the same way runProgram does. Defaults: stack "dev", project from ./Pulumi.yaml, no config.
 */
export async function recordResources(
    build: () => void | Promise<void>,
    opts: { stack?: string; project?: string; config?: StackConfig; invoke?: InvokeHandler } = {},
): Promise<RecordedResource[]> {
    const run = await recordRun(
        async () => {
            await build();
        },
        {
            stack: opts.stack ?? "dev",
            project: opts.project ?? projectNameFor(process.cwd()),
            config: opts.config,
            invoke: opts.invoke,
        },
    );
    return run.resources;
}

/** Asked for by reuseTranspiledModules; done once the `.ts` loader is registered. */
let reuseTranspiled: "no" | "wanted" | "done" = "no";

/**
 * From now on this process compiles a program's TypeScript module once per content: each run loads the program's
 * modules anew (see runProgram), and ts-node transpiled every one of them again each time (most of a warm re-run
 * of the dev stack under `--watch`: 1.2 s → 0.3 s). A module whose file changed is transpiled again.
 */
export function reuseTranspiledModules(): void {
    if (reuseTranspiled === "no") {
        reuseTranspiled = "wanted";
    }
    const transpile = require.extensions[".ts"];
    if (reuseTranspiled === "done" || transpile === undefined) {
        return;
    }
    reuseTranspiled = "done";
    const transpiled = new Map<string, { source: string; js: string }>();
    type CompilingModule = NodeJS.Module & { _compile(code: string, file: string): unknown };
    require.extensions[".ts"] = (module, file) => {
        const compiling = module as CompilingModule;
        const source = fs.readFileSync(file, "utf8");
        const known = transpiled.get(file);
        if (known?.source === source) {
            compiling._compile(known.js, file);
            return;
        }
        // ts-node hands its output to the module's _compile: keep it on the way.
        const compile = compiling._compile.bind(compiling);
        compiling._compile = (js: string, name: string) => {
            transpiled.set(file, { source, js });
            return compile(js, name);
        };
        transpile(module, file);
    };
}
