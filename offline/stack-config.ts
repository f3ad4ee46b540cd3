import * as fs from "fs";
import * as YAML from "yaml";
import { stackFileProblem } from "../program/stack-file";
import { describeFsError } from "./file-errors";
import { capMessage, quoted } from "./report";
import { duplicateKey, duplicateKeyMessage, WITHOUT_QUADRATIC_KEY_CHECK } from "./strict-yaml";

/** Marker that stands in for every secret value we cannot or must not show. */
export const REDACTED = "[secret]";

/**
 * Stack configuration in the form the Pulumi language host hands to a program (PULUMI_CONFIG):
 * fully qualified keys ("webstack:api"), every value a string, objects and arrays JSON-encoded.
 */
export interface StackConfig {
    config: Record<string, string>;
    /** Keys whose value is secret: `secure:` in the stack file, or set with {@link secretConfig}. */
    secretKeys: string[];
}

/** A config override that must be treated as a secret (like `pulumi config set --secret`). */
export class SecretConfigValue {
    constructor(readonly value: unknown) {}
}

/** Marks an override value for {@link withConfigOverrides} as secret. */
export function secretConfig(value: unknown): SecretConfigValue {
    return new SecretConfigValue(value);
}

/**
 * Reads a Pulumi.<stack>.yaml. `secure:` values cannot be decrypted offline (no passphrase, no backend):
 * they become {@link REDACTED} and their keys are listed in `secretKeys`.
 */
export function loadStackConfigFile(yamlPath: string, project: string): StackConfig {
    let text: string;
    try {
        text = fs.readFileSync(yamlPath, "utf8");
    } catch (err) {
        throw new Error(
            `cannot read stack config ${yamlPath}: ${describeFsError(err)}. Fix: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "pass an existing Pulumi.<stack>.yaml" : "make it readable by the user running the check"}`,
            { cause: err },
        );
    }
    const lineCounter = new YAML.LineCounter();
    const parsed = YAML.parseDocument(text, { lineCounter, ...WITHOUT_QUADRATIC_KEY_CHECK });
    if (parsed.errors.length > 0) {
        throw new Error(`${yamlPath} is not valid YAML: ${capMessage(parsed.errors[0].message)}`, {
            cause: parsed.errors[0],
        });
    }
    const duplicate = duplicateKey(parsed);
    if (duplicate !== undefined) {
        throw new Error(
            `${yamlPath}:${lineCounter.linePos(duplicate.offset).line}: ${duplicateKeyMessage(duplicate.key, quoted)}`,
        );
    }
    let doc: unknown;
    try {
        doc = parsed.toJS();
    } catch (err) {
        throw new Error(`${yamlPath} is not valid YAML: ${(err as Error).message}`, { cause: err });
    }
    // An empty file, or one whose `config:` root is missing or misspelt, gives the program no config at all:
    // say so here, naming what the file holds, rather than letting every required key fail on its own.
    if (
        doc === null ||
        doc === undefined ||
        typeof doc !== "object" ||
        Array.isArray(doc) ||
        (doc as Record<string, unknown>).config == null
    ) {
        throw new Error(
            `${stackFileProblem(yamlPath, project) ?? `${yamlPath} has no config`}. Fix: give it a \`config:\` mapping of ${project}:<key> values, as in Pulumi.dev.yaml`,
        );
    }
    const rawConfig = (doc as Record<string, unknown>).config;
    if (typeof rawConfig !== "object" || rawConfig === null || Array.isArray(rawConfig)) {
        throw new Error(`${yamlPath}: "config" must be a mapping of key → value (got ${quoted(rawConfig)})`);
    }
    const result: StackConfig = { config: {}, secretKeys: [] };
    for (const [key, value] of Object.entries(rawConfig as Record<string, unknown>)) {
        const fullKey = qualifyKey(key, project);
        const { redacted, hadSecret } = redactSecure(value);
        result.config[fullKey] = encodeConfigValue(redacted);
        if (hadSecret) {
            result.secretKeys.push(fullKey);
        }
    }
    return result;
}

/**
 * Returns a copy of `base` with keys set or replaced. Keys must be fully qualified ("webstack:api");
 * objects are JSON-encoded the way Pulumi passes them; wrap a value with {@link secretConfig} to make it secret.
 */
export function withConfigOverrides(base: StackConfig, overrides: Record<string, unknown>): StackConfig {
    const config = { ...base.config };
    const secretKeys = new Set(base.secretKeys);
    for (const [key, value] of Object.entries(overrides)) {
        if (!/^[^:]+:[^:]/.test(key)) {
            throw new Error(`config override key "${key}" is not fully qualified. Fix: write it as "<project>:${key}"`);
        }
        const isSecret = value instanceof SecretConfigValue;
        const plain = isSecret ? value.value : value;
        if (plain === undefined) {
            delete config[key];
            secretKeys.delete(key);
            continue;
        }
        config[key] = encodeConfigValue(plain);
        if (isSecret) {
            secretKeys.add(key);
        } else {
            secretKeys.delete(key);
        }
    }
    return { config, secretKeys: [...secretKeys].sort() };
}

/** Unqualified keys belong to the project, as in `pulumi config set key value`. */
function qualifyKey(key: string, project: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function encodeConfigValue(value: unknown): string {
    if (typeof value === "string") {
        return value;
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    return JSON.stringify(value);
}

/** Replaces every `{secure: ...}` (at any depth, as Pulumi allows in structured config) by the marker. */
function redactSecure(value: unknown): { redacted: unknown; hadSecret: boolean } {
    if (isSecureValue(value)) {
        return { redacted: REDACTED, hadSecret: true };
    }
    if (Array.isArray(value)) {
        const parts = value.map(redactSecure);
        return { redacted: parts.map((p) => p.redacted), hadSecret: parts.some((p) => p.hadSecret) };
    }
    if (value !== null && typeof value === "object") {
        let hadSecret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const part = redactSecure(v);
            out[k] = part.redacted;
            hadSecret = hadSecret || part.hadSecret;
        }
        return { redacted: out, hadSecret };
    }
    return { redacted: value, hadSecret: false };
}

function isSecureValue(value: unknown): boolean {
    return (
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        Object.keys(value).length === 1 &&
        typeof (value as Record<string, unknown>).secure === "string"
    );
}
