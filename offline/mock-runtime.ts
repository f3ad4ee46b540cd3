/**
 * In-process engine of the offline harness: runs code that declares Pulumi resources under
 * `pulumi.runtime.setMocks`, inside a root Stack (as `pulumi up` does), and records every resource with
 * its resolved inputs, the mock's outputs, its parent and its resource options.
 *
 * Where the data comes from (checked against @pulumi/pulumi 3.270 sources; every SDK internal is reached
 * through offline/sdk-internals.ts):
 * - options: the RegisterResourceRequest the SDK sends to the mock monitor carries the effective
 *   protect / ignoreChanges / replaceOnChanges / deleteBeforeReplace / retainOnDelete / customTimeouts /
 *   provider (the Mocks interface never sees them, so we wrap `monitor.registerResource` and hand each request
 *   to the mock call of the same resource, matched by type and name);
 * - dependsOn: the request only has all dependencies mixed with property dependencies and components
 *   expanded to their children, so the explicit list is captured by a legacy stack transformation and
 *   turned into URNs once everything is registered;
 * - secrets: raw request/response structs still carry the secret signature, so we can list every secret
 *   plain value (ProgramRun.secretValues) and redact secret stack outputs.
 */
import * as crypto from "crypto";
import * as v8 from "v8";
import * as vm from "vm";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { quoted } from "./report";
import { duplicateKey, duplicateKeyMessage, WITHOUT_QUADRATIC_KEY_CHECK } from "./strict-yaml";
import { digestOf, REGISTRY_LOOKUP_TOKEN, withoutDigest } from "../components/facts";
import { kubernetesTypeInfo } from "../policy/kubernetes-tokens";
import {
    gatherExplicitDependencies,
    installMockMonitor,
    MockMonitor,
    RegisterResourceRequest,
    releaseRun,
    urnOf,
    waitForRPCs,
} from "./sdk-internals";
import { REDACTED, StackConfig } from "./stack-config";
import { ProgramError, ProgramRun, RecordedResource, RecordOptions } from "./types";

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
/** After a failure, how long in-flight registrations get to settle (a failed one may never signal done). */
const SETTLE_AFTER_FAILURE_MS = 2000;
const YAML_DECODE = "kubernetes:yaml:decode";
/** A docker build: pushed at `pulumi up`; offline it gets a stand-in digest so the program can run on. */
const DOCKER_IMAGE = "docker:index/image:Image";
const RANDOM_WITH_RESULT = new Set([
    "random:index/randomPassword:RandomPassword",
    "random:index/randomString:RandomString",
]);

/**
 * From this many resources on, the run's garbage (the SDK's objects, let go by releaseRun) is collected before the
 * check goes on: V8 left it in place and grew the heap for the policies on top of it (8,000 resources: +0.7 GB peak).
 * Below, the heap is small and a collection would only cost time.
 */
const COLLECT_AFTER_REGISTRATIONS = 1000;

let queue: Promise<unknown> = Promise.resolve();

/** Runs `body` as the program of a fresh mocked stack and records what it declares. Calls are serialized. */
export function recordRun(body: () => unknown, opts: RecordOptions): Promise<ProgramRun> {
    const run = queue.then(() => recordRunNow(body, opts));
    queue = run.catch(() => undefined);
    return run;
}

/**
 * What the harness keeps of a registration: plain values taken from the request as it arrives, not the request
 * itself (a protobuf message per property: at 8,000 resources they held a tenth of the run's memory, issue 29).
 */
interface Registration {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent: string;
    inputsRaw: Record<string, unknown>;
    additionalSecretOutputs: string[];
    /** The options but `dependsOn`, which is known once every resource is registered. */
    options: RecordedResource["options"];
    outputsRaw: Record<string, unknown>;
}

