// The stack configuration (keys under the `webstack` project) validated at the start of every preview (L22):
// zod checks the shape, then the components' own rule functions check the combinations, so a rule is written
// once and a bad value fails with "<key>: <problem> (got <value>). Fix: <how> [Lxx]".
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { closestMatch } from "../policy/didYouMean";
import { digestOf, IMAGE_ROLE_FIELDS, imageRefProblem, INTERNAL_REGISTRY_HOST, splitImageRef } from "../policy/facts";
import { apiProblems } from "./api";
import type { ApiImageBuildArgs } from "./apiImageBuild";
import { FieldProblem, HIDDEN, WebStackArgError } from "./errors";
import { migrationProblems } from "./migrationJob";
import { renderNginxConf } from "./nginxConf";
import { renderRedisConf } from "./redisConf";
import { routeProblems } from "./route";
import { staticSiteProblems } from "./staticSite";
import { quantityProblems } from "./storage";
import { defaultRouteKind, WebStackApiArgs, WebStackArgs } from "./webStack";

/** What a stack's config yields: the WebStack's name (prefix of every object) and its arguments. */
export interface ParsedStackConfig extends WebStackArgs {
  /** `webstack:appName`: name of the WebStack component and prefix of every object name. Default "web". */
  appName: string;
  /** The API image as configured; with `api.build` it names the build's repository (the digest comes from the push). */
  api: WebStackApiArgs & { image: string };
  /** `webstack:api.build`: build and push the API image in this (dev) stack. Default: none. */
  apiBuild?: Omit<ApiImageBuildArgs, "registryAuth" | "configPath">;
}

export const DEFAULT_APP_NAME = "web";
/** Every top-level key the program reads (`webstack:<key>`). */
export const CONFIG_KEYS = [
  "namespace", "appName", "platform", "requireImageDigests", "api", "apiSecrets", "migration", "site", "redis", "route",
] as const;
/** Keys whose values are objects (read with getObject). */
export const OBJECT_CONFIG_KEYS: readonly string[] = ["api", "apiSecrets", "migration", "site", "redis", "route"];

/** Keys whose values must be stored with `pulumi config set --secret` (L19); registryAuth is checked by imageRegistryArgs. */
export const SECRET_CONFIG_KEYS: readonly string[] = ["apiSecrets"];

