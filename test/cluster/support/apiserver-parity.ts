// Parity of the offline check with kube-apiserver: each object of a corpus is created with dryRun=All (validation
// and admission, nothing stored) and checked offline; every field the API server rejects must carry an offline
// schema error, and an object the API server accepts must have none.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { projectNameFor, RecordedResource, runProgram } from "../../../offline/run-program";
import { toKubernetesObject, validateKubernetesObject } from "../../../offline/schema";
import { KubeApiError, KubeConnection, kubeRequest } from "../../../tools/cluster/kube-api";
import { compliantStack } from "../../policy/fixtures";
import { mutationsOf } from "../../support/apiserver-mutations";
import { checkInProcess, ROOT } from "../../support/check";

type Json = Record<string, any>;

export interface ParityCase {
    /** Where the object comes from and what was changed, for the report. */
    label: string;
    object: Json;
}

export interface ServerCause {
    reason: string;
    field: string;
    message: string;
}

export interface ParityResult {
    label: string;
    kind: string;
    /** undefined: accepted */
    rejected?: { status: number; message: string; causes: ServerCause[] };
    /** Offline schema errors: "<path>: <problem>". */
    offline: string[];
    /** Server cause fields with no offline error at that path. */
    missed: string[];
}

/** The REST collection of an apiVersion/kind in a namespace. */
function collection(apiVersion: string, kind: string, namespace: string): string {
    const lower = kind.toLowerCase();
    const plural = lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : lower.endsWith("s") ? `${lower}es` : `${lower}s`;
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${base}/namespaces/${namespace}/${plural}`;
}

/** The path of an offline problem ("spec.ports[0].port: 0: must be ..." → "spec.ports[0].port"). */
export const offlinePath = (problem: string) => problem.slice(0, problem.indexOf(": "));

async function dryRun(conn: KubeConnection, object: Json, namespace: string): Promise<ParityResult["rejected"]> {
    try {
        await kubeRequest(
            conn,
            "POST",
            `${collection(object.apiVersion, object.kind, namespace)}?dryRun=All&fieldValidation=Strict`,
            object,
        );
        return undefined;
    } catch (err) {
        if (!(err instanceof KubeApiError)) {
            throw err;
        }
        const status = JSON.parse(err.body) as { message?: string; details?: { causes?: ServerCause[] } };
        return { status: err.status, message: status.message ?? err.body, causes: status.details?.causes ?? [] };
    }
}

/** Every case dry-run (a few at a time) and checked offline, in the namespace `namespace`. */
export async function checkParity(
    conn: KubeConnection,
    cases: ParityCase[],
    namespace: string,
): Promise<ParityResult[]> {
    const results: ParityResult[] = [];
    const queue = [...cases];
    const worker = async () => {
        for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
            const object: Json = { ...c.object, metadata: { ...c.object.metadata, namespace } };
            const rejected = await dryRun(conn, object, namespace);
            const offline = validateKubernetesObject(object);
            const paths = new Set(offline.map(offlinePath));
            const missed = (rejected?.causes ?? []).map((cause) => cause.field).filter((f) => !paths.has(f));
            results.push({ label: c.label, kind: String(object.kind), rejected, offline, missed });
        }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    return results;
}

/** A server error cause without its indices and values: "FieldValueInvalid spec.ports[].port". */
export const causeKey = (cause: ServerCause) => `${cause.reason} ${cause.field.replace(/\[[^\]]*\]/g, "[]")}`;

// ---- the corpus ----------------------------------------------------------------------------------------

/** Objects the API server never sees in a namespace of its own (they are cluster-scoped). */
const CLUSTER_SCOPED = new Set(["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"]);

/** The objects `npm run check -- --stack <stack> --out` writes, read back. */
async function renderedStack(stack: string): Promise<ParityCase[]> {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `apiserver-parity-${stack}-`));
    try {
        const run = await checkInProcess(["--stack", stack, "--out", out, "--skip-type-check"]);
        if (run.status !== 0) {
            throw new Error(`check --stack ${stack} failed (${run.status}): ${run.stdout}${run.stderr}`);
        }
        return fs
            .readdirSync(out)
            .filter((f) => f.endsWith(".yaml"))
            .sort()
            .map((f) => ({
                label: `${stack} ${f}`,
                object: parseYaml(fs.readFileSync(path.join(out, f), "utf8")) as Json,
            }));
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

/** The Kubernetes objects of recorded resources (a program's or the policy fixtures'). */
function objectsOf(source: string, resources: RecordedResource[]): ParityCase[] {
    return resources.flatMap((r) => {
        const object = toKubernetesObject(r);
        return object ? [{ label: `${source} ${r.type}::${r.name}`, object }] : [];
    });
}

/** Every incident program's objects (test/incidents/*.ts: the postmortems' mistakes, as written then). */
async function incidentObjects(): Promise<ParityCase[]> {
    const dir = path.join(ROOT, "test", "incidents");
    const cases: ParityCase[] = [];
    for (const file of fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".ts"))
        .sort()) {
        const run = await runProgram({
            program: path.join(dir, file),
            stack: "incident",
            project: projectNameFor(dir),
        });
        cases.push(...objectsOf(`incident ${file}`, run.resources));
    }
    return cases;
}

/**
 * The corpus: the dev and qa stacks' objects, the incident programs' objects and the policy tests' compliant
 * fixtures as they are, then every mutation of test/support/apiserver-mutations.ts that applies to each dev,
 * qa and fixture object, labelled with the path the API server is expected to reject it at.
 */
export async function parityCorpus(): Promise<{ cases: ParityCase[]; expected: Map<string, string> }> {
    const bases = [
        ...(await renderedStack("dev")),
        ...(await renderedStack("qa")),
        ...objectsOf("fixture", compliantStack()),
    ].filter((c) => !CLUSTER_SCOPED.has(String(c.object.kind)));
    const cases = [...bases, ...(await incidentObjects()).filter((c) => !CLUSTER_SCOPED.has(String(c.object.kind)))];
    const expected = new Map<string, string>();
    for (const base of bases) {
        for (const mutation of mutationsOf(String(base.object.kind)).filter((m) => m.offlineOnly === undefined)) {
            const object = structuredClone(base.object);
            const at = mutation.apply(object);
            if (at !== undefined) {
                const label = `${base.label}: ${mutation.change}`;
                cases.push({ label, object });
                expected.set(label, at);
            }
        }
    }
    return { cases, expected };
}