async function recordRunNow(body: () => unknown, opts: RecordOptions): Promise<ProgramRun> {
    const secretValues = new Set<string>();
    const notes: string[] = [];
    const failures: unknown[] = [];
    let failNow: (err: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (failNow = reject));
    failed.catch(() => undefined);
    const fail = (err: unknown) => {
        failures.push(err);
        failNow(err);
    };

    const registrations: Registration[] = [];
    const componentOutputs = new Map<string, Record<string, unknown>>();
    const explicitDependsOn = new Map<pulumi.Resource, unknown>();
    const requests = new PendingRequests();

    const mocks: pulumi.runtime.Mocks = {
        newResource(args) {
            const req = requests.take(args.type, args.name);
            return mockResource(args, req, urnFor(opts, req.getParent(), args.type, args.name), opts, notes);
        },
        async call(args) {
            try {
                const inputs = unwrap(args.inputs, secretValues, false, false) as Record<string, unknown>;
                const answer = opts.invoke ? await opts.invoke(args.token, inputs) : undefined;
                return answer ?? defaultInvoke(args.token, inputs, opts.config);
            } catch (err) {
                fail(err);
                throw err;
            }
        },
    };

    const stopListening = listenForUnhandledRejections(fail);
    const loggedErrors: string[] = [];
    const stopCollecting = collectLoggedErrors(loggedErrors);
    let monitor: MockMonitor | undefined;
    try {
        monitor = await installMockMonitor(mocks, opts.project, opts.stack, opts.preview ?? false);
        const config = opts.config ?? { config: {}, secretKeys: [] };
        pulumi.runtime.setAllConfig(config.config, config.secretKeys);
        addSecretConfigValues(config, secretValues);
        monitor.newUrn = (parent, type, name) => urnFor(opts, parent, type, name);
        const registerResource = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
            requests.add(req);
            return registerResource(req, (err, resp) => {
                if (err) {
                    fail(err);
                } else if (resp) {
                    registrations.push({
                        urn: resp.getUrn(),
                        type: req.getType(),
                        name: req.getName(),
                        custom: req.getCustom(),
                        parent: req.getParent(),
                        inputsRaw: structToJs(req.getObject()),
                        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                        options: optionsOf(req),
                        outputsRaw: structToJs(resp.getObject()),
                    });
                }
                callback(err, resp);
            });
        };
        const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResourceOutputs = (req, callback) => {
            componentOutputs.set(req.getUrn(), structToJs(req.getOutputs()));
            return registerResourceOutputs(req, callback);
        };

        const program = pulumi.runtime.runInPulumiStack(() => {
            pulumi.runtime.registerStackTransformation((args) => {
                if (args.opts.dependsOn !== undefined) {
                    explicitDependsOn.set(args.resource, args.opts.dependsOn);
                }
                return undefined;
            });
            return Promise.resolve(body());
        });
        try {
            await Promise.race([program, failed]);
            await Promise.race([waitForRPCs(), failed]);
        } catch (err) {
            // Let registrations still in flight fail here, while their rejections are ours, not the caller's.
            await Promise.race([waitForRPCs(), new Promise((resolve) => setTimeout(resolve, SETTLE_AFTER_FAILURE_MS))]);
            throw asProgramError(err, loggedErrors);
        } finally {
            // Rejections of outputs nobody awaited are reported on a later turn of the event loop.
            await new Promise((resolve) => setImmediate(resolve));
        }
        if (failures.length > 0) {
            throw asProgramError(failures[0], loggedErrors);
        }
        if (loggedErrors.length > 0) {
            // Logged but not thrown: the engine shows them as errors, and so does the check.
            throw new ProgramError(loggedErrors.join("\n"));
        }
        const dependsOnByUrn = await resolveDependsOn(explicitDependsOn);

        const resources: RecordedResource[] = registrations.map((r) => {
            const { urn, custom, outputsRaw } = r;
            // A mock's outputs went through the SDK's deserializer, which widens secretness to whole
            // top-level properties; only the engine-secret ones are secrets in their own right.
            const outputs = custom ? outputsRaw : (componentOutputs.get(urn) ?? outputsRaw);
            const outputSecrets = custom ? new Set<string>() : secretValues;
            if (custom) {
                for (const key of r.additionalSecretOutputs) {
                    unwrap(outputs[key], secretValues, true, false);
                }
            }
            return {
                urn,
                type: r.type,
                name: r.name,
                custom,
                inputs: unwrap(r.inputsRaw, secretValues, false, false, opts.preview) as Record<string, unknown>,
                outputs: unwrap(outputs, outputSecrets, false, false) as Record<string, unknown>,
                ...(r.parent ? { parent: r.parent } : {}),
                options: { ...r.options, dependsOn: dependsOnByUrn.get(urn) ?? [] },
            };
        });
        const stack = registrations.find((r) => r.type === ROOT_STACK_TYPE);
        const stackOutputs = stack
            ? (unwrap(componentOutputs.get(stack.urn) ?? {}, secretValues, false, true) as Record<string, unknown>)
            : {};
        secretValues.delete(REDACTED);
        return { resources, stackOutputs, secretValues: [...secretValues].sort(), notes };
    } finally {
        stopCollecting();
        stopListening();
        if (monitor !== undefined) {
            releaseRun(monitor);
            if (registrations.length >= COLLECT_AFTER_REGISTRATIONS) {
                collectGarbage();
            }
        }
    }
}

