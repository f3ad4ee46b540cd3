/**
 * Plain Kubernetes YAML as the check sees it: multi-document files, `List` kinds, stdin. Objects become
 * recorded resources the way pulumi-kubernetes' yaml/v2 Register does (provider/pkg/provider/yaml/v2/
 * yaml.go): type token from apiVersion/kind, resource name "[<prefix>:][<namespace>/]<name>", namespaced
 * kinds without a namespace get the default one; so the same objects are checked whether they come from
 * a file, a ConfigGroup or `helm template`.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { isClusterScoped } from "./render";
import type { RecordedResource } from "./types";
import type { SourceLocation } from "./report";

export interface ManifestObject {
    object: Record<string, unknown>;
    /** File as given (or "-" for stdin) and the line its document starts on. */
    file: string;
    line: number;
}

/** Bad manifest input: the caller reports it as an input error (exit 2), naming file and line. */
export class ManifestError extends Error {}

/** Every object in a YAML stream; `List` kinds expanded into their items, empty documents skipped. */
export function parseManifests(text: string, file: string): ManifestObject[] {
    const lineCounter = new YAML.LineCounter();
    // YAML 1.1, as kubectl's parser reads it (`on`/`yes` are booleans there).
    const documents = YAML.parseAllDocuments(text, { version: "1.1", lineCounter });
    if (!Array.isArray(documents)) {
        return [];
    }
    const objects: ManifestObject[] = [];
    for (const doc of documents) {
        const line = doc.contents?.range
            ? lineCounter.linePos(doc.contents.range[0]).line
            : lineCounter.linePos(doc.range[0]).line;
        if (doc.errors.length > 0) {
            const err = doc.errors[0];
            const at = err.linePos?.[0]?.line ?? line;
            throw new ManifestError(
                `${file}:${at}: not valid YAML: ${err.message.split("\n")[0].replace(/:$/, "")}. Fix: correct the document at that line`,
            );
        }
        const value: unknown = doc.toJS({ maxAliasCount: 100 });
        if (value === null || value === undefined) {
            continue;
        }
        if (typeof value !== "object" || Array.isArray(value)) {
            throw new ManifestError(
                `${file}:${line}: expected a Kubernetes object (a mapping with apiVersion and kind), got ${JSON.stringify(value).slice(0, 60)}`,
            );
        }
        if (Object.keys(value).length === 0) {
            continue;
        }
        objects.push(...expandLists(value as Record<string, unknown>, file, line));
    }
    return objects;
}

/** `kind: List` (and `...List`) items are applied one by one by the API server, so they are checked one by one. */
function expandLists(value: Record<string, unknown>, file: string, line: number): ManifestObject[] {
    if (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) {
        return value.items.flatMap((item: unknown, i: number) => {
            if (item === null || typeof item !== "object" || Array.isArray(item)) {
                throw new ManifestError(`${file}:${line}: items[${i}] of the ${String(value.kind)} is not an object`);
            }
            return expandLists(item as Record<string, unknown>, file, line);
        });
    }
    return [{ object: value, file, line }];
}

/**
 * The whole of the process's standard input, what `--manifests -` reads unless told otherwise. Read as a stream:
 * the pipe npm hands its script may be non-blocking, and a synchronous read of fd 0 then fails with EAGAIN as soon
 * as the writer (helm template) is slower than the reader.
 */
export async function readStandardInput(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    }
    return Buffer.concat(chunks).toString("utf8");
}

/** Reads a file, every .yaml/.yml/.json file of a directory (recursively, sorted), or stdin for "-". */
export async function readManifests(
    source: string,
    resolvedPath: string,
    readStdin: () => Promise<string> = readStandardInput,
): Promise<ManifestObject[]> {
    if (source === "-") {
        return parseManifests(await readStdin(), "-");
    }
    if (!fs.existsSync(resolvedPath)) {
        throw new ManifestError(
            `--manifests ${source}: no such file or directory. Fix: pass a YAML file, a directory of them, or - for stdin`,
        );
    }
    if (fs.statSync(resolvedPath).isDirectory()) {
        const files = (fs.readdirSync(resolvedPath, { recursive: true }) as string[])
            .filter((f) => /\.(ya?ml|json)$/i.test(f))
            .sort();
        return files.flatMap((f) =>
            parseManifests(fs.readFileSync(path.join(resolvedPath, f), "utf8"), path.join(source, f)),
        );
    }
    return parseManifests(fs.readFileSync(resolvedPath, "utf8"), source);
}

