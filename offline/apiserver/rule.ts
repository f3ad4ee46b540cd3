/**
 * What an API-server rule is: the kinds it applies to, what it rejects, the validation function of
 * k8s.io/kubernetes (or apimachinery) it follows, and the check. Values come from hostile input and may have
 * any type; a value of the wrong type is the OpenAPI schema's finding, so rules skip it.
 */
import { quoted } from "../report";

export type Json = Record<string, unknown>;

/** Reports one problem at a field path written as the API server writes it (`spec.ports[1].name`). */
export type Report = (path: string, message: string) => void;

/** One pod spec of an object: a Pod's own, or a workload's template (templatePath set). */
export interface PodView {
    /** "spec" for a Pod, "spec.template.spec" or "spec.jobTemplate.spec.template.spec" for a template */
    specPath: string;
    spec: Json;
    /** "spec.template" (or "spec.jobTemplate.spec.template"); undefined for a Pod */
    templatePath?: string;
    template?: Json;
}

export interface ObjectView {
    kind: string;
    object: Json;
    metadata: Json;
    spec: Json | undefined;
    pods: PodView[];
}

export interface ApiServerRule {
    /** Kinds it applies to (after the apiVersion is one the API server validates this way). */
    kinds: readonly string[];
    /** What it rejects, in a few words (the docs table). */
    rejects: string;
    /** The Go function(s) it follows, e.g. "ValidateDeploymentSpec (apps)": a reader can check the rule there. */
    source: string;
    check: (view: ObjectView, report: Report) => void;
}

export const record = (v: unknown): Json | undefined =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const integer = (v: unknown): number | undefined =>
    typeof v === "number" && Number.isInteger(v) ? v : undefined;
/** The string entries of a map field (labels, selector, data); others are the schema's finding. */
export const stringEntries = (v: unknown): [string, string][] =>
    Object.entries(record(v) ?? {}).filter((e): e is [string, string] => typeof e[1] === "string");

/** A string outside the allowed values (another type is the OpenAPI schema's finding). */
export const notIn = (v: unknown, allowed: readonly string[]): boolean => typeof v === "string" && !allowed.includes(v);

/** `base.key`, `base[3]`; the root has no dot. */
export function child(base: string, key: string | number): string {
    return typeof key === "number" ? `${base}[${key}]` : base === "" ? key : `${base}.${key}`;
}

/** The value as messages quote it. */
export const show = quoted;

/** Each record of a list field with its path. */
export function items(base: string, v: unknown): { item: Json; path: string; index: number }[] {
    return list(v).flatMap((item, index) => {
        const r = record(item);
        return r ? [{ item: r, path: child(base, index), index }] : [];
    });
}

/** ValidateNonnegativeField. */
export function nonNegative(report: Report, path: string, v: unknown): void {
    const n = integer(v);
    if (n !== undefined && n < 0) {
        report(path, `${n}: must be greater than or equal to 0`);
    }
}