/**
 * Registration requests the mock monitor has received and not yet handed to the mock's newResource, by type and
 * name (what both sides see), first in first out: the SDK calls newResource in the order requests arrive.
 */
export class PendingRequests {
    private readonly byKey = new Map<string, RegisterResourceRequest[]>();

    add(req: RegisterResourceRequest): void {
        const key = `${req.getType()}::${req.getName()}`;
        this.byKey.set(key, [...(this.byKey.get(key) ?? []), req]);
    }

    take(type: string, name: string): RegisterResourceRequest {
        const key = `${type}::${name}`;
        const [req, ...rest] = this.byKey.get(key) ?? [];
        if (!req) {
            throw new Error(`offline harness: the mock was asked for ${key}, which the monitor never received`);
        }
        if (rest.length > 0) {
            this.byKey.set(key, rest);
        } else {
            this.byKey.delete(key);
        }
        return req;
    }
}

// ---- the mock provider -------------------------------------------------------------------------

function mockResource(
    args: pulumi.runtime.MockResourceArgs,
    req: RegisterResourceRequest,
    urn: string,
    opts: RecordOptions,
    notes: string[],
): pulumi.runtime.MockResourceResult {
    const preview = opts.preview ?? false;
    const state: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
    const imageName = state.imageName;
    // In preview mode the digest stays unknown, as in the engine's first preview: the build runs only at up.
    if (args.type === DOCKER_IMAGE && state.repoDigest === undefined && typeof imageName === "string" && !preview) {
        const repoDigest = standInRepoDigest(imageName, urn, state.build);
        state.repoDigest = repoDigest;
        const repository = withoutDigest(repoDigest);
        const key = opts.config && configPathOf(opts.config, repository);
        notes.push(
            `${key ? key.replace(/\.repository$/, "") : `docker.Image ${args.name}`}: the image ${imageName} is built and pushed only by pulumi up; ` +
                `offline the program deployed the stand-in digest ${repoDigest}, so the objects using it were checked with that digest`,
        );
    }
    const k8s = args.custom ? kubernetesTypeInfo(args.type) : undefined;
    const metadata = state.metadata;
    if (k8s && (metadata === undefined || (isPlainObject(metadata) && metadata.name === undefined))) {
        // As the kubernetes provider's Check does (pkg/metadata/naming.go): a name and the autonamed annotation.
        const annotations = {
            ...(isPlainObject(metadata?.annotations) ? metadata.annotations : {}),
            "pulumi.com/autonamed": "true",
        };
        state.metadata = { ...metadata, name: standInName(args.name, urn, k8s.kind, state), annotations };
    }
    if (RANDOM_WITH_RESULT.has(args.type) && state.result === undefined && !preview) {
        state.result = standInRandom(urn, typeof state.length === "number" ? state.length : 16);
    }
    // The engine marks these outputs secret (e.g. RandomPassword.result); the mock monitor does not.
    for (const key of req.getAdditionalsecretoutputsList()) {
        if (key in state && !isSecretWrapper(state[key])) {
            state[key] = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: state[key] };
        }
    }
    const name = k8s && isPlainObject(state.metadata) ? state.metadata.name : undefined;
    const namespace = k8s && isPlainObject(state.metadata) ? state.metadata.namespace : undefined;
    const id =
        typeof name === "string" ? (typeof namespace === "string" ? `${namespace}/${name}` : name) : `${args.name}-id`;
    return { id, state };
}

