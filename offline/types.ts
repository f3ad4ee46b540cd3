/**
 * The data the offline harness records and hands on (to the policy runner, the check, the tests): shared by
 * offline/mock-runtime.ts (which records it) and offline/run-program.ts (which runs programs), so that neither
 * needs the other's types.
 */
import type { StackConfig } from "./stack-config";

export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** Fully resolved plain values (secrets unwrapped). */
    inputs: Record<string, unknown>;
    /** What the mock returned: inputs plus stand-in values (metadata.name of auto-named objects…). */
    outputs: Record<string, unknown>;
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
    /** The program's own source files this run loaded (not packages under node_modules): what `--watch` watches. */
    sources?: string[];
}

/** Answers an invoke (e.g. a registry lookup); return undefined to fall back to the default answers. */
export type InvokeHandler = (
    token: string,
    inputs: Record<string, unknown>,
) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;

/** One recording: the stack the code runs in and how the mocks answer. */
export interface RecordOptions {
    stack: string;
    project: string;
    config?: StackConfig;
    invoke?: InvokeHandler;
    /**
     * Run as the first `pulumi preview` of a new stack does: values known only after apply (RandomPassword.result,
     * build outputs) stay unknown, and inputs that depend on one keep the SDK's unknown marker so the policy runner
     * reports "can't run ... during preview" as the engine's analyzer does. Default false (as `pulumi up`).
     */
    preview?: boolean;
}

/** The program (not the harness) failed: it threw, or a resource/invoke it needed could not be answered. */
export class ProgramError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProgramError";
    }
}

/** The program has type errors: pulumi preview would stop with them before declaring anything. */
export class TypeCheckError extends Error {}
