/**
 * Plain Kubernetes YAML as the check sees it: multi-document files, `List` kinds, stdin. Objects become
 * recorded resources the way pulumi-kubernetes' yaml/v2 Register does (provider/pkg/provider/yaml/v2/
 * yaml.go): type token from apiVersion/kind, resource name "[<prefix>:][<namespace>/]<name>", namespaced
 * kinds without a namespace get the default one; so the same objects are checked whether they come from
 * a file, a ConfigGroup or `helm template`.
 */
import * as fs from "fs";
import { isUtf8 } from "buffer";
import * as path from "path";
import * as YAML from "yaml";
import { describeFsError, specialFileKind } from "./file-errors";
import { isKindName } from "../policy/kubernetes-tokens";
import { isClusterScoped } from "./render";
import { capMessage, quoted } from "./report";
import { duplicateKey, duplicateKeyMessage, WITHOUT_QUADRATIC_KEY_CHECK } from "./strict-yaml";
import type { SourceLocation } from "./report";
import type { RecordedResource } from "./types";

export interface ManifestObject {
    object: Record<string, unknown>;
    /** File as given (or "-" for stdin) and the line its document starts on. */
    file: string;
    line: number;
}

/** Bad manifest input: the caller reports it as an input error (exit 2), naming file and line. */
export class ManifestError extends Error {}

/** Most aliases one document may expand (a "billion laughs" document needs thousands). */
const MAX_ALIAS_COUNT = 100;

/** Every object in a YAML stream; `List` kinds expanded into their items, empty documents skipped. */
export function parseManifests(text: string, file: string): ManifestObject[] {
    const lineCounter = new YAML.LineCounter();
    // YAML 1.1, as kubectl's parser reads it (`on`/`yes` are booleans there); duplicate keys checked below.
    const documents = YAML.parseAllDocuments(text, { version: "1.1", lineCounter, ...WITHOUT_QUADRATIC_KEY_CHECK });
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
                `${file}:${at}: not valid YAML: ${capMessage(err.message.split("\n")[0].replace(/:$/, ""))}. Fix: correct the document at that line`,
            );
        }
        const duplicate = duplicateKey(doc);
        if (duplicate !== undefined) {
            throw new ManifestError(
                `${file}:${lineCounter.linePos(duplicate.offset).line}: ${duplicateKeyMessage(duplicate.key, quoted)}`,
            );
        }
        let value: unknown;
        try {
            value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
        } catch (err) {
            if (!(err instanceof ReferenceError)) {
                throw err;
            }
            throw new ManifestError(
                `${file}:${line}: not valid YAML: ${err.message} (its aliases expand to more than ${MAX_ALIAS_COUNT} times their anchors). Fix: write the values out, or use fewer aliases`,
            );
        }
        if (value === null || value === undefined) {
            continue;
        }
        if (typeof value !== "object" || Array.isArray(value)) {
            throw new ManifestError(
                `${file}:${line}: expected a Kubernetes object (a mapping with apiVersion and kind), got ${quoted(value)}`,
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
export async function readStandardInput(limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        size += buffer.length;
        if (size > limits.maxFileBytes) {
            throw new ManifestError(tooLarge("-", limits, "maxFileBytes"));
        }
        chunks.push(buffer);
    }
    return decodeUtf8(Buffer.concat(chunks), "-");
}

/** How much YAML one run reads: a bound on memory and time, not on what Kubernetes accepts. */
export interface ReadLimits {
    /** Bytes of one file (or of stdin). */
    maxFileBytes: number;
    /** Bytes of all files of a --manifests directory together. */
    maxTotalBytes: number;
}

export const MIB = 1024 * 1024;
/** 16 MiB a file, 64 MiB a run: far above any chart's output (an object is at most 1.5 MiB in etcd). */
export const DEFAULT_READ_LIMITS: ReadLimits = { maxFileBytes: 16 * MIB, maxTotalBytes: 64 * MIB };

/** The flag that raises each limit. */
export const READ_LIMIT_FLAGS = { maxFileBytes: "max-file-mib", maxTotalBytes: "max-input-mib" } as const;

function tooLarge(file: string, limits: ReadLimits, which: keyof ReadLimits, flag = "manifests"): string {
    const what = which === "maxFileBytes" ? "one file" : "all its files together";
    const limit = limits[which];
    const size = limit >= MIB ? `${+(limit / MIB).toFixed(2)} MiB` : `${limit} bytes`;
    return `--${flag} ${file}: more than ${size} in ${what}, the check's limit. Fix: split the input, or raise the limit with --${READ_LIMIT_FLAGS[which]} <n>`;
}

/** UTF-8 or a ManifestError naming the line of the first invalid byte (kubectl refuses such files too). */
export function decodeUtf8(buffer: Buffer, file: string): string {
    try {
        return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(buffer);
    } catch {
        const offset = firstInvalidUtf8(buffer);
        const line = buffer.subarray(0, offset).reduce((n, byte) => n + (byte === 0x0a ? 1 : 0), 1);
        throw new ManifestError(
            `${file}:${line}: not valid UTF-8 (byte 0x${buffer[offset].toString(16).padStart(2, "0")} at offset ${offset}); kubectl refuses it too. Fix: save the file as UTF-8`,
        );
    }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(buffer: Buffer): number {
    // Binary search on the longest valid prefix (`stream`: a prefix may end inside a sequence); validity of
    // prefixes is monotone, so O(n log n) with the native decoder.
    let low = 0;
    let high = buffer.length;
    while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        try {
            new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(0, mid), { stream: true });
            low = mid;
        } catch {
            high = mid - 1;
        }
    }
    if (low >= buffer.length || isUtf8(buffer.subarray(0, low))) {
        return Math.min(low, buffer.length - 1);
    }
    // The prefix ends inside a sequence the next byte breaks: point at the sequence's first byte.
    let start = low - 1;
    while (start > 0 && (buffer[start] & 0xc0) === 0x80) {
        start--;
    }
    return start;
}

