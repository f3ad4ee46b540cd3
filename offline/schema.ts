/**
 * Turns recorded resources into the Kubernetes objects the provider would apply, and validates them the
 * way the API server would: the OpenAPI schema (kubernetes-models), the rules the server enforces outside
 * the schema (offline/apiserver/), and a schema for OpenShift's Route (no typed model exists).
 */
import * as fs from "fs";
import * as path from "path";
import { closestMatch } from "../components/did-you-mean";
import type { AjvError, CrdSchemas, Validator } from "./crd-schemas";
import { apiServerProblems } from "./apiserver";
import { isDnsSubdomain } from "./apiserver/syntax";
import { WEBSTACK_CACHE } from "../policy/repo-root";
import { apiGroupOf, isKindName, kubernetesTypeInfo } from "../policy/kubernetes-tokens";
import { quoted } from "./report";
import type { RecordedResource } from "./types";

export { isDnsLabel, isDnsSubdomain } from "./apiserver/syntax";

/** The object as applied: apiVersion, kind, metadata (with the stand-in name when auto-named), the rest. */
export function toKubernetesObject(r: RecordedResource): Record<string, unknown> | undefined {
    const info = r.custom ? kubernetesTypeInfo(r.type) : undefined;
    if (!info) {
        return undefined;
    }
    const { apiVersion, kind, metadata, ...rest } = structuredClone(r.outputs);
    return { apiVersion: apiVersion ?? info.apiVersion, kind: kind ?? info.kind, metadata: metadata ?? {}, ...rest };
}

/** Problems the API server would reject the object for; [] when valid. Each names the field path. */
export function validateKubernetesObject(obj: Record<string, unknown>, crds?: CrdSchemas): string[] {
    const apiVersion = obj.apiVersion;
    const kind = obj.kind;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
        return [`apiVersion/kind: both must be strings (got ${quoted(apiVersion)}/${quoted(kind)})`];
    }
    const problems = [...typeMetaProblems(apiVersion, kind), ...apiServerProblems(obj, kind)];
    if (isRoute(apiVersion, kind)) {
        // Loaded on first use: zod is a tenth of the check's start-up, and only Routes need it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous, as the API is
        const { validateRoute } = require("./route-schema") as typeof import("./route-schema");
        return [...problems, ...validateRoute(obj)];
    }
    const validate = schemaValidator(apiVersion, kind);
    if (validate) {
        // The API server treats an explicit null as "unset" (a YAML `secretRef:` with no value is one).
        const tracked = trackAccess(withoutNulls(obj));
        if (!validate(tracked.proxy)) {
            problems.push(...describeSchemaErrors(validate.errors));
        }
        problems.push(...tracked.unknownFields());
        return problems;
    }
    const custom = crds?.validator(apiVersion, kind);
    if (custom && !custom(withoutNulls(obj))) {
        problems.push(...describeSchemaErrors(custom.errors));
    }
    return problems;
}

/** The Route's schema is built in (offline/route-schema.ts); its CRD ships in tools/cluster/crds/ for real clusters. */
const isRoute = (apiVersion: string, kind: string) => apiVersion === "route.openshift.io/v1" && kind === "Route";

/**
 * Why the check has no schema for an object (undefined when it has one, or when the apiVersion or kind is
 * malformed: that is a schema error already), and what would let it check the object.
 */
export function uncheckedSchema(
    apiVersion: string,
    kind: string,
    crds?: CrdSchemas,
): { reason: string; fix: string } | undefined {
    if (
        !isApiVersion(apiVersion) ||
        !isKindName(kind) ||
        isRoute(apiVersion, kind) ||
        models().has(modelKey(apiVersion, kind)) ||
        crds?.validator(apiVersion, kind) !== undefined
    ) {
        return undefined;
    }
    const group = apiGroupOf(apiVersion);
    const versions = knownApiVersions().filter((v) => apiGroupOf(v) === group);
    if (versions.includes(apiVersion)) {
        return {
            reason: `no schema: ${apiVersion} has no kind ${kind} that the check knows`,
            fix: `spell the kind as the API serves it (kubectl api-resources --api-group=${group === "" ? "''" : group} lists them)`,
        };
    }
    if (versions.length > 0) {
        return {
            reason: `no schema: ${apiVersion} is not a version of ${group === "" ? "the core group" : group} the check knows (it knows ${versions.join(", ")})`,
            fix: `use a served version (kubectl api-versions lists them), e.g. ${versions.find((v) => /(^|\/)v\d+$/.test(v)) ?? versions[0]}`,
        };
    }
    return {
        reason: `custom resource without a schema: no CRD for ${apiVersion} ${kind} was loaded, so its fields are not checked`,
        fix: `load its CRD with --crd <file|dir> (kubectl get crd <plural>.${group} -o yaml > crd.yaml, or the CRD file of the operator's release), or pass --allow-unchecked`,
    };
}

// ---- kubernetes-models -----------------------------------------------------------------------------

