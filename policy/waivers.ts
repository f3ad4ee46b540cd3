/**
 * Waivers: a dated, owned, reasoned exception to one policy for named objects. Two forms, one reader:
 *  - an annotation on the object: `waive.webstack.dev/<policy>: "owner=<team>; expires=YYYY-MM-DD; reason=<why>"`
 *    (kube-linter's `ignore-check.kube-linter.io/<check>` precedent; works in programs, YAML and --manifests);
 *  - an entry of policy-waivers.yaml (project-wide under `waivers:`, per stack under `stacks: {<stack>: [...]}`),
 *    matching by `urn` glob or by `kind` + `name` (+ `namespace`) globs.
 * The pack (pulumi preview/up) and `npm run check` both go through withWaivers (policies.ts) and the `waivers`
 * hygiene policy (waiver-hygiene.ts), so a waiver means the same thing everywhere.
 */
import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { CATALOG } from "./catalog";
import { didYouMean } from "../components/did-you-mean";
import { globMatches } from "../components/facts";
import { kindOf } from "./k8s";
import { REPO_ROOT } from "./repo-root";
import {
    EXPIRING_WITHIN_DAYS,
    MAX_EXPIRY_DAYS,
    UNWAIVABLE,
    WAIVER_ANNOTATION_PREFIX,
    WAIVER_FILE_ENV,
    WAIVER_FILE_NAME,
    WAIVER_NOW_ENV,
} from "./waiver-settings";

/** What every waiver must say. */
export interface WaiverTerms {
    owner: string;
    /** YYYY-MM-DD; the waiver applies through the end of that day (UTC). */
    expires: string;
    reason: string;
}

/** The objects a file waiver covers: a URN glob, or kind + name globs (namespace "*" when left out). */
export interface WaiverMatch {
    urn?: string;
    kind?: string;
    namespace?: string;
    name?: string;
}

export interface Waiver extends WaiverTerms {
    policy: string;
    form: "file" | "annotation";
    /** Where it is written: `policy-waivers.yaml:12` or `Deployment "api" annotation waive.webstack.dev/<policy>`. */
    source: string;
    /** Identity for the stale check: one per file entry, one per annotation on one object. */
    key: string;
    /** File waivers only. */
    match?: WaiverMatch;
    /** File waivers of a `stacks:` section: the stack they apply to. */
    stack?: string;
}

/** The object a violation is about, as waivers see it. */
export interface WaiverTarget {
    urn: string;
    kind: string;
    namespace: string;
    name: string;
    annotations: Record<string, unknown>;
}

export type WaiverStatus = "active" | "expiring" | "expired" | "stale";

const FILE_KEYS = ["policy", "urn", "kind", "namespace", "name", "owner", "expires", "reason"] as const;
const TERM_KEYS = ["owner", "expires", "reason"] as const;
export const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The waiver file the pack and the check read: $WEBSTACK_WAIVERS, else policy-waivers.yaml at the repository root. */
export function waiverFilePath(env: NodeJS.ProcessEnv = process.env): string {
    return path.resolve(env[WAIVER_FILE_ENV] || path.join(REPO_ROOT, WAIVER_FILE_NAME));
}