/**
 * The name the provider would generate for an auto-named object, made deterministic: logical name plus
 * 8 hex characters like the provider's random suffix (so name lengths match), here a hash of the URN, and for
 * ConfigMap/Secret also of the data (they are replaced when data changes).
 */
function standInName(logicalName: string, urn: string, kind: string, state: Record<string, unknown>): string {
    const hash = crypto.createHash("sha256").update(urn);
    if (kind === "ConfigMap" || kind === "Secret") {
        hash.update(stableJson({ data: state.data, binaryData: state.binaryData, stringData: state.stringData }));
    }
    return `${logicalName}-${hash.digest("hex").slice(0, 8)}`;
}

/** `<repository>@sha256:<hash of the resource and its build args>`: stable for the same build, never a real image. */
function standInRepoDigest(imageName: string, urn: string, build: unknown): string {
    const lastSlash = imageName.lastIndexOf("/");
    const tagAt = imageName.indexOf(":", lastSlash + 1);
    const repository = tagAt < 0 ? imageName : imageName.slice(0, tagAt);
    return `${repository}@sha256:${crypto.createHash("sha256").update(urn).update(stableJson(build)).digest("hex")}`;
}

function standInRandom(urn: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) {
        out += crypto.createHash("sha256").update(`${urn}#${i}`).digest("base64url");
    }
    return out.slice(0, length);
}

/** Invokes of pulumi-kubernetes whose objects the offline check lists instead (offline/expand.ts): no objects. */
const RENDERED_BY_PROVIDER = new Set(["kubernetes:helm:template", "kubernetes:kustomize:directory"]);

function defaultInvoke(
    token: string,
    inputs: Record<string, unknown>,
    config: StackConfig | undefined,
): Record<string, unknown> {
    if (token === REGISTRY_LOOKUP_TOKEN) {
        const name = String(inputs.name);
        const digest = digestOf(name);
        if (!digest) {
            const key = config && configPathOf(config, name);
            throw new Error(
                `${key ?? "image"}: cannot know the digest of "${name}" offline (a tag is resolved against the registry at preview). ` +
                    `Fix: pin it by digest${key ? ` (pulumi config set --path ${key} <repo>@sha256:<64 hex>)` : " as <repo>@sha256:<64 hex>"}, or run pulumi preview where the registry is reachable [L12]`,
            );
        }
        return { id: name, name, sha256Digest: digest, insecureSkipVerify: inputs.insecureSkipVerify ?? false };
    }
    if (token === YAML_DECODE) {
        // The provider's decode: every document of the stream, empty ones skipped; the SDK expands Lists itself.
        const text = typeof inputs.text === "string" ? inputs.text : "";
        const documents = YAML.parseAllDocuments(text, { version: "1.1", ...WITHOUT_QUADRATIC_KEY_CHECK });
        const result: unknown[] = [];
        for (const doc of Array.isArray(documents) ? documents : []) {
            if (doc.errors.length > 0) {
                throw new Error(
                    `kubernetes:yaml:decode: the YAML is not valid: ${doc.errors[0].message.split("\n")[0]}`,
                );
            }
            const duplicate = duplicateKey(doc);
            if (duplicate !== undefined) {
                throw new Error(`kubernetes:yaml:decode: ${duplicateKeyMessage(duplicate.key, quoted)}`);
            }
            const value: unknown = doc.toJS();
            if (
                value !== null &&
                value !== undefined &&
                !(typeof value === "object" && Object.keys(value).length === 0)
            ) {
                result.push(value);
            }
        }
        return { result };
    }
    if (RENDERED_BY_PROVIDER.has(token)) {
        return { result: [] };
    }
    throw new Error(
        `no offline answer for invoke ${token} (inputs ${JSON.stringify(Object.keys(inputs))}). Fix: pass an invoke handler`,
    );
}