/** The Pulumi type token pulumi-kubernetes registers an object under ("core/v1" for the core group). */
export function typeTokenFor(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

export interface RegisterOptions {
    /** "" for none (plain manifests); a ConfigGroup's or Chart's name by default. */
    resourcePrefix: string;
    /** For namespaced kinds without one (the provider's default namespace). */
    defaultNamespace: string;
    /** URN of the parent component, or undefined for top-level objects. */
    parent?: RecordedResource;
    stack: string;
    project: string;
    skipAwait?: boolean;
}

export interface RegisteredObject {
    resource: RecordedResource;
    location?: SourceLocation;
}

/** The provider's Normalize + Register: checks apiVersion/kind/name, applies the namespace, names the resource. */
export function registerObjects(
    objects: ManifestObject[],
    opts: RegisterOptions,
    locate: (m: ManifestObject) => SourceLocation | undefined,
): RegisteredObject[] {
    return objects.map((m) => {
        const obj = structuredClone(m.object);
        const where = `${m.file}:${m.line}`;
        if (
            typeof obj.apiVersion !== "string" ||
            obj.apiVersion === "" ||
            typeof obj.kind !== "string" ||
            obj.kind === ""
        ) {
            throw new ManifestError(
                `${where}: Kubernetes objects require a kind and apiVersion (got kind ${JSON.stringify(obj.kind)}, apiVersion ${JSON.stringify(obj.apiVersion)})`,
            );
        }
        const metadata = obj.metadata as
            { name?: unknown; namespace?: string; annotations?: Record<string, string> } | null | undefined;
        if (
            metadata === null ||
            typeof metadata !== "object" ||
            typeof metadata.name !== "string" ||
            metadata.name === ""
        ) {
            throw new ManifestError(
                `${where}: ${obj.kind} requires a .metadata.name (generateName is not supported by Pulumi's yaml/v2 either)`,
            );
        }
        const apiVersion = obj.apiVersion.startsWith("core/") ? obj.apiVersion.slice("core/".length) : obj.apiVersion;
        obj.apiVersion = apiVersion;
        if ((metadata.namespace ?? "") === "" && !isClusterScoped(obj.kind)) {
            metadata.namespace = opts.defaultNamespace;
        }
        if (opts.skipAwait) {
            metadata.annotations = { ...metadata.annotations, "pulumi.com/skipAwait": "true" };
        }
        const qualified = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name;
        const name = opts.resourcePrefix === "" ? qualified : `${opts.resourcePrefix}:${qualified}`;
        const type = typeTokenFor(apiVersion, obj.kind);
        const resource: RecordedResource = {
            urn: childUrn(opts, type, name),
            type,
            name,
            custom: true,
            inputs: obj,
            outputs: structuredClone(obj),
            ...(opts.parent ? { parent: opts.parent.urn } : {}),
            options: {
                dependsOn: [],
                ...(opts.parent?.options.provider ? { provider: opts.parent.options.provider } : {}),
            },
        };
        return { resource, location: locate(m) };
    });
}

/** URNs as the engine builds them: the parent's type chain, then the child's type. */
function childUrn(opts: RegisterOptions, type: string, name: string): string {
    const parentType = opts.parent?.urn.split("::")[2];
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${opts.stack}::${opts.project}::${qualified}::${name}`;
}

/** Secret data of objects that arrive as YAML: the provider marks it secret, so it must never be printed. */
export function secretValuesOf(objects: Array<Record<string, unknown>>): string[] {
    const values: string[] = [];
    for (const obj of objects) {
        if (obj.kind !== "Secret" || obj.apiVersion !== "v1") {
            continue;
        }
        for (const [field, base64] of [
            ["data", true],
            ["stringData", false],
        ] as const) {
            for (const value of Object.values((obj[field] ?? {}) as Record<string, unknown>)) {
                if (typeof value === "string" && value !== "") {
                    values.push(value);
                    if (base64) {
                        values.push(Buffer.from(value, "base64").toString("utf8"));
                    }
                }
            }
        }
    }
    return values.filter((v) => v !== "");
}
