/**
 * Where `--out` puts each object: a file name derived from the object's identity, never joined from its raw
 * fields. Names are built only from parts that passed the API server's own syntax rules (so they hold no `/`,
 * `..` or NUL), capped in length, and unique per object: two distinct objects never share a file, while the
 * same object declared twice is still found (by identity, not by file name). Files are written only inside the
 * real (symlink-resolved) `--out` directory, never through a symlink planted in it.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { describeFsError } from "./file-errors";
import { apiGroupOf, isKindName } from "../policy/kubernetes-tokens";
import { isClusterScoped } from "./render";
import { quoted } from "./report";
import { isDnsLabel, isDnsSubdomain } from "./schema";

/** Marks a directory as written by `check`, so files of objects that disappeared can be removed safely. */
export const OUT_MARKER = ".webstack-check";
/** Longest file name written: below the 255 bytes of ext4/xfs/btrfs/APFS with room to spare. */
export const MAX_OUT_FILE_NAME = 200;
/** Hex digits of the identity hash in a derived name (64 bits: no collision among any realistic object count). */
const HASH_DIGITS = 16;
/**
 * Every name `--out` writes or removes: the readable `<namespace>-<kind>-<name>.yaml` has only [a-z0-9.-];
 * a derived one adds `_<hash>`, which no readable name can contain, so the two sets never meet.
 */
const OUT_FILE_NAME = new RegExp(`^[a-z0-9][a-z0-9.-]*(_[0-9a-f]{${HASH_DIGITS}})?\\.yaml$`);

interface ObjectView {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown } | null;
}

/** What makes two objects the same object for the API server: group, kind, namespace, name (not the version). */
export function objectIdentity(obj: ObjectView): string {
    const metadata = obj.metadata ?? {};
    const group = typeof obj.apiVersion === "string" ? apiGroupOf(obj.apiVersion) : "";
    return JSON.stringify([group, obj.kind, metadata.namespace ?? null, metadata.name ?? null]);
}

/**
 * Why the object's fields cannot name a file (undefined when they can): the same syntax rules the schema check
 * reports (DNS names, a kind identifier), so every refusal here is also a schema error the user sees.
 */
export function unsafeNameReason(obj: ObjectView): string | undefined {
    const { name, namespace } = obj.metadata ?? {};
    if (typeof obj.kind !== "string" || !isKindName(obj.kind)) {
        return `kind ${quoted(obj.kind)} is not a Kubernetes kind`;
    }
    if (typeof name !== "string" || !isDnsSubdomain(name)) {
        return `metadata.name ${quoted(name)} is not a DNS-1123 subdomain`;
    }
    if (namespace !== undefined && !(typeof namespace === "string" && isDnsLabel(namespace))) {
        return `metadata.namespace ${quoted(namespace)} is not a DNS-1123 label`;
    }
    return undefined;
}

/** `<namespace>-<kind>-<name>.yaml`, lower case; "cluster" for cluster-scoped kinds, "default" when unset. */
export function fileNameFor(obj: ObjectView): string {
    const metadata = obj.metadata ?? {};
    const namespace =
        typeof metadata.namespace === "string"
            ? metadata.namespace
            : isClusterScoped(String(obj.kind))
              ? "cluster"
              : "default";
    return `${namespace}-${String(obj.kind)}-${String(metadata.name)}.yaml`.toLowerCase();
}

/**
 * Hands out one file name per object identity: the readable name when it is short enough and not yet taken by
 * another object, else the readable name cut short plus `_<hash of the identity>`.
 */
export class OutFileNames {
    private readonly byFile = new Map<string, string>();
    private readonly byIdentity = new Map<string, string>();

    /** The file for an object whose names passed unsafeNameReason; `earlier` when the same object came before. */
    assign(obj: ObjectView): { file: string; earlier: boolean } {
        const identity = objectIdentity(obj);
        const known = this.byIdentity.get(identity);
        if (known !== undefined) {
            return { file: known, earlier: true };
        }
        const readable = fileNameFor(obj);
        const file =
            readable.length <= MAX_OUT_FILE_NAME && !this.byFile.has(readable)
                ? readable
                : derivedName(readable, identity);
        this.byFile.set(file, identity);
        this.byIdentity.set(identity, file);
        return { file, earlier: false };
    }
}

function derivedName(readable: string, identity: string): string {
    const hash = crypto.createHash("sha256").update(identity).digest("hex").slice(0, HASH_DIGITS);
    const stem = readable.slice(0, -".yaml".length).slice(0, MAX_OUT_FILE_NAME - HASH_DIGITS - "_.yaml".length);
    return `${stem}_${hash}.yaml`;
}