// kubernetes-models is ESM-only and its "exports" map only has "import" conditions; Node >= 20.19 can
// require() ESM by file path, which keeps this API synchronous. Each model module imports the compiled
// (ajv standalone) validator of its schema: we call that validator directly, on a proxy that records
// which properties it reads (trackAccess), and word its errors as kubernetes-models does (ajv-i18n).
const MODELS_ROOT = path.dirname(require.resolve("kubernetes-models/package.json"));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- its typings take ajv's full ErrorObject, which the standalone validators' errors (AjvError) are not declared as
const localizeEn = require("ajv-i18n/localize/en") as (errors: AjvError[]) => void;
const validatorCache = new Map<string, Validator>();
/** The one file name pattern a model module may have: its top-level kind (never read from input). */
const MODEL_FILE = /^[a-z0-9.-]+(\/[a-z0-9]+)?\/[A-Z][A-Za-z0-9]*\.js$/;
/** What a top-level model declares (`static{this.apiVersion="apps/v1"}static{this.kind="Deployment"}`) and imports. */
const MODEL_DECLARATION = /this\.apiVersion="([^"]+)"\}static\{this\.kind="([A-Za-z0-9]+)"\}/;
/** A compiled schema's name (its file in _schemas/, without .js). */
const SCHEMA_NAME = "[A-Za-z0-9]+";
const MODEL_SCHEMA = new RegExp(`_schemas/(${SCHEMA_NAME})\\.js`);
let modelIndex: Map<string, string> | undefined;

/** Index key of an apiVersion/kind pair: NUL cannot occur in the index's own values, so no two pairs share one. */
const modelKey = (apiVersion: string, kind: string) => `${apiVersion}\u0000${kind}`;

/**
 * apiVersion/kind → compiled schema, for every top-level kind kubernetes-models declares, read once from the
 * package's own files. Lookups go through this index only: an apiVersion or kind from the input is a key here,
 * never a piece of a path (an `apiVersion: ../../x` once opened files outside the package).
 */
function models(): Map<string, string> {
    modelIndex ??= cachedModelIndex() ?? cacheModelIndex(readModelIndex());
    return modelIndex;
}

function readModelIndex(): Map<string, string> {
    const index = new Map<string, string>();
    for (const file of fs.readdirSync(MODELS_ROOT, { recursive: true, encoding: "utf8" })) {
        const posix = file.split(path.sep).join("/");
        if (!MODEL_FILE.test(posix)) {
            continue;
        }
        const text = fs.readFileSync(path.join(MODELS_ROOT, file), "utf8");
        const declared = MODEL_DECLARATION.exec(text);
        const schema = MODEL_SCHEMA.exec(text)?.[1];
        if (declared && schema !== undefined) {
            index.set(modelKey(declared[1], declared[2]), schema);
        }
    }
    return index;
}

/**
 * The index as last read from this version of kubernetes-models: reading its ~1,800 files took a fifth of a small
 * check. Each schema name is checked again as the index's own (it becomes a file name); anything else: undefined.
 */
function cachedModelIndex(): Map<string, string> | undefined {
    try {
        const entries = JSON.parse(fs.readFileSync(modelIndexCache(), "utf8")) as unknown;
        const valid =
            Array.isArray(entries) &&
            entries.every(
                (e) =>
                    Array.isArray(e) &&
                    e.length === 2 &&
                    typeof e[0] === "string" &&
                    typeof e[1] === "string" &&
                    CACHED_SCHEMA_NAME.test(e[1]),
            );
        return valid ? new Map(entries as [string, string][]) : undefined;
    } catch {
        return undefined;
    }
}

/** Writes the cache (whole or not at all: a temporary file renamed), best effort; returns the index. */
function cacheModelIndex(index: Map<string, string>): Map<string, string> {
    const file = modelIndexCache();
    const temporary = `${file}.${process.pid}`;
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(temporary, JSON.stringify([...index]));
        fs.renameSync(temporary, file);
    } catch {
        fs.rmSync(temporary, { force: true });
    }
    return index;
}

const CACHED_SCHEMA_NAME = new RegExp(`^${SCHEMA_NAME}$`);

function modelIndexCache(): string {
    const { version } = JSON.parse(fs.readFileSync(path.join(MODELS_ROOT, "package.json"), "utf8")) as {
        version: string;
    };
    return path.join(WEBSTACK_CACHE, `kubernetes-models-${version}.json`);
}

/** The apiVersions kubernetes-models has a schema for (apps/v1, v1, ...), for messages about unknown ones. */
export function knownApiVersions(): string[] {
    return [...new Set([...models().keys()].map((k) => k.split("\u0000")[0]))].sort();
}

function schemaValidator(apiVersion: string, kind: string): Validator | undefined {
    const schema = models().get(modelKey(apiVersion, kind));
    if (schema === undefined) {
        return undefined;
    }
    if (!validatorCache.has(schema)) {
        validatorCache.set(schema, loadValidator(schema));
    }
    return validatorCache.get(schema);
}

