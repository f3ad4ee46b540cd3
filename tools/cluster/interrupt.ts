// Ctrl-C (SIGINT), SIGTERM and SIGHUP while `cluster:up` or `test:cluster` has started daemons: the process must
// stop what it started before it exits, instead of node's default of exiting at once and leaving them running.
import * as os from "os";

const INTERRUPTS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** The reason an interrupted operation gives up with; its exit code is the shell's for that signal (130, 143…). */
export class Interrupted extends Error {
    constructor(readonly signal: NodeJS.Signals) {
        super(`interrupted by ${signal}: stopped every process this run had started`);
    }

    get exitCode(): number {
        return 128 + os.constants.signals[this.signal];
    }
}

/**
 * Calls `handle` on the first SIGINT, SIGTERM or SIGHUP; returns the function that removes the handlers. Later
 * signals only say that the teardown goes on: `npm run` forwards the terminal's Ctrl-C to its child, which so gets
 * it twice, and a second Ctrl-C must not cut the teardown short.
 */
export function onInterrupt(handle: (interrupted: Interrupted) => void): () => void {
    let first: NodeJS.Signals | undefined;
    const listener = (signal: NodeJS.Signals) => {
        if (first) {
            process.stderr.write(`${signal} again: still stopping what was started after ${first}\n`);
            return;
        }
        first = signal;
        handle(new Interrupted(signal));
    };
    for (const signal of INTERRUPTS) {
        process.on(signal, listener);
    }
    return () => INTERRUPTS.forEach((signal) => process.off(signal, listener));
}
