/**
 * Child-process side of runProgram: receives one run request over IPC, runs the program in this fresh
 * process and sends back the recording (or the failure). Invokes the parent wants to answer itself are
 * forwarded to it.
 */
import { ProgramError, runProgramInProcess } from "./mockRuntime";
import type { ChildMessage, ChildRequest, InvokeHandler, ParentMessage } from "./runProgram";

const pendingInvokes = new Map<number, { resolve: (answer: Record<string, any> | undefined) => void; reject: (err: Error) => void }>();
let nextInvokeId = 0;

const forwardInvoke: InvokeHandler = (token, inputs) =>
    new Promise((resolve, reject) => {
        const id = nextInvokeId++;
        pendingInvokes.set(id, { resolve, reject });
        send({ type: "invoke", id, token, inputs });
    });

function send(message: ChildMessage): Promise<void> {
    return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

process.on("message", (message: ChildRequest | ParentMessage) => {
    if (message.type === "invokeResult") {
        const pending = pendingInvokes.get(message.id);
        pendingInvokes.delete(message.id);
        if (message.error !== undefined) {
            pending?.reject(new Error(message.error));
        } else {
            pending?.resolve(message.answer);
        }
        return;
    }
    runProgramInProcess(message.program, { ...message.options, invoke: message.forwardInvokes ? forwardInvoke : undefined })
        .then(
            (run) => send({ type: "result", run }),
            (err) => send({ type: "failure", message: err instanceof Error ? err.message : String(err), programFailed: err instanceof ProgramError }),
        )
        .then(() => process.exit(0));
});
