/**
 * Runs the policy pack's policies over recorded resources the way the Pulumi engine and
 * @pulumi/policy's analyzer server do, without starting the gRPC server (`new PolicyPack` would).
 *
 * Mirrors, in order:
 *  - the engine's ReconcilePolicyPackConfig: configSchema defaults, then `all`'s enforcement level,
 *    then each policy's entry (enforcementLevel and properties merged key by key), then schema validation;
 *  - server.js analyze: resource policies see inputs (`props`), `opts`, `stackTags`, `getConfig`
 *    (config without enforcementLevel), `notApplicable` (throws; the policy is skipped for that resource);
 *  - server.js analyzeStack: stack policies see outputs, with parent/dependencies resolved to resources;
 *  - "disabled" skips the policy, "remediate" reports as mandatory.
 */
import type {
    EnforcementLevel,
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import type { PolicyConfigSchema } from "@pulumi/policy/policy";
import { unknownPolicyErrors, unknownPropertyErrors } from "../policy/config";
import { lessonsOf } from "../policy/catalog";
import type { NotEvaluatedNote } from "../policy/not-evaluated";
import { startWaiverRun, type ViolationInfo, type WaiverNote } from "../policy/waiver-ledger";
import type { RecordedResource } from "./types";

export interface Violation {
    policy: string;
    lessons: string[];
    level: "mandatory" | "advisory";
    /** "<type>::<name>" of the resource the violation is about ("stack" when a stack policy names none) */
    resource: string;
    /** the message the policy reported (the engine prints the description above it) */
    message: string;
    /** The waiver this violation is waived by (level advisory then): it does not fail the run. */
    waived?: WaiverNote;
    /** The expired waiver that would have covered it (the violation keeps its level). */
    expiredWaiver?: WaiverNote;
    /** A waiver that covered nothing this run (policy "waivers", advisory). */
    stale?: WaiverNote;
    /** The policy could not run: an input was unknown during preview (advisory unless the run fails closed). */
    notEvaluated?: NotEvaluatedNote;
}

export interface PolicyRunOptions {
    /** default: the pack's own list from policy/policies.ts */
    policies?: Policies;
    /** the --policy-pack-config JSON: keyed by policy name and "all"; a level string or {enforcementLevel?, ...config} */
    packConfig?: Record<string, unknown>;
    stackTags?: Record<string, string>;
    /** called when a policy declares itself not applicable (args.notApplicable) to a resource or the stack */
    onNotApplicable?: (policy: string, resource: string, reason: string) => void;
    /** The waiver file and the day (default: $WEBSTACK_WAIVERS or policy-waivers.yaml, $WEBSTACK_WAIVER_NOW or today). */
    waivers?: { file?: string; now?: Date };
    /**
     * The resources may hold values unknown during preview (default true: a program run under the mocks). false for
     * plain manifests: the policies then run without the Pulumi SDKs, which are not even loaded (issue 29).
     */
    unknowns?: boolean;
}

interface EffectiveConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

class NotApplicable extends Error {}

/** How the analyzer treats values unknown during preview. */
interface UnknownHandling {
    /**
     * Props as the analyzer gives them: behind the unknown-checking proxy only when something is unknown (the proxy
     * throws when a policy reads an unknown value, and server.js reports that policy "can't run ... during preview").
     */
    withUnknownChecks<T extends object>(props: T): T;
    /** `err` when it is the proxy's error (a policy read an unknown value), else undefined. */
    unknownError(err: unknown): Error | undefined;
}

const NO_UNKNOWNS: UnknownHandling = {
    withUnknownChecks: (props) => props,
    unknownError: () => undefined,
};

/** The SDK's marker of a value unknown during preview (kept in inputs by the mock harness's preview mode), and the proxy. */
async function sdkUnknownHandling(): Promise<UnknownHandling> {
    const [{ runtime }, { policyProxy }] = await Promise.all([import("@pulumi/pulumi"), import("./sdk-internals")]);
    const containsUnknown = (value: unknown): boolean =>
        value === runtime.unknownValue ||
        (typeof value === "object" && value !== null && Object.values(value).some(containsUnknown));
    return {
        withUnknownChecks: (props) => (containsUnknown(props) ? policyProxy.unknownCheckingProxy(props) : props),
        unknownError: (err) => (err instanceof policyProxy.UnknownValueError ? err : undefined),
    };
}

export async function runPolicies(resources: RecordedResource[], opts: PolicyRunOptions = {}): Promise<Violation[]> {
    const policies: Policies = opts.policies ?? (await import("../policy/policies")).packPolicies;
    const unknowns = opts.unknowns === false ? NO_UNKNOWNS : await sdkUnknownHandling();
    startWaiverRun(opts.waivers);
    const config = reconcileConfig(policies, opts.packConfig ?? {});
    const stackTags = readonlyMap(opts.stackTags ?? {});
    const label = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const violations: Violation[] = [];

    for (const policy of policies) {
        const { enforcementLevel } = config.get(policy.name)!;
        if (enforcementLevel === "disabled") {
            continue;
        }
        const level = enforcementLevel === "remediate" ? "mandatory" : enforcementLevel;
        const getConfig = <T extends object>() => structuredClone(config.get(policy.name)!.properties) as T;
        // Advisory whatever the policy's level when the policy could not run (a value unknown during preview).
        const report =
            (resource: string, reportedLevel: Violation["level"] = level): ReportViolation =>
            (reported, reportedUrn) => {
                // server.js also takes an object (name, message, urn, enforcementLevel...): waivers report that way.
                const info: ViolationInfo =
                    typeof reported === "string" ? { message: reported, urn: reportedUrn } : reported;
                const urn = info.urn;
                const target = urn === undefined ? resource : byUrn.get(urn);
                violations.push({
                    policy: info.name ?? policy.name,
                    lessons: lessonsOf(info.name ?? policy.name),
                    level: info.enforcementLevel ?? reportedLevel,
                    resource: typeof target === "string" ? target : target ? label(target) : urn!,
                    message: info.detail ?? info.message,
                    ...(info.waived ? { waived: info.waived } : {}),
                    ...(info.expiredWaiver ? { expiredWaiver: info.expiredWaiver } : {}),
                    ...(info.stale ? { stale: info.stale } : {}),
                    ...(info.notEvaluated ? { notEvaluated: info.notEvaluated } : {}),
                });
            };

        if ("validateResource" in policy && policy.validateResource) {
            const validations = Array.isArray(policy.validateResource)
                ? policy.validateResource
                : [policy.validateResource];
            for (const r of resources) {
                // Each policy gets its own copy, made only when it reads the props: most policies stop at the
                // type, and copying a 100k-key ConfigMap for each of them was most of the check's time.
                let props: Record<string, unknown> | undefined;
                const args: ResourceValidationArgs = {
                    type: r.type,
                    get props() {
                        return (props ??= unknowns.withUnknownChecks(structuredClone(r.inputs)));
                    },
                    set props(value) {
                        props = value;
                    },
                    urn: r.urn,
                    name: r.name,
                    opts: policyOptions(r),
                    stackTags,
                    isType: (cls) => isTypeOf(r.type, cls),
                    asType: ((cls: unknown) =>
                        isTypeOf(r.type, cls) ? args.props : undefined) as ResourceValidationArgs["asType"],
                    getConfig,
                    notApplicable: throwNotApplicable,
                };
                for (const validation of validations) {
                    await guard(
                        policy.name,
                        label(r),
                        opts,
                        unknowns,
                        () => validation(args, report(label(r))),
                        (message) => report(label(r), "advisory")(message),
                    );
                }
            }
        } else if ("validateStack" in policy) {
            const args: StackValidationArgs = {
                resources: policyResources(resources),
                stackTags,
                getConfig,
                notApplicable: throwNotApplicable,
            };
            await guard(policy.name, "stack", opts, unknowns, () => policy.validateStack(args, report("stack")));
        }
    }
    return violations;
}

async function guard(
    policyName: string,
    resource: string,
    opts: PolicyRunOptions,
    unknowns: UnknownHandling,
    run: () => void | Promise<void>,
    reportUnknown?: (message: string) => void,
): Promise<void> {
    try {
        await run();
    } catch (e) {
        if (e instanceof NotApplicable) {
            opts.onNotApplicable?.(policyName, resource, e.message);
            return;
        }
        const unknown = unknowns.unknownError(e);
        if (reportUnknown && unknown) {
            reportUnknown(`can't run policy '${policyName}' during preview: ${unknown.message}`);
            return;
        }
        throw new Error(`Error validating resource with policy '${policyName}': ${(e as Error).message}`, { cause: e });
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicable(reason ?? "Policy does not apply");
}

/** The engine's ReconcilePolicyPackConfig (pkg/resource/analyzer/config.go), including its schema validation. */
export function reconcileConfig(policies: Policies, packConfig: Record<string, unknown>): Map<string, EffectiveConfig> {
    const given = new Map<string, { enforcementLevel?: EnforcementLevel; properties: Record<string, unknown> }>();
    for (const [key, value] of Object.entries(packConfig)) {
        if (typeof value === "string") {
            given.set(key, { enforcementLevel: checkLevel(key, value), properties: {} });
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            given.set(key, {
                enforcementLevel: enforcementLevel === undefined ? undefined : checkLevel(key, enforcementLevel),
                properties,
            });
        } else {
            throw new Error(
                `policy pack config "${key}": ${JSON.stringify(value)} is not a valid value; must be an enforcement level string or an object`,
            );
        }
    }
    const all = given.get("all")?.enforcementLevel;
    const result = new Map<string, EffectiveConfig>();
    // Misspelt names and properties are errors, not silently ignored entries (the engine would ignore them).
    const errors: string[] = unknownPolicyErrors(policies, packConfig);
    for (const policy of policies) {
        const defaults = Object.fromEntries(
            Object.entries(policy.configSchema?.properties ?? {})
                .filter(([, schema]) => (schema as { default?: unknown }).default !== undefined)
                .map(([key, schema]) => [key, (schema as { default?: unknown }).default]),
        );
        const own = given.get(policy.name);
        errors.push(...unknownPropertyErrors(policy, own?.properties ?? {}));
        const properties = { ...defaults, ...own?.properties };
        // PolicyPack's own default level is "advisory" when a policy sets none.
        const enforcementLevel = own?.enforcementLevel ?? all ?? policy.enforcementLevel ?? "advisory";
        errors.push(...validateAgainstSchema(policy.configSchema, properties).map((e) => `${policy.name}: ${e}`));
        result.set(policy.name, { enforcementLevel, properties });
    }
    if (errors.length > 0) {
        throw new Error(`policy pack config is invalid: ${errors.join("; ")}`);
    }
    return result;
}

function checkLevel(key: string, level: unknown): EnforcementLevel {
    if (typeof level !== "string" || !LEVELS.includes(level)) {
        throw new Error(
            `policy pack config "${key}": ${JSON.stringify(level)} is not a valid enforcement level. Fix: use one of ${LEVELS.join(", ")}`,
        );
    }
    return level as EnforcementLevel;
}

/** The subset of JSON Schema our configSchemas use: required, type (incl. array items), enum, minimum. */
function validateAgainstSchema(schema: PolicyConfigSchema | undefined, config: Record<string, unknown>): string[] {
    if (!schema) {
        return [];
    }
    const errors = (schema.required ?? [])
        .filter((key) => config[key] === undefined)
        .map((key) => `${key} is required`);
    for (const [key, propSchema] of Object.entries(schema.properties)) {
        if (config[key] !== undefined) {
            errors.push(...checkValue(key, propSchema as ValueSchema, config[key]));
        }
    }
    return errors;
}

/** The JSON-schema keywords checkValue enforces. */
interface ValueSchema {
    type?: string;
    enum?: unknown[];
    minimum?: number;
    items?: ValueSchema;
}

function checkValue(path: string, schema: ValueSchema, value: unknown): string[] {
    const actual = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    const type: string | undefined = schema.type;
    const typeOk = type === undefined || type === actual || (type === "integer" && Number.isInteger(value));
    if (!typeOk) {
        return [`${path}: expected ${type}, got ${JSON.stringify(value)}`];
    }
    if (schema.enum && !schema.enum.includes(value)) {
        return [`${path}: must be one of ${JSON.stringify(schema.enum)}, got ${JSON.stringify(value)}`];
    }
    if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum) {
        return [`${path}: must be >= ${schema.minimum}, got ${value}`];
    }
    const items = schema.items;
    if (Array.isArray(value) && items) {
        return value.flatMap((item, i) => checkValue(`${path}[${i}]`, items, item));
    }
    return [];
}

function policyOptions(r: RecordedResource): PolicyResourceOptions {
    const seconds = (d: string | undefined) => (d === undefined ? 0 : durationSeconds(d));
    const timeouts = r.options.customTimeouts ?? {};
    const opts: PolicyResourceOptions = {
        protect: r.options.protect ?? false,
        ignoreChanges: [...(r.options.ignoreChanges ?? [])],
        aliases: [],
        customTimeouts: {
            createSeconds: seconds(timeouts.create),
            updateSeconds: seconds(timeouts.update),
            deleteSeconds: seconds(timeouts.delete),
        },
        additionalSecretOutputs: [],
    };
    if (r.options.deleteBeforeReplace !== undefined) {
        opts.deleteBeforeReplace = r.options.deleteBeforeReplace;
    }
    if (r.parent) {
        opts.parent = r.parent;
    }
    return opts;
}

/** Go-style durations as Pulumi accepts them in customTimeouts ("5m", "1h30m", "90s"). */
function durationSeconds(duration: string): number {
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    let total = 0;
    for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
        total += Number(amount) * units[unit];
    }
    return total;
}