/** What the program knows about the stack beyond the values; every field optional (unit tests pass none). */
export interface StackConfigContext {
  /** Stack name, for fixes (`--stack <name>`) and messages. */
  stack?: string;
  /** Top-level keys stored as secrets (`secure:` in the stack file). When given, {@link SECRET_CONFIG_KEYS} must be among them if set. */
  secretKeys?: readonly string[];
  /** Why the stack file yields no config (missing, empty, no `config:` root…), from stackFileProblem (components/stackFile.ts). */
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
  const label = value.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  return DNS_LABEL.test(label) ? label : undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

const int = z.number().int();
const imageRef = z.string().superRefine((value, ctx) => {
  const bad = imageRefProblem(value);
  if (bad) ctx.addIssue({ code: "custom", message: `is not an image reference: it ${bad.problem}` });
});
const quantity = z.string();
const resources = z.strictObject({
  requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
});
const autoscaling = z.strictObject({ min: int, max: int, cpuUtilization: int.optional() });
const tuning = {
  resources: resources.optional(),
  terminationGracePeriodSeconds: int.optional(),
  progressDeadlineSeconds: int.optional(),
  revisionHistoryLimit: int.optional(),
};

const apiSchema = z.strictObject({
  image: imageRef.optional(),
  build: z
    .strictObject({
      context: z.string(),
      dockerfile: z.string().optional(),
      repository: imageRef,
      tag: z.string().optional(),
      platform: z.string().optional(),
      target: z.string().optional(),
    })
    .optional(),
  command: z.array(z.string()),
  args: z.array(z.string()).optional(),
  port: int.optional(),
  replicas: int.optional(),
  autoscaling: autoscaling.optional(),
  healthPath: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  ...tuning,
});

const siteSchema = z.strictObject({
  image: imageRef.optional(),
  replicas: int.optional(),
  autoscaling: autoscaling.optional(),
  content: z.strictObject({
    volume: z
      .strictObject({
        size: quantity.optional(),
        accessMode: z.enum(["ReadWriteOnce", "ReadWriteMany"]).optional(),
        storageClassName: z.string().regex(DNS_SUBDOMAIN, { error: "is not a valid StorageClass name" }).optional(),
      })
      .optional(),
    image: imageRef.optional(),
    path: z.string().startsWith("/").optional(),
  }),
  apiRoutes: z.array(z.string()).optional(),
  ssePaths: z.array(z.string()).optional(),
  corsOrigins: z.array(z.string()).optional(),
  versionHeaderName: z.string().regex(/^[A-Za-z0-9-]+$/, { error: "is not an HTTP header name" }).optional(),
  ...tuning,
});

const configSchema = z.strictObject({
  namespace: z.string().regex(DNS_LABEL, { error: "is not a valid namespace name (lowercase DNS label)" }),
  appName: z.string().regex(DNS_LABEL, { error: "is not a lowercase DNS label" }).max(40).optional(),
  platform: z.enum(["openshift", "kubernetes"]).optional(),
  requireImageDigests: z.boolean().optional(),
  api: apiSchema,
  apiSecrets: z.record(z.string(), z.string().min(1, { error: "is empty" })).optional(),
  migration: z
    .strictObject({ command: z.array(z.string()), image: imageRef.optional(), backoffLimit: int.optional(), activeDeadlineSeconds: int.optional() })
    .optional(),
  site: siteSchema,
  redis: z
    .strictObject({
      image: imageRef.optional(),
      storageSize: quantity.optional(),
      storageClassName: z.string().regex(DNS_SUBDOMAIN, { error: "is not a valid StorageClass name" }).optional(),
      maxmemory: z.string().optional(),
      maxmemoryPolicy: z.enum(["noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu"]).optional(),
      resources: resources.optional(),
    })
    .optional(),
  route: z
    .strictObject({
      kind: z.enum(["openshift", "ingress"]).optional(),
      host: z.string().optional(),
      timeout: z.string().optional(),
      ingressClassName: z.string().optional(),
      tlsSecretName: z.string().optional(),
      annotations: z.record(z.string(), z.string()).optional(),
      ingressNamespace: z.string().regex(DNS_LABEL, { error: "is not a valid namespace name" }).optional(),
    })
    .optional(),
});
type RawConfig = z.infer<typeof configSchema>;

/** Example values used in fixes for shape errors, by field path ("[]" for any index, "*" for any map key). */
const EXAMPLES: Record<string, { example: string; lessons?: string[] }> = {
  platform: { example: "openshift" },
  requireImageDigests: { example: "true", lessons: ["L12"] },
  "api.image": { example: "<repo>@sha256:<digest>", lessons: ["L12"] },
  "api.build.context": { example: "./api", lessons: ["L22"] },
  "api.build.repository": { example: "<registry>/<path> (no tag)", lessons: ["L12"] },
  "api.command": { example: "'[\"gunicorn\",\"-b\",\"0.0.0.0:5000\",\"app:app\"]' (or --path 'api.command[0]' gunicorn ...)", lessons: ["L01"] },
  "api.command[]": { example: "gunicorn", lessons: ["L01"] },
  "api.port": { example: "5000", lessons: ["L18"] },
  "api.replicas": { example: "2", lessons: ["L10"] },
  "api.env.*": { example: "<string value>" },
  "apiSecrets.*": { example: "--secret --path 'apiSecrets.<NAME>' <value>", lessons: ["L19"] },
  "migration.command": { example: "flask (as 'migration.command[0]', then db, upgrade)", lessons: ["L13"] },
  "site.content": { example: "--path site.content.volume.accessMode ReadWriteMany (or site.content.image <repo>@sha256:<digest>)", lessons: ["L08"] },
  "site.content.volume.accessMode": { example: "ReadWriteMany", lessons: ["L03"] },
  "site.replicas": { example: "1", lessons: ["L03"] },
  "redis.maxmemoryPolicy": { example: "noeviction", lessons: ["L10"] },
  "route.kind": { example: "openshift", lessons: ["L05"] },
};

function displayPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), "");
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
  let schema: z.ZodType = configSchema;
  for (const part of path) {
    let inner: z.ZodType = schema;
    while (inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
    if (!(inner instanceof z.ZodObject)) return [];
    schema = (inner.shape as Record<string, z.ZodType>)[String(part)];
    if (!schema) return [];
  }
  while (schema instanceof z.ZodOptional) schema = schema.unwrap() as z.ZodType;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function shapeProblems(issues: z.core.$ZodIssue[], raw: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(issue.path);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const field = displayPath(path);
        const suggestion = closestMatch(key, known);
        const rm = issue.path.length === 0 ? `pulumi config rm ${key}` : `pulumi config rm --path ${field}`;
        problems.push({
          field, problem: "is not a known setting", got: valueAt(raw, path),
          fix: suggestion ? `did you mean ${displayPath([...issue.path, suggestion])}? ${rm}, then set the right key` : `${rm}; known keys here: ${known.join(", ")}`,
          lessons: ["L22"],
        });
      }
      continue;
    }
    const field = displayPath(issue.path);
    const got = issue.path[0] === "apiSecrets" ? HIDDEN : valueAt(raw, issue.path);
    if ((field === "api" || field === "api.image") && got === undefined) {
      problems.push({ field: "api.image", problem: "is required: the API image has no default", got, fix: `${apiImageFix(raw)}; also set api.command`, lessons: ["L12", "L01"] });
      continue;
    }
    const known = EXAMPLES[patternOf(issue.path)];
    if (issue.code === "invalid_value" && typeof got === "string") {
      // An enum value with a typo (ReadWriteOne): name the value meant, not a generic example.
      const meant = closestMatch(got, issue.values.map(String));
      if (meant !== undefined) {
        problems.push({ field, problem: `is not one of ${issue.values.join(", ")}; did you mean ${meant}?`, got, fix: `pulumi config set --path '${field}' ${meant}`, lessons: known?.lessons });
        continue;
      }
    }
    const missing = got === undefined ? "is required; " : "";
    const example = known?.example ?? ownExample(field, got, raw) ?? (issue.code === "invalid_value" ? issue.values.join("|") : "<value>");
    const fix = example.startsWith("--")
      ? `pulumi config set ${example}`
      : `pulumi config set --path '${field}' ${example}`;
    problems.push({ field, problem: `${missing}${issue.message.replace(/^Invalid input: /, "")}`, got, fix, lessons: known?.lessons });
  }
  return problems;
}

