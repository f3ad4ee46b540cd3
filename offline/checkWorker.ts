/**
 * Worker thread of `npm run check`. Loading (compiling) the policy pack and the schemas costs about as
 * much as a third of running the program; both are CPU-bound, so the worker does it on another core while
 * the main thread runs the program, then validates the objects and runs the policies.
 */
import * as path from "path";
import { Worker, parentPort, workerData } from "worker_threads";
import type { PolicyRunOptions, Violation } from "./policyRunner";
import type { RecordedResource } from "./runProgram";

export interface CheckJob {
    resources: RecordedResource[];
    /** Kubernetes objects to validate, each with the "<type>::<name>" of its resource. */
    objects: Array<{ resource: string; obj: Record<string, any> }>;
    policyOptions: Pick<PolicyRunOptions, "packConfig" | "stackTags">;
}

export interface CheckJobResult {
    violations: Violation[];
    schemaErrors: Array<{ resource: string; message: string }>;
}

type WorkerReply = { result: CheckJobResult } | { error: string };

/** Marks the thread this module should serve in (importing it elsewhere must not start serving). */
const WORKER_ROLE = "webstack-check-worker";

/** Starts loading right away; `run` hands over the recording once the program is done. */
export class CheckWorker {
    private readonly worker: Worker;
    private readonly failed: Promise<never>;

    constructor() {
        const entry = path.join(__dirname, `checkWorker${path.extname(__filename)}`);
        const tsNode = require.resolve("ts-node/register/transpile-only");
        const source = `require(${JSON.stringify(tsNode)}); require(${JSON.stringify(entry)});`;
        this.worker = new Worker(source, { eval: true, execArgv: [], workerData: WORKER_ROLE });
        this.failed = new Promise<never>((_, reject) => this.worker.once("error", reject));
        this.failed.catch(() => undefined);
    }

    run(job: CheckJob): Promise<CheckJobResult> {
        const reply = new Promise<CheckJobResult>((resolve, reject) => {
            this.worker.once("message", (message: WorkerReply) => ("error" in message ? reject(new Error(message.error)) : resolve(message.result)));
        });
        this.worker.postMessage(job);
        return Promise.race([reply, this.failed]);
    }

    stop(): void {
        void this.worker.terminate();
    }
}

if (workerData === WORKER_ROLE && parentPort) {
    const port = parentPort;
    // Loaded now, while the main thread is busy with the program.
    const { runPolicies } = require("./policyRunner") as typeof import("./policyRunner");
    const { policies } = require("../policy/policies") as typeof import("../policy/policies");
    const { validateKubernetesObject } = require("./schema") as typeof import("./schema");
    port.on("message", async (job: CheckJob) => {
        try {
            const schemaErrors = job.objects.flatMap(({ resource, obj }) => validateKubernetesObject(obj).map((message) => ({ resource, message })));
            const violations = await runPolicies(job.resources, { ...job.policyOptions, policies });
            port.postMessage({ result: { violations, schemaErrors } } satisfies WorkerReply);
        } catch (err) {
            port.postMessage({ error: (err as Error)?.message ?? String(err) } satisfies WorkerReply);
        }
    });
}