function loadValidator(schema: string): Validator {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous load of an ESM file by computed path (see above); import() would make validation async
    return (require(path.join(MODELS_ROOT, "_schemas", `${schema}.js`)) as { validate: Validator }).validate;
}

function withoutNulls(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(withoutNulls);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, v]) => v !== null)
                .map(([k, v]) => [k, withoutNulls(v)]),
        );
    }
    return value;
}

/**
 * Strict field validation, as the API server's (and kubeconform -strict): the compiled validator reads every
 * property its schema defines, so a key it never read is not in the schema. Objects it enumerates (maps such
 * as labels) or never looks into (free-form fields) have no fixed set of keys and are left alone.
 */
function trackAccess(root: unknown): { proxy: unknown; unknownFields: () => string[] } {
    interface Seen {
        value: Record<string, unknown>;
        path: string;
        read: Set<string>;
        enumerated: boolean;
    }
    const seen: Seen[] = [];
    const wrap = (value: unknown, at: string): unknown => {
        if (value === null || typeof value !== "object") {
            return value;
        }
        const record: Seen = { value: value as Record<string, unknown>, path: at, read: new Set(), enumerated: false };
        if (!Array.isArray(value)) {
            seen.push(record);
        }
        const children = new Map<string, unknown>();
        return new Proxy(value, {
            get(target, key, receiver) {
                const v: unknown = Reflect.get(target, key, receiver);
                if (typeof key !== "string") {
                    return v;
                }
                record.read.add(key);
                if (!Object.prototype.hasOwnProperty.call(target, key)) {
                    return v;
                }
                if (!children.has(key)) {
                    children.set(
                        key,
                        wrap(v, Array.isArray(value) ? `${at}[${key}]` : at === "" ? key : `${at}.${key}`),
                    );
                }
                return children.get(key);
            },
            ownKeys(target) {
                record.enumerated = true;
                return Reflect.ownKeys(target);
            },
        });
    };
    const proxy = wrap(root, "");
    const unknownFields = () =>
        seen
            .filter((s) => !s.enumerated && s.read.size > 0)
            .flatMap((s) =>
                Object.keys(s.value)
                    .filter((key) => !s.read.has(key))
                    .map((key) => {
                        const suggestion = closestMatch(key, s.read);
                        return `${s.path === "" ? key : `${s.path}.${key}`}: unknown field (not in the Kubernetes schema; the API server rejects it under strict field validation)${suggestion ? `. Did you mean ${suggestion}?` : ""}`;
                    }),
            );
    return { proxy, unknownFields };
}

function describeSchemaErrors(errors: AjvError[] | null | undefined): string[] {
    if (!Array.isArray(errors)) {
        return ["(object): does not match the schema"];
    }
    localizeEn(errors);
    return errors.map((e) => {
        if (e.keyword === "additionalProperties" && typeof e.params?.additionalProperty === "string") {
            const key = e.params.additionalProperty;
            const declared = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
            const suggestion = closestMatch(key, declared);
            const at = e.instancePath === "" ? key : `${fieldPath(e.instancePath)}.${key}`;
            return `${at}: unknown field (not in the CRD's schema; the API server rejects it under strict field validation)${suggestion ? `. Did you mean ${suggestion}?` : ""}`;
        }
        const allowed = Array.isArray(e.params?.allowedValues) ? ` ${JSON.stringify(e.params.allowedValues)}` : "";
        return `${fieldPath(e.instancePath)}: ${e.message ?? "invalid"}${allowed}`;
    });
}

/** "/spec/template/spec/containers/0/image" → "spec.template.spec.containers[0].image" */
function fieldPath(instancePath: string): string {
    const parts = instancePath.split("/").slice(1);
    if (parts.length === 0) {
        return "(object)";
    }
    return parts.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

// ---- rules the API server applies outside the OpenAPI schema (offline/apiserver/) ----------------------

/** A served version: v1, v2beta1, v1alpha3 (what the API server's discovery lists). */
const API_VERSION_VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;

/** `<group>/<version>` with a DNS-subdomain group, or a bare version for the core group. */
export function isApiVersion(apiVersion: string): boolean {
    const slash = apiVersion.lastIndexOf("/");
    const group = apiVersion.slice(0, Math.max(slash, 0));
    return (slash < 0 || isDnsSubdomain(group)) && API_VERSION_VERSION.test(apiVersion.slice(slash + 1));
}

function typeMetaProblems(apiVersion: string, kind: string): string[] {
    return [
        ...(isApiVersion(apiVersion)
            ? []
            : [`apiVersion: ${quoted(apiVersion)} is not <group>/<version> (e.g. apps/v1) or a core version (v1)`]),
        ...(isKindName(kind)
            ? []
            : [`kind: ${quoted(kind)} is not a Kubernetes kind (letters and digits, starting with a letter, ≤ 63)`]),
    ];
}