/** Examples for the keys that name the stack itself, built from what the stack holds rather than a sample app's names. */
function ownExample(field: string, got: unknown, raw: Record<string, unknown>): string | undefined {
  if (field === "namespace") {
    return asDnsLabel(got) ?? (raw.appName !== undefined && asDnsLabel(raw.appName) ? `${asDnsLabel(raw.appName)}-dev` : "<namespace>");
  }
  if (field === "appName") {
    return asDnsLabel(got)?.slice(0, 40).replace(/-+$/, "") ?? DEFAULT_APP_NAME;
  }
  return undefined;
}

/** Runs a renderer only to collect its problems, re-keyed under the config prefix (`rename`: option → config field prefix). */
function rendererProblems(render: () => void, prefix: string, rename: Record<string, string> = {}): FieldProblem[] {
  try {
    render();
    return [];
  } catch (err) {
    if (err instanceof WebStackArgError) {
      const renamed = (field: string) => Object.entries(rename).reduce((f, [from, to]) => (f.startsWith(from) ? to + f.slice(from.length) : f), field);
      return err.problems.map((p) => ({ ...p, field: `${prefix}${renamed(p.field)}` }));
    }
    throw err;
  }
}

function imageFields(c: RawConfig): { field: string; ref: string }[] {
  return Object.values(IMAGE_ROLE_FIELDS).flatMap((field) => {
    const ref = valueAt(c, field.split("."));
    return typeof ref === "string" ? [{ field, ref }] : [];
  });
}