/** Stack-policy view: outputs as props, parent and dependencies resolved to the same objects (as server.js does). */
function policyResources(resources: RecordedResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const out = resources.map((r) => {
        const props = structuredClone(r.outputs);
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: policyOptions(r),
            dependencies: [],
            // Not recorded by the mock harness; the engine fills it from the program's property dependencies.
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(r.urn, resource);
        return resource;
    });
    resources.forEach((r, i) => {
        const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
        if (parent) {
            out[i].parent = parent;
        }
        out[i].dependencies = r.options.dependsOn
            .map((urn) => byUrn.get(urn))
            .filter((d): d is PolicyResource => d !== undefined);
    });
    return out;
}

/** server.js isTypeOf: the class's __pulumiType, else its static isInstance. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
    const cls = resourceClass as { __pulumiType?: unknown; isInstance?: (obj: unknown) => unknown } | null | undefined;
    const pulumiType = cls?.__pulumiType;
    if (typeof pulumiType === "string" && pulumiType.length > 0) {
        return type === pulumiType;
    }
    return typeof cls?.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

/** A read-only view like server.js's freezeMap: policies cannot add tags. */
function readonlyMap(tags: Record<string, string>): ReadonlyMap<string, string> {
    const map = new Map(Object.entries(tags));
    return Object.freeze({
        get: (k: string) => map.get(k),
        has: (k: string) => map.has(k),
        size: map.size,
        forEach: map.forEach.bind(map),
        entries: map.entries.bind(map),
        keys: map.keys.bind(map),
        values: map.values.bind(map),
        [Symbol.iterator]: map[Symbol.iterator].bind(map),
    });
}
