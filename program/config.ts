// The stack configuration (keys under the `webstack` project) validated at the start of every preview (L22).
// Its keys are the WebStack's argument names and its schema is composed from the components' own schemas; the
// components' rules (webStackProblems) check the combinations. This is the one place that turns a problem into
// `pulumi config set` advice: "<key>: <problem> (got <value>). Fix: <command> [Lxx]".
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { closestMatch } from "../components/did-you-mean";
import { apiSchema } from "../components/api";
import { apiImageBuildSchema, ApiImageBuildArgs } from "../components/api-image-build";
import { DNS_LABEL } from "../components/facts";
import { imageRefSchema, problemsOfIssue } from "../components/args-schema";
import { FieldProblem, HIDDEN, WebStackArgError } from "../components/errors";
import type { RegistryCredential } from "../components/images";
import { WebStackApiArgs, WebStackArgs, webStackProblems, webStackSchema } from "../components/web-stack";

/** What a stack's config yields: the WebStack's name (prefix of every object) and its arguments. */
export interface ParsedStackConfig extends WebStackArgs {
    /**
     * `webstack:appName`: name of the WebStack component and prefix of every object name.
     * @defaultValue "web"
     */
    appName: string;
    /** The API image as configured; with `api.build` it names the build's repository (the digest comes from the push). */
    api: WebStackApiArgs & { image: string };
    /**
     * `webstack:api.build`: build and push the API image in this (dev) stack.
     * @defaultValue none
     */
    apiBuild?: Omit<ApiImageBuildArgs, "registryAuth" | "configPath">;
}

/**
 * Every key of the stack config (`webstack:<key>`) as a user writes it. docs/configuration.md is generated from
 * this type's TSDoc (`@defaultValue` tags) and from {@link configSchema} (scripts/config-docs.ts).
 */
export interface StackConfigKeys extends Omit<WebStackArgs, "api"> {
    /**
     * Name of the WebStack component: prefix of every object name and `app.kubernetes.io/part-of`.
     * @defaultValue "web"
     */
    appName?: string;
    /** The API: its command, and its image or a build of it, are required. */
    api: Omit<WebStackApiArgs, "image"> & {
        /**
         * The API image, `repo@sha256:<digest>` (a tag is resolved to a digest at preview, L12); required unless
         * `api.build` is set. No image has a sensible default.
         * @defaultValue none: `api.build` builds it
         */
        image?: string;
        /**
         * Dev stacks: build and push the API image instead of naming one in `image`; the pushed digest is deployed (L12).
         * @defaultValue none
         */
        build?: Omit<ApiImageBuildArgs, "registryAuth" | "configPath">;
    };
    /**
     * **Secret** (`--secret`): `[{address, username, password}]` for registry lookups and the `api.build` push (L19).
     * @defaultValue none: anonymous lookups, the local docker login for pushes
     */
    registryAuth?: RegistryCredential[];
    /**
     * Look every pinned digest up in its registry at preview, so a digest never pushed fails there (L17).
     * @defaultValue true
     */
    verifyImageDigests?: boolean;
    /**
     * Registry host → host to query at preview (OpenShift's internal registry → its external route, L17).
     * @defaultValue none
     */
    registryLookupHosts?: Record<string, string>;
}

export const DEFAULT_APP_NAME = "web";
/** Every top-level key the program reads (`webstack:<key>`), with the kind of value it holds. */
const CONFIG_KEY_KINDS = {
    namespace: "string",
    appName: "string",
    platform: "string",
    requireImageDigests: "boolean",
    api: "object",
    apiSecrets: "object",
    migration: "object",
    site: "object",
    redis: "object",
    route: "object",
} as const;
export type ConfigKey = keyof typeof CONFIG_KEY_KINDS;
export const CONFIG_KEYS = Object.keys(CONFIG_KEY_KINDS) as ConfigKey[];

/** The methods of `pulumi.Config` that read a value. */
export interface ConfigReader {
    get(key: string): string | undefined;
    getObject<T>(key: string): T | undefined;
    getBoolean(key: string): boolean | undefined;
}