/** The stack config key ("api.image") whose value is `value`, to name it in errors. */
function configPathOf(config: StackConfig, value: string): string | undefined {
    const find = (v: unknown, at: string): string | undefined => {
        if (v === value) {
            return at;
        }
        if (Array.isArray(v)) {
            return v.map((item, i) => find(item, `${at}[${i}]`)).find((p) => p !== undefined);
        }
        if (isPlainObject(v)) {
            return Object.entries(v)
                .map(([k, item]) => find(item, `${at}.${k}`))
                .find((p) => p !== undefined);
        }
        return undefined;
    };
    for (const [key, raw] of Object.entries(config.config)) {
        const short = key.slice(key.indexOf(":") + 1);
        let parsed: unknown = raw;
        try {
            parsed = JSON.parse(raw);
        } catch {
            // a plain string value
        }
        const found = find(parsed, short);
        if (found !== undefined) {
            return found;
        }
    }
    return undefined;
}

/** URNs as the engine builds them: the root stack's type is not part of its children's type chain. */
function urnFor(opts: RecordOptions, parent: string, type: string, name: string): string {
    let qualified = type;
    if (parent) {
        const parentType = parent.split("::")[2];
        if (parentType !== ROOT_STACK_TYPE) {
            qualified = `${parentType}$${type}`;
        }
    }
    return `urn:pulumi:${opts.stack}::${opts.project}::${qualified}::${name}`;
}

// ---- options, secrets, plumbing ------------------------------------------------------------------

function optionsOf(req: RegisterResourceRequest): RecordedResource["options"] {
    const options: RecordedResource["options"] = { dependsOn: [] };
    if (req.hasProtect()) {
        options.protect = req.getProtect();
    }
    if (req.getIgnorechangesList().length > 0) {
        options.ignoreChanges = req.getIgnorechangesList();
    }
    if (req.getReplaceonchangesList().length > 0) {
        options.replaceOnChanges = req.getReplaceonchangesList();
    }
    if (req.getDeletebeforereplacedefined()) {
        options.deleteBeforeReplace = req.getDeletebeforereplace();
    }
    if (req.hasRetainondelete()) {
        options.retainOnDelete = req.getRetainondelete();
    }
    const timeouts = req.getCustomtimeouts();
    if (timeouts) {
        const set: Record<string, string> = {};
        for (const [key, value] of [
            ["create", timeouts.getCreate()],
            ["update", timeouts.getUpdate()],
            ["delete", timeouts.getDelete()],
        ]) {
            if (value) {
                set[key] = value;
            }
        }
        if (Object.keys(set).length > 0) {
            options.customTimeouts = set;
        }
    }
    const provider = req.getProvider();
    if (provider) {
        // A provider reference is "<urn>::<id>".
        options.provider = provider.slice(0, provider.lastIndexOf("::"));
    }
    return options;
}

async function resolveDependsOn(captured: Map<pulumi.Resource, unknown>): Promise<Map<string, string[]>> {
    const byUrn = new Map<string, string[]>();
    for (const [resource, dependsOn] of captured) {
        const dependencies = await gatherExplicitDependencies(dependsOn);
        const urns = await Promise.all(dependencies.map(urnOf));
        byUrn.set(await urnOf(resource), [...new Set(urns)]);
    }
    return byUrn;
}

/**
 * Converts wire values to plain JSON: secrets unwrapped (their strings collected into `secrets`, or
 * replaced by the marker when `redact`), resource references → URN, unknowns dropped (kept when `keepUnknowns`).
 */