/** The file as messages name it: relative to the repository root when inside it. */
export function displayPath(file: string): string {
    const relative = path.relative(REPO_ROOT, file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative.split(path.sep).join("/");
}

/** YYYY-MM-DD of a time (UTC), the form waivers write dates in. */
export const isoDay = (time: number | Date): string => new Date(time).toISOString().slice(0, 10);

/** Midnight UTC of a YYYY-MM-DD date, or undefined when it is not a real date (2026-13-40, 2026-02-30). */
export function parseDay(text: string): number | undefined {
    const m = DATE.exec(text);
    if (!m) {
        return undefined;
    }
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return isoDay(ms) === text ? ms : undefined;
}

/** Today as the pack sees it: $WEBSTACK_WAIVER_NOW (YYYY-MM-DD, tests only) or the clock. */
export function waiverToday(env: NodeJS.ProcessEnv = process.env): Date {
    const given = env[WAIVER_NOW_ENV];
    if (given === undefined || given === "") {
        return new Date();
    }
    const day = parseDay(given);
    if (day === undefined) {
        throw new Error(`${WAIVER_NOW_ENV}=${given} is not a date. Fix: use YYYY-MM-DD (it is meant for tests only).`);
    }
    return new Date(day);
}

const startOfDay = (now: Date) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

/** Whole days from today to the expiry date (0 on the day itself, negative once expired). */
export function daysLeft(waiver: Pick<WaiverTerms, "expires">, now: Date): number {
    return Math.round((parseDay(waiver.expires)! - startOfDay(now)) / DAY_MS);
}

/** active / expiring / expired, from the date alone (stale needs a run: see WaiverLedger). */
export function dateStatus(waiver: Pick<WaiverTerms, "expires">, now: Date): Exclude<WaiverStatus, "stale"> {
    const left = daysLeft(waiver, now);
    return left < 0 ? "expired" : left <= EXPIRING_WITHIN_DAYS ? "expiring" : "active";
}

/** "owner team-web, expires 2027-01-31 (policy-waivers.yaml:4): <reason>": how every report names a waiver. */
export function describeWaiver(w: Pick<Waiver, "owner" | "expires" | "source" | "reason">): string {
    return `owner ${w.owner}, expires ${w.expires} (${w.source}): ${w.reason}`;
}

/** Problems with a waiver's policy and terms (the same rules for both forms); `where` starts each message. */
function termErrors(where: string, policy: unknown, terms: Record<string, unknown>, now: Date): string[] {
    const errors: string[] = [];
    const names = Object.keys(CATALOG);
    if (typeof policy !== "string" || policy === "") {
        errors.push(`${where}: policy is missing. Fix: name the waived policy, one of policy/catalog.ts.`);
    } else if (!names.includes(policy)) {
        errors.push(
            `${where}: "${policy}" is not a policy of the pack.${didYouMean(policy, names)} Fix: use a policy name from policy/catalog.ts.`,
        );
    } else if ((UNWAIVABLE as readonly string[]).includes(policy)) {
        errors.push(
            `${where}: "${policy}" cannot be waived: the API server or admission rejects the object anyway, so a waiver would only move the failure into pulumi up. Fix: correct the object (the setting is UNWAIVABLE in policy/waiver-settings.ts).`,
        );
    }
    for (const key of TERM_KEYS) {
        const value = terms[key];
        if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
            errors.push(`${where}: ${key} is missing. Fix: ${termFix(key, now)}.`);
        } else if (typeof value !== "string") {
            errors.push(`${where}: ${key} must be text, got ${JSON.stringify(value)}. Fix: ${termFix(key, now)}.`);
        }
    }
    const expires = terms.expires;
    if (typeof expires === "string" && expires.trim() !== "") {
        const day = parseDay(expires);
        if (day === undefined) {
            errors.push(`${where}: expires "${expires}" is not a date. Fix: ${termFix("expires", now)}.`);
        } else if (day - startOfDay(now) > MAX_EXPIRY_DAYS * DAY_MS) {
            errors.push(
                `${where}: expires ${expires} is more than ${MAX_EXPIRY_DAYS} days away. Fix: ${termFix("expires", now)}; renew it then if it is still needed.`,
            );
        }
    }
    return errors;
}

function termFix(key: (typeof TERM_KEYS)[number], now: Date): string {
    switch (key) {
        case "owner":
            return "name the team that answers for the waiver (owner=team-web)";
        case "reason":
            return "say why the finding does not apply or when it will be fixed (a ticket helps)";
        case "expires":
            return `write a date YYYY-MM-DD no later than ${isoDay(startOfDay(now) + MAX_EXPIRY_DAYS * DAY_MS)} (${MAX_EXPIRY_DAYS} days from today)`;
    }
}

// ---- annotations ---------------------------------------------------------------------------------------------

/** `owner=…; expires=…; reason=…` → fields; reason is last and keeps any ";" it contains. */
function parseAnnotationValue(value: string): { fields: Record<string, string>; problems: string[] } {
    const fields: Record<string, string> = {};
    const problems: string[] = [];
    let rest = value;
    while (rest.trim() !== "") {
        const m = /^\s*([A-Za-z]+)\s*=\s*/.exec(rest);
        if (!m) {
            problems.push(`"${rest.trim()}" is not key=value`);
            break;
        }
        const key = m[1];
        rest = rest.slice(m[0].length);
        if (!(TERM_KEYS as readonly string[]).includes(key)) {
            problems.push(`unknown key "${key}"`);
        }
        if (key === "reason") {
            fields.reason = rest.trim();
            break;
        }
        const end = rest.indexOf(";");
        fields[key] = (end < 0 ? rest : rest.slice(0, end)).trim();
        rest = end < 0 ? "" : rest.slice(end + 1);
    }
    return { fields, problems };
}

