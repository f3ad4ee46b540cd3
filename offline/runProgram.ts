/**
 * Run any Pulumi TypeScript program (or a build callback) under the Pulumi mock runtime and record every
 * resource it declares, with inputs, outputs, parent and resource options. See offline/mockRuntime.ts for
 * how the data is captured.
 */
import { fork } from "child_process";
import * as path from "path";
import { InProcessOptions, ProgramError, projectNameFor, recordRun } from "./mockRuntime";
import type { StackConfig } from "./stackConfig";

export { ProgramError } from "./mockRuntime";

export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** Fully resolved plain values (secrets unwrapped). */
    inputs: Record<string, any>;
    /** What the mock returned: inputs plus stand-in values (metadata.name of auto-named objects…). */
    outputs: Record<string, any>;
    /** Parent URN (the root stack for top-level resources). */
    parent?: string;
    options: {
        protect?: boolean;
        ignoreChanges?: string[];
        replaceOnChanges?: string[];
        /** URNs of the resources listed in `dependsOn`. */
        dependsOn: string[];
        deleteBeforeReplace?: boolean;
        retainOnDelete?: boolean;
        customTimeouts?: Record<string, string>;
        /** Provider URN when one was set explicitly or inherited. */
        provider?: string;
    };
}

export interface ProgramRun {
    /** Every registered resource, the root `pulumi:pulumi:Stack` included, in registration order. */
    resources: RecordedResource[];
    /** The program's exports; secret values replaced by "[secret]". */
    stackOutputs: Record<string, unknown>;
    /** Every plain secret string seen (secret config, secret inputs/outputs): must never be printed. */
    secretValues: string[];
    /** What the mocks stood in for (a build's digest, ...), for the report to say. */
    notes: string[];
}

/** Answers an invoke (e.g. a registry lookup); return undefined to fall back to the default answers. */
export type InvokeHandler = (
    token: string,
    inputs: Record<string, any>,
) => Record<string, any> | undefined | Promise<Record<string, any> | undefined>;

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
    /** Run as a new stack's first preview: see InProcessOptions.preview. Default false. */
    preview?: boolean;
}

/**
 * How long a program may run before we give up on it: a guard against a hung program, so generous enough for
 * a busy 2-core machine (16 children started together once needed more than 120 s each).
 */
const PROGRAM_TIMEOUT_MS = 300_000;
const CHILD_SCRIPT = path.join(__dirname, `mockChild${path.extname(__filename)}`);

/**
 * Runs the program in a fresh child process (a program is a module with top-level side effects: it can
 * only be loaded once per module registry), so it is safe to call many times from one test process.
 * Rejects with ProgramError when the program itself fails.
 */
export function runProgram(opts: RunOptions): Promise<ProgramRun> {
    const program = path.resolve(opts.program);
    const request: ChildRequest = {
        type: "run",
        program,
        options: {
            stack: opts.stack,
            project: opts.project ?? projectNameFor(path.dirname(program)),
            config: opts.config,
            preview: opts.preview,
        },
        forwardInvokes: opts.invoke !== undefined,
    };
    return new Promise<ProgramRun>((resolve, reject) => {
        const child = fork(CHILD_SCRIPT, [], {
            execArgv: ["-r", require.resolve("ts-node/register/transpile-only")],
            stdio: ["ignore", "pipe", "pipe", "ipc"],
        });
        let stderr = "";
        child.stdout?.resume();
        child.stderr?.on("data", (chunk: Buffer) => {
            stderr = (stderr + chunk.toString()).slice(-4000);
        });
        let settled = false;
        const finish = (outcome: () => void) => {
            if (!settled) {
                settled = true;
                clearTimeout(timer);
                outcome();
                child.kill();
            }
        };
        const timer = setTimeout(
            () => finish(() => reject(new ProgramError(`program ${opts.program} did not finish within ${PROGRAM_TIMEOUT_MS / 1000} s`))),
            PROGRAM_TIMEOUT_MS,
        );
        child.on("message", async (message: ChildMessage) => {
            switch (message.type) {
                case "result":
                    finish(() => resolve(message.run));
                    break;
                case "failure":
                    finish(() => reject(message.programFailed ? new ProgramError(message.message) : new Error(message.message)));
                    break;
                case "invoke": {
                    let reply: ParentMessage;
                    try {
                        reply = { type: "invokeResult", id: message.id, answer: await opts.invoke!(message.token, message.inputs) };
                    } catch (err) {
                        reply = { type: "invokeResult", id: message.id, error: (err as Error).message ?? String(err) };
                    }
                    if (!settled) {
                        child.send(reply);
                    }
                    break;
                }
            }
        });
        child.on("error", (err) => finish(() => reject(err)));
        child.on("exit", (code, signal) =>
            finish(() => reject(new Error(`program runner exited (${signal ?? `code ${code}`}) without a result: ${stderr.trim()}`))),
        );
        child.send(request);
    });
}

/**
 * In-process: constructs components directly in `build` under a fresh mocked stack and records every
 * resource the same way runProgram does. Defaults: stack "dev", project from ./Pulumi.yaml, no config.
 */
export async function recordResources(
    build: () => void | Promise<void>,
    opts: { stack?: string; project?: string; config?: StackConfig; invoke?: InvokeHandler } = {},
): Promise<RecordedResource[]> {
    const options: InProcessOptions = {
        stack: opts.stack ?? "dev",
        project: opts.project ?? projectNameFor(process.cwd()),
        config: opts.config,
        invoke: opts.invoke,
    };
    const run = await recordRun(async () => {
        await build();
    }, options);
    return run.resources;
}

// ---- parent ⇄ child messages (offline/mockChild.ts is the other side) ----------------------------

export interface ChildRequest {
    type: "run";
    program: string;
    options: Omit<InProcessOptions, "invoke">;
    forwardInvokes: boolean;
}
export type ChildMessage =
    | { type: "result"; run: ProgramRun }
    | { type: "failure"; message: string; programFailed: boolean }
    | { type: "invoke"; id: number; token: string; inputs: Record<string, any> };
export type ParentMessage = { type: "invokeResult"; id: number; answer?: Record<string, any>; error?: string };