/** The value of one key, read as its kind needs (objects are parsed from JSON; booleans must be true or false). */
export function readConfigKey(config: ConfigReader, key: ConfigKey): unknown {
    const kind = CONFIG_KEY_KINDS[key];
    return kind === "object" ? config.getObject(key) : kind === "boolean" ? config.getBoolean(key) : config.get(key);
}

/** Keys whose values must be stored with `pulumi config set --secret` (L19); registryAuth is checked by imageRegistryArgs. */
export const SECRET_CONFIG_KEYS: readonly string[] = ["apiSecrets"];

/** What the program knows about the stack beyond the values; every field optional (unit tests pass none). */
export interface StackConfigContext {
    /** Stack name, for fixes (`--stack <name>`) and messages. */
    stack?: string;
    /** Top-level keys stored as secrets (`secure:` in the stack file). When given, {@link SECRET_CONFIG_KEYS} must be among them if set. */
    secretKeys?: readonly string[];
    /** Why the stack file yields no config (missing, empty, no `config:` root…), from stackFileProblem (program/stack-file.ts). */
    stackFileProblem?: string;
}

/** The stack's own names for fix texts: its namespace and app name when they are valid, else placeholders. */
function stackNames(raw: Record<string, unknown>): { namespace: string; appName: string } {
    const valid = (v: unknown) => (typeof v === "string" && DNS_LABEL.test(v) ? v : undefined);
    return { namespace: valid(raw.namespace) ?? "<namespace>", appName: valid(raw.appName) ?? DEFAULT_APP_NAME };
}

function apiImageFix(raw: Record<string, unknown>): string {
    const { namespace, appName } = stackNames(raw);
    return `pulumi config set --path api.image <repo>@sha256:<digest> (the digest of your API build, e.g. from \`oc get istag ${appName}-api:latest -n ${namespace} -o jsonpath='{.image.dockerImageReference}'\`)`;
}

/** A value made into a DNS label the way a user most likely meant it ("QR_Demo" → "qr-demo"), for fix texts. */
function asDnsLabel(value: unknown): string | undefined {
    if (typeof value !== "string") return undefined;
    const label = value
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 63)
        .replace(/-+$/, "");
    return DNS_LABEL.test(label) ? label : undefined;
}

/** The schema of the keys {@link parseStackConfig} reads (the registry keys are imageRegistryArgs's). */
export const configSchema = webStackSchema.extend({
    appName: z.string().regex(DNS_LABEL, { error: "is not a lowercase DNS label" }).max(40).optional(),
    // Only here: a dev stack may build the API image instead of naming one (index.ts runs the ApiImageBuild).
    api: apiSchema.extend({ image: imageRefSchema.optional(), build: apiImageBuildSchema.optional() }),
});
type RawConfig = z.infer<typeof configSchema>;

/** Example values used in fixes for shape errors, by field path ("[]" for any index, "*" for any map key). */
const EXAMPLES: Record<string, { example: string; lessons?: string[] } | { remove: true; lessons?: string[] }> = {
    platform: { example: "openshift" },
    requireImageDigests: { example: "true", lessons: ["L12"] },
    "api.image": { example: "<repo>@sha256:<digest>", lessons: ["L12"] },
    "api.build.context": { example: "./api", lessons: ["L22"] },
    "api.build.repository": { example: "<registry>/<path> (no tag)", lessons: ["L12"] },
    "api.command": {
        example: '\'["gunicorn","-b","0.0.0.0:5000","app:app"]\' (or --path \'api.command[0]\' gunicorn ...)',
        lessons: ["L01"],
    },
    "api.command[]": { example: "gunicorn", lessons: ["L01"] },
    "api.port": { example: "5000", lessons: ["L18"] },
    "api.replicas": { example: "2", lessons: ["L10"] },
    "api.env.*": { example: "<string value>" },
    "apiSecrets.*": { example: "--secret --path 'apiSecrets.<NAME>' <value>", lessons: ["L19"] },
    "migration.command": { example: "flask (as 'migration.command[0]', then db, upgrade)", lessons: ["L13"] },
    "migration.schemaVersion": { example: "3", lessons: ["L13", "L23"] },
    "site.content": {
        example:
            "--path site.content.volume.accessMode ReadWriteMany, or site.content.image <repo>@sha256:<digest> (not both)",
        lessons: ["L08"],
    },
    "site.content.path": { remove: true, lessons: ["L08"] },
    "site.content.volume.accessMode": { example: "ReadWriteMany", lessons: ["L03"] },
    "site.replicas": { example: "1", lessons: ["L03"] },
    "redis.conf.maxmemoryPolicy": { example: "noeviction", lessons: ["L10"] },
    "route.kind": { example: "openshift", lessons: ["L05"] },
};