/** Waivers written as annotations on one object, and the problems with them (each naming object and annotation). */
export function annotationWaivers(target: WaiverTarget, now: Date): { waivers: Waiver[]; errors: string[] } {
    const waivers: Waiver[] = [];
    const errors: string[] = [];
    for (const [key, value] of Object.entries(target.annotations)) {
        if (!key.startsWith(WAIVER_ANNOTATION_PREFIX)) {
            continue;
        }
        const policy = key.slice(WAIVER_ANNOTATION_PREFIX.length);
        const source = `${target.kind} "${target.name}" annotation ${key}`;
        const fix = `write ${key}: "owner=<team>; expires=YYYY-MM-DD; reason=<why>"`;
        if (typeof value !== "string") {
            errors.push(`${source}: the value must be text. Fix: ${fix}.`);
            continue;
        }
        const { fields, problems } = parseAnnotationValue(value);
        const found = [
            ...problems.map((p) => `${source}: ${p}. Fix: ${fix}.`),
            ...termErrors(source, policy, fields, now),
        ];
        errors.push(...found);
        if (found.length === 0) {
            const terms = { owner: fields.owner, expires: fields.expires, reason: fields.reason };
            waivers.push({ policy, form: "annotation", source, key: `${target.urn}\u0000${policy}`, ...terms });
        }
    }
    return { waivers, errors };
}

// ---- the waiver file -----------------------------------------------------------------------------------------

export interface WaiverFile {
    /** Absolute path; the file need not exist (no waivers then). */
    path: string;
    waivers: Waiver[];
    /** One per problem, each `<file>:<line>: …. Fix: …`. */
    errors: string[];
}

/** Reads and checks the waiver file; every problem is reported, none thrown. */
export function loadWaiverFile(file: string, now: Date): WaiverFile {
    if (!fs.existsSync(file)) {
        return { path: file, waivers: [], errors: [] };
    }
    return parseWaiverFile(fs.readFileSync(file, "utf8"), file, now);
}

export function parseWaiverFile(text: string, file: string, now: Date): WaiverFile {
    const shown = displayPath(file);
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
    const at = (node: Node | null | undefined) => `${shown}:${lineCounter.linePos(node?.range?.[0] ?? 0).line}`;
    const errors: string[] = doc.errors.map(
        (e) =>
            `${shown}:${lineCounter.linePos(e.pos[0]).line}: ${e.message.split("\n")[0]}. Fix: correct the YAML (see docs/waivers.md for the layout).`,
    );
    const waivers: Waiver[] = [];
    if (errors.length > 0 || doc.contents === null) {
        return { path: file, waivers, errors };
    }
    if (!isMap(doc.contents)) {
        errors.push(
            `${at(doc.contents)}: the file must be a mapping with "waivers:" and/or "stacks:". Fix: see docs/waivers.md.`,
        );
        return { path: file, waivers, errors };
    }
    const seen = new Map<string, string>();
    const readList = (list: unknown, stack: string | undefined, where: string) => {
        if (list === null || list === undefined) {
            return;
        }
        if (!isSeq(list)) {
            errors.push(
                `${at(list as Node)}: ${where} must be a list of waivers. Fix: start each entry with "- policy: …".`,
            );
            return;
        }
        for (const item of list.items) {
            const entry = readEntry(item as Node, stack, at, now, errors);
            if (entry === undefined) {
                continue;
            }
            const identity = JSON.stringify([stack, entry.policy, entry.match]);
            const first = seen.get(identity);
            if (first !== undefined) {
                errors.push(
                    `${entry.source}: duplicate of the waiver at ${first} (same policy and objects). Fix: keep one entry.`,
                );
                continue;
            }
            seen.set(identity, entry.source);
            waivers.push(entry);
        }
    };
    for (const pair of doc.contents.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        if (key === "waivers") {
            readList(pair.value, undefined, "waivers");
        } else if (key === "stacks") {
            if (!isMap(pair.value)) {
                errors.push(`${at(pair.value)}: stacks must map stack names to lists. Fix: stacks: {dev: [...]}.`);
                continue;
            }
            for (const stackPair of pair.value.items) {
                const stack = isScalar(stackPair.key) ? String(stackPair.key.value) : "";
                readList(stackPair.value, stack, `stacks.${stack}`);
            }
        } else {
            errors.push(
                `${at(pair.key)}: unknown key "${key}".${didYouMean(key, ["waivers", "stacks"])} Fix: use waivers: or stacks:.`,
            );
        }
    }
    return { path: file, waivers, errors };
}

