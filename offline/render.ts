/**
 * Renders Kubernetes objects as `kubectl apply -f`-able YAML files, with secrets redacted and output that
 * only changes when the objects change (sorted keys, no line folding).
 */
import * as YAML from "yaml";
import { REDACTED } from "./stack-config";

/** Kinds without a namespace; they are filed under "cluster". */
const CLUSTER_SCOPED_KINDS = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "VolumeAttachment",
    "APIService",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
]);
/** base64 of the marker, so redacted Secret `data` is still valid base64 and the object still applies. */
const REDACTED_BASE64 = Buffer.from(REDACTED).toString("base64");
/** Secrets shorter than this are only replaced where a whole string equals them (a short one would shred text). */
const MIN_SUBSTRING_SECRET = 4;

export function isClusterScoped(kind: string): boolean {
    return CLUSTER_SCOPED_KINDS.has(kind);
}

/**
 * A copy with every secret gone: Secret `data`/`stringData` values replaced (keys kept, so a diff still
 * shows which keys exist), and every known secret value replaced wherever it appears.
 */
export function redactObject<T>(obj: T, secretValues: readonly string[]): T {
    const copy = scrub(structuredClone(obj), secretValues) as T;
    const o = copy as Record<string, unknown>;
    if (o && o.kind === "Secret" && o.apiVersion === "v1") {
        for (const [field, marker] of [
            ["data", REDACTED_BASE64],
            ["stringData", REDACTED],
        ] as const) {
            const values = o[field];
            if (values && typeof values === "object") {
                o[field] = Object.fromEntries(Object.keys(values).map((key) => [key, marker]));
            }
        }
    }
    return copy;
}

/** Replaces known secret values inside every string of a value (texts, messages, objects). */
export function scrub(value: unknown, secretValues: readonly string[]): unknown {
    if (typeof value === "string") {
        return scrubText(value, secretValues);
    }
    if (Array.isArray(value)) {
        return value.map((v) => scrub(v, secretValues));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [scrubText(k, secretValues), scrub(v, secretValues)]),
        );
    }
    return value;
}

function scrubText(text: string, secretValues: readonly string[]): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...secretValues].sort((a, b) => b.length - a.length)) {
        if (secret === "") {
            continue;
        }
        if (out === secret) {
            return REDACTED;
        }
        if (secret.length >= MIN_SUBSTRING_SECRET) {
            out = out.split(secret).join(REDACTED);
        }
    }
    return out;
}

/** Heads every rendered Secret that had data: `kubectl apply -f` of the file would store the marker as the value. */
export const REDACTED_SECRET_NOTE =
    "# The data of this Secret is redacted: every value below is the placeholder " +
    JSON.stringify(REDACTED) +
    " (base64 in `data`),\n" +
    "# not the real one. The values come from the stack (secret config, generated passwords): deploy with `pulumi up`,\n" +
    "# never `kubectl apply` this file as it is.\n";

/**
 * A v1 Secret as the kubernetes provider sends it (pkg/clients/unstructured.go normalizeSecret): `stringData`
 * folded into `data` as base64, a key in both taking the `stringData` value, as the API server does.
 */
export function foldSecretStringData(obj: Record<string, unknown>): Record<string, unknown> {
    const stringData = obj.stringData;
    if (
        obj.kind !== "Secret" ||
        obj.apiVersion !== "v1" ||
        !stringData ||
        typeof stringData !== "object" ||
        Object.keys(stringData).length === 0
    ) {
        return obj;
    }
    const { stringData: _folded, ...rest } = obj;
    const encoded = Object.fromEntries(
        Object.entries(stringData).map(([key, value]) => [key, Buffer.from(String(value)).toString("base64")]),
    );
    return { ...rest, data: { ...(obj.data as Record<string, unknown> | undefined), ...encoded } };
}

/**
 * The file `--out` writes for one object, as the provider would send it (Secret stringData folded into data):
 * secrets redacted, a redacted Secret headed by REDACTED_SECRET_NOTE.
 */
export function renderObjectFile(
    obj: Record<string, unknown>,
    secretValues: readonly string[],
): { text: string; redacted: boolean } {
    const redacted =
        obj.kind === "Secret" &&
        obj.apiVersion === "v1" &&
        [obj.data, obj.stringData].some((d) => d && typeof d === "object" && Object.keys(d).length > 0);
    const text = renderObjectYaml(redactObject(foldSecretStringData(obj), secretValues));
    return { text: redacted ? REDACTED_SECRET_NOTE + text : text, redacted };
}

/** One YAML document; YAML 1.1 quoting because kubectl's parser reads `yes`/`on` unquoted as booleans. */
export function renderObjectYaml(obj: Record<string, unknown>): string {
    const { apiVersion, kind, metadata, ...rest } = obj;
    const ordered = { apiVersion, kind, metadata: sortKeys(metadata), ...(sortKeys(rest) as Record<string, unknown>) };
    return YAML.stringify(ordered, { version: "1.1", lineWidth: 0, minContentWidth: 0 });
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}