/** `--out` cannot be used or written: exit 2 with the directory named (the report is still printed). */
export class OutDirError extends Error {}

/** Throws unless `dir` is absent, empty, or written by an earlier run (checked before any work is done). */
export function assertOutDirUsable(dir: string, given: string = dir): void {
    let stat: fs.Stats | undefined;
    try {
        stat = fs.statSync(dir);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // ENOTDIR: a file sits in its path; assertCreatable names that file.
        if (code !== "ENOENT" && code !== "ENOTDIR") {
            throw new OutDirError(
                `--out ${given}: cannot use it: ${describeFsError(err)}. Fix: pass a directory you can write`,
            );
        }
        assertCreatable(dir, given);
        return;
    }
    if (!stat.isDirectory()) {
        throw new OutDirError(
            `--out ${given} is a file, not a directory. Fix: pass a new or empty directory (e.g. out/dev)`,
        );
    }
    let existing: string[];
    try {
        existing = fs.readdirSync(dir);
        fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    } catch (err) {
        throw new OutDirError(
            `--out ${given}: cannot use it: ${describeFsError(err)}. Fix: pass a directory you can write`,
        );
    }
    if (existing.length > 0 && !existing.includes(OUT_MARKER)) {
        throw new OutDirError(
            `--out ${given} is not empty and was not written by check. Fix: pass a new or empty directory`,
        );
    }
}

/** A missing `--out` is created later: its nearest existing ancestor must be a directory we can write. */
function assertCreatable(dir: string, given: string): void {
    let ancestor = path.dirname(dir);
    for (;;) {
        try {
            const stat = fs.statSync(ancestor);
            if (!stat.isDirectory()) {
                throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
            }
            fs.accessSync(ancestor, fs.constants.W_OK | fs.constants.X_OK);
            return;
        } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            if (code !== "ENOENT" || path.dirname(ancestor) === ancestor) {
                throw new OutDirError(
                    `--out ${given}: cannot create it in ${ancestor}: ${describeFsError(err)}. Fix: pass a directory you can write`,
                );
            }
            ancestor = path.dirname(ancestor);
        }
    }
}

/**
 * Writes one file per object into `dir` (created if needed). Stale `.yaml` files are removed only from a
 * directory an earlier run wrote (it carries the marker file); a foreign non-empty directory is refused.
 * Every name is checked against OUT_FILE_NAME, joined to the real path of `dir`, and opened with O_NOFOLLOW,
 * so nothing lands outside `dir`, not even through a symlink someone left in it.
 */
export function writeObjects(dir: string, files: Map<string, string>, given: string = dir): void {
    assertOutDirUsable(dir, given);
    for (const file of files.keys()) {
        if (!OUT_FILE_NAME.test(file) || file.length > MAX_OUT_FILE_NAME) {
            throw new Error(`--out: refusing the file name ${JSON.stringify(file)} (not one check derives)`);
        }
    }
    try {
        makeDirectories(dir);
        const real = fs.realpathSync(dir);
        for (const file of fs.readdirSync(real)) {
            if (OUT_FILE_NAME.test(file) && !files.has(file)) {
                fs.rmSync(path.join(real, file));
            }
        }
        writeInside(
            real,
            OUT_MARKER,
            "Written by `npm run check -- --out`; .yaml files here are replaced on every run.\n",
        );
        for (const [file, text] of files) {
            writeInside(real, file, text);
        }
    } catch (err) {
        throw new OutDirError(
            `--out ${given}: cannot write: ${describeFsError(err)}. Fix: pass a directory you can write`,
        );
    }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync never returns where mkdir answers ENOENT for a
 * parent that exists (`--out /proc/x` hung the check).
 */
function makeDirectories(dir: string): void {
    const missing: string[] = [];
    for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
        missing.unshift(d);
        if (path.dirname(d) === d) {
            break;
        }
    }
    for (const d of missing) {
        fs.mkdirSync(d);
    }
}

function writeInside(realDir: string, file: string, text: string): void {
    const target = path.join(realDir, file);
    if (path.dirname(target) !== realDir) {
        throw new Error(`--out: ${JSON.stringify(file)} would leave the directory`);
    }
    // A symlink under one of our names (planted, or left by someone) is replaced, never followed.
    if (fs.lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink()) {
        fs.unlinkSync(target);
    }
    const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = fs.constants;
    const fd = fs.openSync(target, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o644);
    try {
        fs.writeFileSync(fd, text);
    } finally {
        fs.closeSync(fd);
    }
}