/** What a --manifests path held: the objects, and what was skipped (special files, symlink loops). */
export interface ManifestInput {
    objects: ManifestObject[];
    skipped: string[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Reads a file, every .yaml/.yml/.json file of a directory (recursively, sorted), or stdin for "-". */
export async function readManifests(
    source: string,
    resolvedPath: string,
    readStdin: () => Promise<string> = readStandardInput,
    limits: ReadLimits = DEFAULT_READ_LIMITS,
    /** The flag that named the path, for messages: manifests, or crd. */
    flag = "manifests",
): Promise<ManifestInput> {
    if (source === "-") {
        return { objects: parseManifests(await readStdin(), "-"), skipped: [] };
    }
    const stat = statInput(resolvedPath, source, flag);
    if (!stat.isDirectory()) {
        // A path named on the command line is read whatever it is: `--manifests <(helm template …)` is a pipe.
        return { objects: parseManifests(readCapped(resolvedPath, source, limits, flag), source), skipped: [] };
    }
    const { files, skipped } = listManifestFiles(resolvedPath, source, flag);
    let total = 0;
    const objects = files.flatMap((f) => {
        const display = path.join(source, f);
        const text = readCapped(path.join(resolvedPath, f), display, limits, flag);
        total += Buffer.byteLength(text);
        if (total > limits.maxTotalBytes) {
            throw new ManifestError(tooLarge(source, limits, "maxTotalBytes", flag));
        }
        return parseManifests(text, display);
    });
    return { objects, skipped };
}

function statInput(file: string, display: string, flag: string): fs.Stats {
    try {
        return fs.statSync(file);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new ManifestError(
            code === "ENOENT"
                ? `--${flag} ${display}: no such file or directory. Fix: pass a YAML file, a directory of them, or - for stdin`
                : `--${flag} ${display}: cannot read it: ${describeFsError(err)}. Fix: ${code === "EACCES" || code === "EPERM" ? "make it readable by the user running the check" : "pass a YAML file, a directory of them, or - for stdin"}`,
        );
    }
}

/** At most `limit` bytes of a file, decoded as UTF-8; more is an error (a device such as /dev/zero never ends). */
function readCapped(file: string, display: string, limits: ReadLimits, flag: string): string {
    const limit = limits.maxFileBytes;
    let fd: number;
    try {
        fd = fs.openSync(file, "r");
    } catch (err) {
        statInput(file, display, flag);
        throw new ManifestError(`--${flag} ${display}: cannot read it: ${describeFsError(err)}`);
    }
    try {
        const chunks: Buffer[] = [];
        let size = 0;
        for (;;) {
            const chunk = Buffer.alloc(Math.min(limit + 1 - size, MIB));
            const n = fs.readSync(fd, chunk);
            if (n === 0) {
                break;
            }
            size += n;
            if (size > limit) {
                throw new ManifestError(tooLarge(display, limits, "maxFileBytes", flag));
            }
            chunks.push(chunk.subarray(0, n));
        }
        return decodeUtf8(Buffer.concat(chunks), display);
    } catch (err) {
        throw err instanceof ManifestError
            ? err
            : new ManifestError(`--${flag} ${display}: cannot read it: ${describeFsError(err)}`);
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * The manifest files under `root`, relative and sorted. Each real directory is read once (a symlink back to
 * a directory already read, a loop, is skipped and listed instead of followed 40 levels deep), and special
 * files (FIFOs, sockets, devices) are listed but never opened: reading one can block forever.
 */
function listManifestFiles(root: string, source: string, flag: string): { files: string[]; skipped: string[] } {
    const files: string[] = [];
    const skipped: string[] = [];
    const visited = new Map<string, string>();
    const pending: Array<[dir: string, relative: string]> = [[root, ""]];
    while (pending.length > 0) {
        const [dir, relative] = pending.pop()!;
        const shown = relative === "" ? source : path.join(source, relative);
        const real = fs.realpathSync(dir);
        const earlier = visited.get(real);
        if (earlier !== undefined) {
            skipped.push(
                `${shown}: the directory ${earlier} again, through a symlink (a loop or a second link; read once)`,
            );
            continue;
        }
        visited.set(real, shown);
        let entries: string[];
        try {
            entries = fs.readdirSync(dir);
        } catch (err) {
            throw new ManifestError(`--${flag} ${shown}: cannot list it: ${describeFsError(err)}`);
        }
        for (const name of entries) {
            const child = path.join(relative, name);
            const full = path.join(dir, name);
            let stat: fs.Stats;
            try {
                stat = fs.statSync(full);
            } catch (err) {
                const code = (err as NodeJS.ErrnoException).code;
                if (code === "ELOOP") {
                    skipped.push(`${path.join(source, child)}: a symlink loop (never followed)`);
                    continue;
                }
                if (!MANIFEST_FILE.test(name)) {
                    continue;
                }
                throw new ManifestError(
                    `--${flag} ${path.join(source, child)}: cannot read it: ${code === "ENOENT" ? "a symlink to a file that does not exist" : describeFsError(err)}`,
                );
            }
            if (stat.isDirectory()) {
                pending.push([full, child]);
            } else if (!MANIFEST_FILE.test(name)) {
                continue;
            } else if (stat.isFile()) {
                files.push(child);
            } else {
                skipped.push(`${path.join(source, child)}: a ${specialFileKind(stat)}, never opened`);
            }
        }
    }
    return { files: files.sort(), skipped: skipped.sort() };
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
                `${where}: Kubernetes objects require a kind and apiVersion (got kind ${quoted(obj.kind)}, apiVersion ${quoted(obj.apiVersion)})`,
            );
        }
        if (!isKindName(obj.kind)) {
            // Its type token would not parse, and the object would vanish from the check: refuse it instead.
            throw new ManifestError(
                `${where}: kind ${quoted(obj.kind)} is not a Kubernetes kind (letters and digits, starting with a letter, ≤ 63). Fix: spell the kind as the API serves it, e.g. ConfigMap`,
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