/** Rules across fields, and the components' own rules applied to the config values. */
function ruleProblems(c: RawConfig): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const platform = c.platform ?? "openshift";
  for (const { field, ref } of imageFields(c)) {
    if (c.requireImageDigests && digestOf(ref) === undefined) {
      problems.push({ field, problem: "must be pinned by digest in this stack (requireImageDigests is true)", got: ref, fix: `pulumi config set --path ${field} ${ref.replace(/@.*$/, "").replace(/:[^/:]+$/, "")}@sha256:<digest>`, lessons: ["L12"] });
    }
    const { registry, path } = splitImageRef(ref);
    const imageNamespace = registry === INTERNAL_REGISTRY_HOST && path.includes("/") ? path.split("/")[0] : undefined;
    if (imageNamespace !== undefined && imageNamespace !== c.namespace) {
      problems.push({ field, problem: `points at the internal registry of namespace "${imageNamespace}", which pods in "${c.namespace}" cannot pull`, got: ref, fix: `push or tag the image into ${c.namespace} (oc tag ${imageNamespace}/<image>@sha256:<digest> ${c.namespace}/<image>:<tag>) and use ${INTERNAL_REGISTRY_HOST}/${c.namespace}/...`, lessons: ["L06"] });
    }
  }

  if ((c.api.image === undefined) === (c.api.build === undefined)) {
    problems.push({ field: "api.image", problem: "needs exactly one of api.image or api.build", got: c.api.image, fix: `${apiImageFix(c)}; or build it in a dev stack: pulumi config set --path api.build.context ./api and --path api.build.repository <registry>/<path>`, lessons: ["L12"] });
  }
  if (c.api.build && c.requireImageDigests) {
    problems.push({ field: "api.build", problem: "builds in a stack that only deploys promoted digests (requireImageDigests is true)", got: c.api.build, fix: "pulumi config rm --path api.build and promote the digest dev built: npm run promote -- --from dev --to <this stack>", lessons: ["L12", "L23"] });
  }
  problems.push(...apiProblems({ ...c.api, secretEnv: c.apiSecrets }, "api."));
  if (c.api.autoscaling && c.api.replicas !== undefined) {
    problems.push({ field: "api.replicas", problem: "conflicts with api.autoscaling (the HPA owns the replica count)", got: c.api.replicas, fix: "pulumi config rm --path api.replicas" });
  }
  if (c.migration) {
    problems.push(...migrationProblems(c.migration, "migration."));
  }

  const content = c.site.content;
  if ((content.volume === undefined) === (content.image === undefined)) {
    problems.push({ field: "site.content", problem: "needs exactly one of volume or image", got: content, fix: "pulumi config set --path site.content.volume.accessMode ReadWriteMany, or set site.content.image <repo>@sha256:<digest> (not both)", lessons: ["L08"] });
  }
  if (content.volume && content.path !== undefined) {
    problems.push({ field: "site.content.path", problem: "only applies to a content image", got: content.path, fix: "pulumi config rm --path site.content.path", lessons: ["L08"] });
  }
  if (content.volume?.size !== undefined) {
    problems.push(...quantityProblems(content.volume.size, "site.content.volume.size"));
  }
  if (c.site.autoscaling && c.site.replicas !== undefined) {
    problems.push({ field: "site.replicas", problem: "conflicts with site.autoscaling (the HPA owns the replica count)", got: c.site.replicas, fix: "pulumi config rm --path site.replicas" });
  }
  problems.push(...staticSiteProblems({ ...c.site, accessMode: content.volume ? content.volume.accessMode ?? "ReadWriteMany" : undefined }, "site.", "site.content.volume.accessMode"));
  problems.push(
    ...rendererProblems(
      () => renderNginxConf({ apiUpstream: "api.invalid:5000", apiRouting: c.site.apiRoutes ? { mode: "routes", routes: c.site.apiRoutes } : undefined, ssePaths: c.site.ssePaths, corsOrigins: c.site.corsOrigins }),
      "site.",
      { "apiRouting.routes": "apiRoutes" },
    ),
  );

  if (c.redis?.storageSize !== undefined) {
    problems.push(...quantityProblems(c.redis.storageSize, "redis.storageSize"));
  }
  problems.push(...rendererProblems(() => renderRedisConf({ maxmemory: c.redis?.maxmemory, maxmemoryPolicy: c.redis?.maxmemoryPolicy }), "redis."));

  const route = c.route ?? {};
  const routeKind = route.kind ?? defaultRouteKind(platform);
  if (routeKind === "openshift" && platform === "kubernetes") {
    problems.push({ field: "route.kind", problem: "an OpenShift Route needs platform openshift", got: route.kind, fix: "pulumi config set --path route.kind ingress (or set platform to openshift)", lessons: ["L05"] });
  }
  if (route.ingressNamespace !== undefined && platform === "openshift") {
    problems.push({ field: "route.ingressNamespace", problem: "is only used on platform kubernetes (OpenShift routers are found by namespace label)", got: route.ingressNamespace, fix: "pulumi config rm --path route.ingressNamespace", lessons: ["L31"] });
  }
  if (routeKind === "openshift" && (route.ingressClassName !== undefined || route.tlsSecretName !== undefined)) {
    problems.push({ field: route.ingressClassName !== undefined ? "route.ingressClassName" : "route.tlsSecretName", problem: "only applies to an Ingress (an OpenShift Route terminates TLS at the router)", got: route.ingressClassName ?? route.tlsSecretName, fix: "remove it, or set route.kind ingress" });
  }
  problems.push(...routeProblems({ ...route, kind: routeKind }, "route."));
  return problems;
}