function unwrap(
    value: unknown,
    secrets: Set<string>,
    inSecret: boolean,
    redact: boolean,
    keepUnknowns = false,
): unknown {
    if (typeof value === "string") {
        if (value === pulumi.runtime.unknownValue) {
            return keepUnknowns ? value : undefined;
        }
        if (inSecret && value !== "") {
            secrets.add(value);
        }
        return value;
    }
    if (Array.isArray(value)) {
        return value.map((v) => unwrap(v, secrets, inSecret, redact, keepUnknowns) ?? null);
    }
    if (!isPlainObject(value)) {
        return value;
    }
    switch (value[pulumi.runtime.specialSigKey]) {
        case pulumi.runtime.specialSecretSig: {
            const plain = unwrap(value.value, secrets, true, false, keepUnknowns);
            return redact ? REDACTED : plain;
        }
        case pulumi.runtime.specialResourceSig:
            return value.urn;
        case pulumi.runtime.specialAssetSig:
        case pulumi.runtime.specialArchiveSig: {
            const { [pulumi.runtime.specialSigKey]: _sig, ...rest } = value;
            return unwrap(rest, secrets, inSecret, redact, keepUnknowns);
        }
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
        const plain = unwrap(v, secrets, inSecret, redact, keepUnknowns);
        if (plain !== undefined) {
            out[key] = plain;
        }
    }
    return out;
}

function addSecretConfigValues(config: StackConfig, secrets: Set<string>): void {
    for (const key of config.secretKeys) {
        const raw = config.config[key];
        if (raw === undefined || raw === REDACTED) {
            continue;
        }
        secrets.add(raw);
        try {
            unwrap(JSON.parse(raw), secrets, true, false);
        } catch {
            // not JSON: the raw string is the whole secret
        }
    }
}

/** The program's failure, after the errors it logged first (pulumi.log.error), as the engine shows them. */
function asProgramError(err: unknown, loggedErrors: readonly string[] = []): ProgramError {
    if (err instanceof ProgramError) {
        return err;
    }
    const thrown = err instanceof Error ? err.message : String(err);
    const programError = new ProgramError([...loggedErrors.filter((m) => m !== thrown), thrown].join("\n"));
    if (err instanceof Error && err.stack) {
        programError.stack = err.stack;
    }
    return programError;
}

/**
 * Collects what the program logs with pulumi.log.error while a run is in flight: under mocks the SDK would only
 * write it to the console, out of the check's report. Restored afterwards.
 */
function collectLoggedErrors(into: string[]): () => void {
    const log = pulumi.log as { error: (message: string) => Promise<void> };
    const original = log.error;
    log.error = (message: string) => {
        into.push(message);
        return Promise.resolve();
    };
    return () => {
        log.error = original;
    };
}

/**
 * While a run is in flight, a rejection nobody handles (an apply that threw, a registration that failed) is the
 * program's failure, as the Pulumi language host reports it. Our listener goes beside any others (a test
 * runner's) and only it is removed afterwards.
 */
function listenForUnhandledRejections(onRejection: (reason: unknown) => void): () => void {
    process.on("unhandledRejection", onRejection);
    return () => process.off("unhandledRejection", onRejection);
}

function structToJs(struct: { toJavaScript(): Record<string, unknown> } | undefined): Record<string, unknown> {
    return struct ? struct.toJavaScript() : {};
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isSecretWrapper(value: unknown): boolean {
    return isPlainObject(value) && value[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** JSON with sorted keys, so equal data always hashes the same. */
export function stableJson(value: unknown): string {
    return (
        JSON.stringify(value, (_key, v: unknown) =>
            isPlainObject(v)
                ? Object.fromEntries(
                      Object.keys(v)
                          .sort()
                          .map((k) => [k, v[k]]),
                  )
                : v,
        ) ?? "undefined"
    );
}

/** A full garbage collection now (V8's gc(), reached without --expose-gc on the command line). */
function collectGarbage(): void {
    v8.setFlagsFromString("--expose-gc");
    (vm.runInNewContext("gc") as () => void)();
}