/** Keys that were renamed to the argument's own name, with what to run instead: users' stack files still hold them. */
const RENAMED_KEYS: Record<string, { to: string; fix: string }> = {
    "site.apiRoutes": {
        to: "site.apiRouting",
        fix: "pulumi config rm --path site.apiRoutes; pulumi config set --path site.apiRouting.mode routes; then each route as pulumi config set --path 'site.apiRouting.routes[0]' /telemetry, [1], ...",
    },
    "redis.maxmemory": {
        to: "redis.conf.maxmemory",
        fix: "pulumi config rm --path redis.maxmemory; pulumi config set --path redis.conf.maxmemory <value, e.g. 256mb>",
    },
    "redis.maxmemoryPolicy": {
        to: "redis.conf.maxmemoryPolicy",
        fix: "pulumi config rm --path redis.maxmemoryPolicy; pulumi config set --path redis.conf.maxmemoryPolicy <value, e.g. noeviction>",
    },
};

function displayPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>(
        (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
        "",
    );
}

function patternOf(path: readonly PropertyKey[]): string {
    const shown = displayPath(path).replace(/\[\d+\]/g, "[]");
    if (path[0] === "apiSecrets" && path.length === 2) return "apiSecrets.*";
    if (path[0] === "api" && path[1] === "env" && path.length === 3) return "api.env.*";
    return shown;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
    let node: unknown = raw;
    for (const part of path) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Record<PropertyKey, unknown>)[part as string];
    }
    return node;
}

/** Known keys of the object schema at `path`, for unknown-key suggestions. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
    // Optional and transformed (site.content) schemas wrap the object that knows the keys.
    const unwrap = (schema: z.ZodType): z.ZodType =>
        schema instanceof z.ZodOptional
            ? unwrap(schema.unwrap() as z.ZodType)
            : schema instanceof z.ZodPipe
              ? unwrap(schema.in as z.ZodType)
              : schema;
    let schema: z.ZodType = configSchema;
    for (const part of path) {
        const inner = unwrap(schema);
        if (!(inner instanceof z.ZodObject)) return [];
        schema = (inner.shape as Record<string, z.ZodType>)[String(part)];
        if (!schema) return [];
    }
    const inner = unwrap(schema);
    return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function shapeProblems(issues: z.core.$ZodIssue[], raw: Record<string, unknown>): FieldProblem[] {
    const problems: FieldProblem[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            const known = knownKeysAt(issue.path);
            for (const key of issue.keys) {
                const path = [...issue.path, key];
                const field = displayPath(path);
                const renamed = RENAMED_KEYS[field];
                if (renamed) {
                    problems.push({
                        field,
                        problem: `was renamed to ${renamed.to} (stack config keys are the components' argument names)`,
                        got: valueAt(raw, path),
                        fix: renamed.fix,
                        lessons: ["L22"],
                    });
                    continue;
                }
                const suggestion = closestMatch(key, known);
                const rm = issue.path.length === 0 ? `pulumi config rm ${key}` : `pulumi config rm --path ${field}`;
                problems.push({
                    field,
                    problem: "is not a known setting",
                    got: valueAt(raw, path),
                    fix: suggestion
                        ? `did you mean ${displayPath([...issue.path, suggestion])}? ${rm}, then set the right key`
                        : `${rm}; known keys here: ${known.join(", ")}`,
                    lessons: ["L22"],
                });
            }
            continue;
        }
        const field = displayPath(issue.path);
        const got = issue.path[0] === "apiSecrets" ? HIDDEN : valueAt(raw, issue.path);
        if ((field === "api" || field === "api.image") && got === undefined) {
            problems.push({
                field: "api.image",
                problem: "is required: the API image has no default",
                got,
                fix: `${apiImageFix(raw)}; also set api.command`,
                lessons: ["L12", "L01"],
            });
            continue;
        }
        const own = problemsOfIssue(issue, field);
        if (own) {
            // A component's own rule (checkedSchema): its words, its fix and lessons, as for the rules below.
            problems.push(...own.map(asConfigAdvice));
            continue;
        }
        const known = EXAMPLES[patternOf(issue.path)];
        if (issue.code === "invalid_value" && typeof got === "string") {
            // An enum value with a typo (ReadWriteOne): name the value meant, not a generic example.
            const meant = closestMatch(got, issue.values.map(String));
            if (meant !== undefined) {
                problems.push({
                    field,
                    problem: `is not one of ${issue.values.join(", ")}; did you mean ${meant}?`,
                    got,
                    fix: `pulumi config set --path '${field}' ${meant}`,
                    lessons: known?.lessons,
                });
                continue;
            }
        }
        const missing = got === undefined ? "is required; " : "";
        if (known && "remove" in known) {
            problems.push({
                field,
                problem: issue.message,
                got,
                fix: `pulumi config rm --path ${field}`,
                lessons: known.lessons,
            });
            continue;
        }
        const example =
            known?.example ??
            ownExample(field, got, raw) ??
            (issue.code === "invalid_value" ? issue.values.join("|") : "<value>");
        const fix = example.startsWith("--")
            ? `pulumi config set ${example}`
            : `pulumi config set --path '${field}' ${example}`;
        problems.push({
            field,
            problem: `${missing}${issue.message.replace(/^Invalid input: /, "")}`,
            got,
            fix,
            lessons: known?.lessons,
        });
    }
    return problems;
}

/** Examples for the keys that name the stack itself, built from what the stack holds rather than a sample app's names. */
function ownExample(field: string, got: unknown, raw: Record<string, unknown>): string | undefined {
    if (field === "namespace") {
        return (
            asDnsLabel(got) ??
            (raw.appName !== undefined && asDnsLabel(raw.appName) ? `${asDnsLabel(raw.appName)}-dev` : "<namespace>")
        );
    }
    if (field === "appName") {
        return asDnsLabel(got)?.slice(0, 40).replace(/-+$/, "") ?? DEFAULT_APP_NAME;
    }
    return undefined;
}