function toArgs(c: RawConfig): ParsedStackConfig {
  const { content, apiRoutes, ...site } = c.site;
  const { ingressNamespace, ...route } = c.route ?? {};
  const secrets = c.apiSecrets;
  const { build, ...apiWithoutBuild } = c.api;
  return {
    appName: c.appName ?? DEFAULT_APP_NAME,
    namespace: c.namespace,
    platform: c.platform,
    requireImageDigests: c.requireImageDigests,
    api: { ...apiWithoutBuild, image: c.api.image ?? build?.repository ?? "" },
    apiBuild: build,
    // Wrapped at once: from here on the values only exist as Pulumi secrets (L19).
    apiSecrets: secrets ? Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, pulumi.secret(v)])) : undefined,
    migration: c.migration,
    site: {
      ...site,
      apiRouting: apiRoutes ? { mode: "routes", routes: apiRoutes } : undefined,
      content: content.volume ? { volume: content.volume } : { image: content.image!, path: content.path },
    },
    redis: c.redis ? { image: c.redis.image, storageSize: c.redis.storageSize, storageClassName: c.redis.storageClassName, resources: c.redis.resources, conf: { maxmemory: c.redis.maxmemory, maxmemoryPolicy: c.redis.maxmemoryPolicy } } : undefined,
    route: c.route ? { ...route, ingressNamespace } : undefined,
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
    throw new WebStackArgError([...secretProblems, ...shapeProblems(shape.error.issues, raw)]);
  }
  const problems = [...secretProblems, ...ruleProblems(shape.data)];
  if (problems.length > 0) {
    throw new WebStackArgError(problems);
  }
  return toArgs(shape.data);
}