function readEntry(
    item: Node,
    stack: string | undefined,
    at: (node: Node | null | undefined) => string,
    now: Date,
    errors: string[],
): Waiver | undefined {
    const where = at(item);
    if (!isMap(item)) {
        errors.push(
            `${where}: a waiver must be a mapping (policy, kind/name or urn, owner, expires, reason). Fix: see docs/waivers.md.`,
        );
        return undefined;
    }
    const fields: Record<string, unknown> = {};
    const found: string[] = [];
    for (const pair of item.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        if (!(FILE_KEYS as readonly string[]).includes(key)) {
            found.push(
                `${at(pair.key as Node)}: unknown key "${key}".${didYouMean(key, [...FILE_KEYS])} Fix: use ${FILE_KEYS.join(", ")}.`,
            );
            continue;
        }
        const value = isScalar(pair.value) ? pair.value.value : (pair.value as { toJSON?: () => unknown })?.toJSON?.();
        fields[key] = value;
    }
    const label = typeof fields.policy === "string" ? `${where}: waiver for "${fields.policy}"` : where;
    found.push(...termErrors(label, fields.policy, fields, now));
    for (const key of ["urn", "kind", "namespace", "name"] as const) {
        if (fields[key] !== undefined && typeof fields[key] !== "string") {
            found.push(`${label}: ${key} must be text, got ${JSON.stringify(fields[key])}. Fix: quote it.`);
        }
    }
    const byUrn = fields.urn !== undefined;
    const byName = fields.kind !== undefined || fields.name !== undefined || fields.namespace !== undefined;
    if (byUrn === byName || (byName && (fields.kind === undefined || fields.name === undefined))) {
        found.push(
            `${label}: name the objects by urn, or by kind and name (namespace optional), not both. Fix: add urn: "urn:pulumi:<stack>::<project>::*::<name>" or kind: and name: (globs with *).`,
        );
    }
    errors.push(...found);
    if (found.length > 0) {
        return undefined;
    }
    const match: WaiverMatch = byUrn
        ? { urn: fields.urn as string }
        : { kind: fields.kind as string, namespace: (fields.namespace as string) ?? "*", name: fields.name as string };
    return {
        policy: fields.policy as string,
        form: "file",
        source: where,
        key: `${where}`,
        match,
        ...(stack === undefined ? {} : { stack }),
        owner: fields.owner as string,
        expires: fields.expires as string,
        reason: fields.reason as string,
    };
}

/** The stack part of a URN (`urn:pulumi:<stack>::<project>::…`). */
export function stackOfUrn(urn: string): string {
    return urn.replace(/^urn:pulumi:/, "").split("::")[0];
}

/** Whether a file waiver covers the object (its stack section, then its urn or kind/namespace/name globs). */
export function fileWaiverMatches(waiver: Waiver, target: WaiverTarget): boolean {
    const m = waiver.match!;
    if (waiver.stack !== undefined && waiver.stack !== stackOfUrn(target.urn)) {
        return false;
    }
    if (m.urn !== undefined) {
        return globMatches(m.urn, target.urn);
    }
    return (
        globMatches(m.kind!, target.kind) &&
        globMatches(m.namespace!, target.namespace) &&
        globMatches(m.name!, target.name)
    );
}

/** The object a resource's props describe, as waivers see it; unknown metadata (preview) reads as none. */
export function waiverTarget(urn: string, type: string, name: string, props: unknown): WaiverTarget {
    let metadata: { name?: unknown; namespace?: unknown; annotations?: unknown } = {};
    let annotations: Record<string, unknown> = {};
    try {
        metadata = (props as { metadata?: typeof metadata }).metadata ?? {};
        const given = metadata.annotations;
        annotations = given !== null && typeof given === "object" ? { ...(given as Record<string, unknown>) } : {};
    } catch {
        // An unknown value during preview: the pack's proxy throws on reading it. No waiver can be read yet.
        metadata = {};
    }
    const text = (read: () => unknown, fallback: string) => {
        try {
            const value = read();
            return typeof value === "string" ? value : fallback;
        } catch {
            return fallback;
        }
    };
    return {
        urn,
        kind: kindOf(type),
        namespace: text(() => metadata.namespace, "default"), // as objectNamespace (k8s.ts): the provider default
        name: text(() => metadata.name, name),
        annotations,
    };
}