/** A component's problem as stack config advice: its suggested value or removal as the `pulumi config` command. */
function asConfigAdvice(p: FieldProblem): FieldProblem {
    const quoted = (field: string) => (/[^A-Za-z0-9.]/.test(field) ? `'${field}'` : field);
    if (p.remove) {
        return { ...p, fix: `pulumi config rm --path ${quoted(p.field)}` };
    }
    if (p.suggested === undefined) {
        return p;
    }
    const { field, value, secret } =
        typeof p.suggested === "string" ? { field: p.field, value: p.suggested, secret: false } : p.suggested;
    return { ...p, fix: `pulumi config set ${secret ? "--secret " : ""}--path ${quoted(field)} ${value} (${p.fix})` };
}

/** Rules only the stack config has (api.build), then every rule of the WebStack's arguments. */
function ruleProblems(c: RawConfig): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if ((c.api.image === undefined) === (c.api.build === undefined)) {
        problems.push({
            field: "api.image",
            problem: "needs exactly one of api.image or api.build",
            got: c.api.image,
            fix: `${apiImageFix(c)}; or build it in a dev stack: pulumi config set --path api.build.context ./api and --path api.build.repository <registry>/<path>`,
            lessons: ["L12"],
        });
    }
    if (c.api.build && c.requireImageDigests) {
        problems.push({
            field: "api.build",
            problem: "builds in a stack that only deploys promoted digests (requireImageDigests is true)",
            got: c.api.build,
            fix: "pulumi config rm --path api.build and promote the digest dev built: npm run promote -- --from dev --to <this stack>",
            lessons: ["L12", "L23"],
        });
    }
    // The image a build will push is judged by the build (its digest comes from the push), not as api.image.
    const args = toArgs(c);
    problems.push(...webStackProblems({ ...args, api: { ...args.api, image: c.api.image ?? "" } }).map(asConfigAdvice));
    return problems;
}

/**
 * The rule problems of the values the shape accepted, so one run names every problem (a bad api.image and a bad
 * api.port together): the shape's offenders are left out and the rest checked. Nothing when what is left is
 * incomplete (a required key was the offender); a rule on a left-out field is the shape problem's already.
 */
