/**
 * Schemas of custom resources, from CustomResourceDefinition files (`--crd <file|dir>`): each served version's
 * openAPIV3Schema, compiled once, applied as the API server does with strict field validation (a field the
 * schema does not declare is an error, unless the schema preserves unknown fields there). Formats (date-time,
 * int32) are not checked: the API server checks few of them, and a wrong one is a type error most of the time.
 */
import type AjvClass from "ajv";
import { ManifestError, ManifestObject } from "./manifests";
import { quoted } from "./report";

export interface AjvError {
    instancePath: string;
    keyword?: string;
    message?: string;
    params?: Record<string, unknown>;
    /** With ajv's `verbose`: the schema the failing keyword belongs to. */
    parentSchema?: unknown;
}
export type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/** apiVersion/kind of the custom resources the loaded CRDs describe → their compiled schema. */
export class CrdSchemas {
    private readonly validators = new Map<string, Validator>();
    /** Where each CRD came from, for the message when two files define one kind. */
    private readonly sources = new Map<string, string>();

    get size(): number {
        return this.validators.size;
    }

    validator(apiVersion: string, kind: string): Validator | undefined {
        return this.validators.get(crdKey(apiVersion, kind));
    }

    /** Adds every served version of every CRD among `objects`; anything else in the input is an error. */
    add(objects: ManifestObject[]): void {
        // Loaded here: ajv is a tenth of the check's start-up, and only --crd needs it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous, as add() is
        const Ajv = (require("ajv") as { default: typeof AjvClass }).default;
        const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateFormats: false, logger: false });
        for (const { object, file, line } of objects) {
            const where = `--crd ${file}:${line}`;
            const crd = object as {
                apiVersion?: unknown;
                kind?: unknown;
                spec?: { group?: unknown; names?: { kind?: unknown }; versions?: unknown };
            };
            if (crd.apiVersion !== "apiextensions.k8s.io/v1" || crd.kind !== "CustomResourceDefinition") {
                throw new ManifestError(
                    `${where}: expected an apiextensions.k8s.io/v1 CustomResourceDefinition, got ${quoted(crd.apiVersion)} ${quoted(crd.kind)}. Fix: pass CRD files only (kubectl get crd <name> -o yaml)`,
                );
            }
            const group = crd.spec?.group;
            const kind = crd.spec?.names?.kind;
            const versions = crd.spec?.versions;
            if (typeof group !== "string" || typeof kind !== "string" || !Array.isArray(versions)) {
                throw new ManifestError(
                    `${where}: spec.group, spec.names.kind and spec.versions are required in a CustomResourceDefinition. Fix: pass the CRD as the cluster serves it (kubectl get crd <name> -o yaml)`,
                );
            }
            for (const [i, version] of (versions as Array<Record<string, unknown> | null>).entries()) {
                const name = version?.name;
                const schema = (version?.schema as { openAPIV3Schema?: unknown } | undefined)?.openAPIV3Schema;
                if (typeof name !== "string" || schema === null || typeof schema !== "object") {
                    throw new ManifestError(
                        `${where}: spec.versions[${i}] has no name or no schema.openAPIV3Schema. Fix: pass a CRD with a structural schema per version`,
                    );
                }
                const key = crdKey(`${group}/${name}`, kind);
                if (this.sources.has(key)) {
                    throw new ManifestError(
                        `${where}: ${group}/${name} ${kind} is already defined by ${this.sources.get(key)}. Fix: pass each CRD once`,
                    );
                }
                try {
                    this.validators.set(key, ajv.compile(strictSchema(schema, true)) as Validator);
                } catch (err) {
                    throw new ManifestError(
                        `${where}: spec.versions[${i}].schema.openAPIV3Schema does not compile: ${(err as Error).message}`,
                    );
                }
                this.sources.set(key, where);
            }
        }
    }
}

const crdKey = (apiVersion: string, kind: string) => `${apiVersion}\u0000${kind}`;

/**
 * The CRD schema as the API server applies it: objects with declared properties take no others (unless
 * x-kubernetes-preserve-unknown-fields), int-or-string is either, and the root always takes the type and
 * object metadata.
 */
function strictSchema(schema: object, root = false): Record<string, unknown> {
    // A null keyword is unset, as the API server reads it (openshift/api's Route CRD has `anyOf: null`).
    const s: Record<string, unknown> = Object.fromEntries(
        Object.entries(schema as Record<string, unknown>).filter(([, v]) => v !== null),
    );
    if (s["x-kubernetes-int-or-string"] === true) {
        s.type = ["integer", "string"];
    }
    if (s.properties !== null && typeof s.properties === "object") {
        s.properties = Object.fromEntries(
            Object.entries(s.properties as Record<string, object>).map(([k, v]) => [k, strictSchema(v)]),
        );
        if (root) {
            s.properties = { apiVersion: {}, kind: {}, metadata: {}, status: {}, ...(s.properties as object) };
        }
        if (s["x-kubernetes-preserve-unknown-fields"] !== true && s.additionalProperties === undefined) {
            s.additionalProperties = false;
        }
    }
    for (const key of ["items", "additionalProperties"]) {
        const sub = s[key];
        if (sub !== null && typeof sub === "object" && !Array.isArray(sub)) {
            s[key] = strictSchema(sub);
        }
    }
    for (const key of ["allOf", "anyOf", "oneOf"]) {
        if (Array.isArray(s[key])) {
            s[key] = (s[key] as object[]).map((sub) => strictSchema(sub));
        }
    }
    return s;
}