function ruleProblemsBesideShape(raw: Record<string, unknown>, issues: z.core.$ZodIssue[]): FieldProblem[] {
    const offenders = issues.flatMap((issue) =>
        issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key]) : [issue.path],
    );
    if (offenders.some((path) => path.length === 0)) {
        return [];
    }
    const rest = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
    for (const path of offenders) {
        const parent = valueAt(rest, path.slice(0, -1));
        if (parent !== null && typeof parent === "object") {
            delete (parent as Record<PropertyKey, unknown>)[path[path.length - 1] as string];
        }
    }
    const checked = configSchema.safeParse(rest);
    if (!checked.success) {
        return [];
    }
    const offending = offenders.map(displayPath);
    const inOffender = (field: string) =>
        offending.some((o) => field === o || field.startsWith(`${o}.`) || field.startsWith(`${o}[`));
    return ruleProblems(checked.data).filter((p) => !inOffender(p.field));
}

function toArgs(c: RawConfig): ParsedStackConfig {
    const { appName, apiSecrets, api, ...args } = c;
    const { build, ...apiWithoutBuild } = api;
    return {
        ...args,
        appName: appName ?? DEFAULT_APP_NAME,
        api: { ...apiWithoutBuild, image: api.image ?? build?.repository ?? "" },
        apiBuild: build,
        // Wrapped at once: from here on the values only exist as Pulumi secrets (L19).
        apiSecrets: apiSecrets
            ? Object.fromEntries(Object.entries(apiSecrets).map(([k, v]) => [k, pulumi.secret(v)]))
            : undefined,
    };
}

/** Nothing of the program's config is set: one message naming the cause, instead of every required key. */
function noConfigProblem(context: StackConfigContext): FieldProblem {
    const stack = context.stack ?? "<stack>";
    const cause = context.stackFileProblem ? `: ${context.stackFileProblem}` : "";
    return {
        field: "config",
        problem: `stack "${stack}" sets none of the webstack keys${cause}`,
        got: undefined,
        fix: `select the intended stack (pulumi stack select / --stack), or create Pulumi.${stack}.yaml with a \`config:\` mapping of webstack:namespace, webstack:api and webstack:site (copy Pulumi.dev.yaml and adapt it)`,
        lessons: ["L22"],
    };
}

/** Values under keys that must be secret (L19) but are stored in plain text: one problem per entry, with the exact command. */
function plainSecretProblems(raw: Record<string, unknown>, secretKeys: readonly string[]): FieldProblem[] {
    const problems: FieldProblem[] = [];
    for (const key of SECRET_CONFIG_KEYS) {
        const value = raw[key];
        if (value === undefined || secretKeys.includes(key)) continue;
        const entries = value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
        for (const entry of entries.length > 0 ? entries : ["<NAME>"]) {
            problems.push({
                field: entries.length > 0 ? `${key}.${entry}` : key,
                problem: "is stored in plain text in the stack file; secrets only with --secret",
                got: HIDDEN,
                fix: `pulumi config rm ${key}, then pulumi config set --secret --path '${key}.${entry}' <value> (and rotate the value: it was committed in plain text)`,
                lessons: ["L19"],
            });
        }
    }
    return problems;
}

/**
 * Validates the project's config (unqualified keys: `{ namespace, api: {...}, ... }`) and returns the
 * WebStack's arguments. Throws a {@link WebStackArgError} listing every problem at once.
 */
export function parseStackConfig(raw: Record<string, unknown>, context: StackConfigContext = {}): ParsedStackConfig {
    if (Object.values(raw).every((value) => value === undefined)) {
        throw new WebStackArgError([noConfigProblem(context)]);
    }
    const secretProblems = context.secretKeys ? plainSecretProblems(raw, context.secretKeys) : [];
    const shape = configSchema.safeParse(raw);
    if (!shape.success) {
        throw new WebStackArgError([
            ...secretProblems,
            ...shapeProblems(shape.error.issues, raw),
            ...ruleProblemsBesideShape(raw, shape.error.issues),
        ]);
    }
    const problems = [...secretProblems, ...ruleProblems(shape.data)];
    if (problems.length > 0) {
        throw new WebStackArgError(problems);
    }
    return toArgs(shape.data);
}
