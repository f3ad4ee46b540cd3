/**
 * `npm run check`: what will this Pulumi program (or this set of manifests) deploy, is every object valid
 * Kubernetes, and does it pass the policy pack? Offline: no Pulumi CLI, backend, cluster or registry.
 * Everything a program declares is checked or listed as not checked (see offline/expand.ts).
 *
 * Exit codes: 0 clean, 1 a mandatory violation, a schema error or a resource not checked, 2 the check could
 * not run (usage error, unreadable input, the program failed or does not type-check).
 */
import * as fs from "fs";
import * as path from "path";
import type { Policies } from "@pulumi/policy";
import { CommandSpec, helpText, parseCommandLine, UsageError } from "../scripts/cli";
import { CrdSchemas } from "./crd-schemas";
import { describeFsError } from "./file-errors";
import { checkPatches, expandProviderComponents } from "./expand";
import {
    DEFAULT_READ_LIMITS,
    ManifestError,
    MIB,
    READ_LIMIT_FLAGS,
    ReadLimits,
    readManifests,
    readStandardInput,
    registerObjects,
    secretValuesOf,
} from "./manifests";
import { reconcileConfig, runPolicies } from "./policy-runner";
import { assertOutDirUsable, OutDirError, OutFileNames, unsafeNameReason, writeObjects } from "./out-files";
import { isClusterScoped, renderObjectFile, scrub } from "./render";
import {
    CheckReport,
    failed,
    Format,
    FORMATS,
    githubReport,
    markdownReport,
    ReportedViolation,
    capMessage,
    quoted,
    SchemaError,
    sarifReport,
    SourceLocation,
    textReport,
    Unchecked,
    waiverProblems,
} from "./report";
import { isDnsLabel, toKubernetesObject, uncheckedSchema, validateKubernetesObject } from "./schema";
import { loadStackConfigFile } from "./stack-config";
import { ProgramError, TypeCheckError, type RecordedResource } from "./types";

export { UsageError } from "../scripts/cli";
export type { CheckReport } from "./report";

export const CHECK_COMMAND = {
    name: "npm run check --",
    summary:
        "Runs a Pulumi TypeScript program under mocks (or reads plain Kubernetes YAML), validates every Kubernetes object " +
        "against its schema and runs the policy pack; resources whose objects it cannot see are listed as not checked.",
    flags: {
        stack: {
            type: "string",
            default: "dev",
            valueName: "<name>",
            description: "stack whose config Pulumi.<stack>.yaml (beside the program) is read",
        },
        program: {
            type: "string",
            default: "./index.ts",
            valueName: "<file.ts>",
            description: "entry .ts file of the Pulumi program",
        },
        config: {
            type: "string",
            valueName: "<file>",
            description: "stack config file instead of Pulumi.<stack>.yaml",
        },
        manifests: {
            type: "string",
            valueName: "<file|dir|->",
            description: "check plain Kubernetes YAML instead of a program: a file, a directory, or - for stdin",
        },
        namespace: {
            type: "string",
            default: "default",
            valueName: "<name>",
            description: "namespace of --manifests objects that set none",
        },
        "policy-config": {
            type: "string",
            valueName: "<file.json>",
            description: "policy pack config, the JSON pulumi preview --policy-pack-config takes",
        },
        out: {
            type: "string",
            valueName: "<dir>",
            description: "write every object as YAML into this directory (Secret data redacted)",
        },
        format: {
            type: "string",
            valueName: "<text|json|sarif|markdown|github>",
            description: "report format (default: github under GITHUB_ACTIONS, else text)",
        },
        json: { type: "boolean", description: "same as --format json" },
        crd: {
            type: "string",
            multiple: true,
            valueName: "<file|dir>",
            description:
                "CustomResourceDefinition YAML, a file or a directory: custom resources of its kinds are validated against its openAPIV3Schema",
        },
        "max-file-mib": {
            type: "string",
            default: String(DEFAULT_READ_LIMITS.maxFileBytes / MIB),
            valueName: "<n>",
            description: "--manifests: refuse a file (or stdin) larger than this many MiB",
        },
        "max-input-mib": {
            type: "string",
            default: String(DEFAULT_READ_LIMITS.maxTotalBytes / MIB),
            valueName: "<n>",
            description: "--manifests: refuse a directory whose files together are larger than this many MiB",
        },
        "allow-unchecked": {
            type: "boolean",
            description: "exit 0 even when resources were not checked (they are still listed)",
        },
        "skip-type-check": {
            type: "boolean",
            description: "do not type-check the program first (as PULUMI_NODEJS_TRANSPILE_ONLY=true does for pulumi)",
        },
        watch: {
            type: "boolean",
            description:
                "check, then re-check whenever an input is saved (the program's files, its stack config, the manifests, the policy config, the waivers) and print only the findings that changed; text format, until Ctrl-C",
        },
    },
    exitCodes: {
        0: "every object checked: no schema error, no mandatory violation, nothing unchecked (or --allow-unchecked)",
        1: "a schema error, a mandatory violation, or a resource not checked",
        2: "the check could not run: usage error, unreadable input, invalid waivers, the program failed or does not type-check",
    },
    example:
        "helm template web ./chart | npm run -s check -- --manifests - --namespace shop --format sarif > check.sarif",
} satisfies CommandSpec;

/** A Pulumi stack name (pulumi stack init refuses others). */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export interface CheckArgs {
    stack: string;
    /** --stack was given (a missing Pulumi.<stack>.yaml is then an error, not "no config"). */
    stackGiven: boolean;
    program: string;
    /** --program was given (resolved against the caller's directory; the default against the project). */
    programGiven: boolean;
    config?: string;
    manifests?: string;
    namespace: string;
    policyConfig?: string;
    out?: string;
    format: Format;
    allowUnchecked: boolean;
    skipTypeCheck: boolean;
    /** --watch: re-check on every save (offline/watch.ts). */
    watch?: boolean;
    /** --crd files and directories, as given. */
    crd?: string[];
    /** Size limits of --manifests input (DEFAULT_READ_LIMITS unless --max-file-mib / --max-input-mib). */
    readLimits?: ReadLimits;
    /** Where relative paths the user typed are resolved: the directory npm was run from (INIT_CWD), else cwd. */
    callerDir: string;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CheckArgs | "help" {
    const { help, flags, given } = parseCommandLine(CHECK_COMMAND, argv);
    if (help) {
        return "help";
    }
    if (flags.format !== undefined && !(FORMATS as readonly string[]).includes(flags.format)) {
        throw new UsageError(`--format ${flags.format}: not a format. Fix: use one of ${FORMATS.join(", ")}`);
    }
    if (flags.json && flags.format !== undefined && flags.format !== "json") {
        throw new UsageError(`--json and --format ${flags.format} contradict each other. Fix: pass one of them`);
    }
    if (flags.manifests !== undefined && (given.has("program") || given.has("stack") || given.has("config"))) {
        throw new UsageError(
            "--manifests checks YAML, not a program: --program, --stack and --config do not apply. Fix: drop them, or drop --manifests",
        );
    }
    if (
        flags.watch &&
        (flags.manifests === "-" || flags.out !== undefined || (flags.format ?? "text") !== "text" || flags.json)
    ) {
        throw new UsageError(
            "--watch re-checks files in text, printing what changed: not with --manifests - (stdin), --out, --json or --format other than text. Fix: drop them, or drop --watch",
        );
    }
    if (flags.crd?.includes("-")) {
        throw new UsageError(
            "--crd -: CRDs are read from files only (stdin is for --manifests -). Fix: save the CRD to a file",
        );
    }
    // The stack name becomes the file name Pulumi.<stack>.yaml: only the characters Pulumi allows in one.
    if (!STACK_NAME.test(flags.stack)) {
        throw new UsageError(
            `--stack ${quoted(flags.stack)}: not a stack name (letters, digits, '-', '_', '.', ≤ 100). Fix: pass a stack such as dev`,
        );
    }
    if (!isDnsLabel(flags.namespace)) {
        throw new UsageError(
            `--namespace ${quoted(flags.namespace)}: not a namespace name (a DNS-1123 label: lower case, digits, '-', ≤ 63). Fix: pass a namespace such as shop`,
        );
    }
    const format =
        (flags.format as Format | undefined) ??
        (flags.json ? "json" : env.GITHUB_ACTIONS === "true" ? "github" : "text");
    return {
        stack: flags.stack,
        stackGiven: given.has("stack"),
        program: flags.program,
        programGiven: given.has("program"),
        config: flags.config,
        manifests: flags.manifests,
        namespace: flags.namespace,
        policyConfig: flags["policy-config"],
        out: flags.out,
        format,
        allowUnchecked: flags["allow-unchecked"] ?? false,
        skipTypeCheck: flags["skip-type-check"] ?? false,
        watch: flags.watch ?? false,
        crd: flags.crd,
        readLimits: {
            maxFileBytes: mebibytes(READ_LIMIT_FLAGS.maxFileBytes, flags["max-file-mib"]),
            maxTotalBytes: mebibytes(READ_LIMIT_FLAGS.maxTotalBytes, flags["max-input-mib"]),
        },
        callerDir: env.INIT_CWD && fs.existsSync(env.INIT_CWD) ? env.INIT_CWD : process.cwd(),
    };
}

function mebibytes(flag: string, value: string): number {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) {
        throw new UsageError(`--${flag} ${quoted(value)}: not a size in MiB. Fix: pass a positive number such as 32`);
    }
    return Math.round(n * MIB);
}

export interface CheckResult {
    report: CheckReport;
    /** File name → YAML text, for --out; undefined when a name is unsafe, so nothing may be written. */
    files: Map<string, string> | undefined;
    /** Files a program check read beyond those its flags name: the program's own modules and its stack config. */
    sources: string[];
    /** Seconds the program's type check took (undefined when it did not run). */
    typeCheckSeconds?: number;
    /** The pack's policies, loaded once by the check: the SARIF report reads their metadata. */
    policies: Policies;
}

interface Target {
    resources: RecordedResource[];
    /** Objects the provider creates from components (yaml/v2), checked like the program's own. */
    children: RecordedResource[];
    unchecked: Unchecked[];
    secretValues: string[];
    notes: string[];
    location: (r: RecordedResource) => SourceLocation | undefined;
    stack: string;
    source: string;
    stackTags: Record<string, string>;
    /** Policies that do not apply to this kind of input. */
    skipPolicies: string[];
    /** Values unknown during preview may occur (a program run; not plain manifests, checked without the SDKs). */
    unknowns: boolean;
    sources: string[];
    typeCheckSeconds?: number;
}

/**
 * Policies that judge a Pulumi resource option the object must have (`protect` on a PVC): plain manifests
 * have no resource options, so for them the finding would be about Pulumi, not about the YAML.
 */
const RESOURCE_OPTION_POLICIES = ["pvc-protected"];

/** Runs the program (or reads the manifests), validates the objects, runs the policies. */
export async function check(args: CheckArgs, readStdin?: () => Promise<string>): Promise<CheckResult> {
    const fromCaller = (p: string) => path.resolve(args.callerDir, p);
    const packConfig =
        args.policyConfig === undefined ? {} : readPolicyConfig(args.policyConfig, fromCaller(args.policyConfig));
    const out = args.out === undefined ? undefined : fromCaller(args.out);
    if (out !== undefined) {
        try {
            assertOutDirUsable(out, args.out);
        } catch (err) {
            throw err instanceof OutDirError ? new UsageError(err.message) : err;
        }
    }
    const crds = await loadCrds(args, fromCaller);
    const policies: Policies = (await import("../policy/policies")).packPolicies;
    try {
        // Checked before the program runs, as the engine reconciles it before the preview starts.
        reconcileConfig(policies, packConfig);
    } catch (err) {
        throw new InputError(`--policy-config ${args.policyConfig}: ${(err as Error).message}`);
    }
    const target =
        args.manifests !== undefined
            ? await readManifestTarget(args, fromCaller, readStdin)
            : await runProgramTarget(args, fromCaller);
    const all = [...target.resources, ...target.children];

    const schemaErrors: SchemaError[] = [];
    /** Objects without a schema: listed, and failing the run unless --allow-unchecked. */
    const unchecked: Unchecked[] = [...target.unchecked];
    const names = new OutFileNames();
    const files = new Map<string, { owner: string; text: string }>();
    /** Objects whose fields cannot name a file: then --out writes nothing at all. */
    const unsafe: string[] = [];
    let objects = 0;
    let redactedSecrets = 0;
    for (const resource of all) {
        const obj = toKubernetesObject(resource);
        if (!obj) {
            continue;
        }
        objects++;
        const label = resourceLabel(resource);
        const at = target.location(resource);
        applyProviderNamespace(obj, resource, all);
        for (const message of validateKubernetesObject(obj, crds)) {
            schemaErrors.push({ resource: label, message: capMessage(message), ...at });
        }
        const noSchema = uncheckedSchema(String(obj.apiVersion), String(obj.kind), crds);
        if (noSchema !== undefined) {
            unchecked.push({ resource: label, type: resource.type, ...noSchema });
        }
        const unsafeReason = unsafeNameReason(obj);
        if (unsafeReason !== undefined) {
            unsafe.push(`${label} (${unsafeReason})`);
            continue;
        }
        const { file, earlier } = names.assign(obj);
        if (earlier) {
            schemaErrors.push({
                resource: label,
                message: `same object as ${files.get(file)!.owner} (${file}): two resources would fight over it`,
                ...at,
            });
            continue;
        }
        let text = "";
        if (out !== undefined) {
            const rendered = renderObjectFile(obj, target.secretValues);
            text = rendered.text;
            redactedSecrets += rendered.redacted ? 1 : 0;
        }
        files.set(file, { owner: label, text });
    }
    const notes = [...target.notes];
    if (out !== undefined && unsafe.length > 0) {
        redactedSecrets = 0;
        notes.push(
            capMessage(
                `--out ${args.out}: nothing written: ${unsafe.length === 1 ? "an object's names cannot" : `${unsafe.length} objects' names cannot`} name a file safely (${unsafe.slice(0, 3).join("; ")}${unsafe.length > 3 ? "; …" : ""}); their schema errors say what to correct`,
            ),
        );
    }

    // The first resource of each label, as a search from the start would find it (a Map: 5,000 objects' findings).
    const byLabel = new Map<string, RecordedResource>();
    for (const r of all) {
        if (!byLabel.has(resourceLabel(r))) {
            byLabel.set(resourceLabel(r), r);
        }
    }
    const located = (v: { resource: string }) => {
        const r = byLabel.get(v.resource);
        return r ? target.location(r) : undefined;
    };
    const violations: ReportedViolation[] = [
        ...(await runPolicies(all, {
            policies: policies.filter((p) => !target.skipPolicies.includes(p.name)),
            packConfig,
            stackTags: target.stackTags,
            unknowns: target.unknowns,
        })),
        ...(await checkPatches(target.resources, policies, packConfig, target.stackTags)),
    ].map((v) => ({ ...v, message: capMessage(v.message), ...located(v) }));
    const invalidWaivers = waiverProblems(violations);
    if (invalidWaivers !== undefined) {
        throw new InputError(invalidWaivers);
    }
    const report: CheckReport = {
        stack: target.stack,
        source: target.source,
        resources: all.length,
        objects,
        violations: sortViolations(violations),
        schemaErrors: [...schemaErrors].sort((a, b) =>
            compare(`${a.resource}\u0000${a.message}`, `${b.resource}\u0000${b.message}`),
        ),
        unchecked: unchecked.sort((a, b) => compare(a.resource, b.resource)),
        redactedSecrets,
        notes,
    };
    return {
        report: scrub(report, target.secretValues) as CheckReport,
        files: unsafe.length > 0 ? undefined : new Map([...files].map(([file, { text }]) => [file, text])),
        sources: target.sources,
        typeCheckSeconds: target.typeCheckSeconds,
        policies,
    };
}

/** The schemas of every --crd file or directory; a broken one is an input error naming file and line. */
async function loadCrds(args: CheckArgs, fromCaller: (p: string) => string): Promise<CrdSchemas> {
    const crds = new CrdSchemas();
    for (const given of args.crd ?? []) {
        try {
            const input = await readManifests(
                given,
                fromCaller(given),
                undefined,
                args.readLimits ?? DEFAULT_READ_LIMITS,
                "crd",
            );
            crds.add(input.objects);
        } catch (err) {
            throw err instanceof ManifestError ? new InputError(err.message) : err;
        }
    }
    return crds;
}

async function runProgramTarget(args: CheckArgs, fromCaller: (p: string) => string): Promise<Target> {
    // The default program is the project's own; a path the user typed is relative to where they typed it.
    const program = args.programGiven ? fromCaller(args.program) : path.resolve(args.program);
    let unreadable: unknown;
    try {
        fs.accessSync(program, fs.constants.R_OK);
    } catch (err) {
        unreadable = (err as NodeJS.ErrnoException).code === "ENOENT" ? undefined : err;
    }
    if (unreadable !== undefined) {
        throw new UsageError(`--program ${args.program}: cannot read it: ${describeFsError(unreadable)}`);
    }
    if (!fs.existsSync(program) || !fs.statSync(program).isFile()) {
        throw new UsageError(
            `--program ${args.program}: no such file (looked at ${program}). Fix: pass the program's entry .ts file`,
        );
    }
    // Loaded here, not above: they load TypeScript and the Pulumi SDK, which --manifests never needs.
    const { projectNameFor, runProgram } = await import("./run-program");
    const programDir = path.dirname(program);
    const project = projectNameFor(programDir);
    const configFile = stackConfigFile(args, program, fromCaller);
    let config;
    try {
        config = configFile === undefined ? undefined : loadStackConfigFile(configFile, project);
    } catch (err) {
        throw new InputError((err as Error).message);
    }
    let typeCheckSeconds: number | undefined;
    if (!args.skipTypeCheck) {
        const started = performance.now();
        (await import("./type-check")).typeCheckProgram(program);
        typeCheckSeconds = (performance.now() - started) / 1000;
    }
    const run = await runProgram({ program, stack: args.stack, project, config });
    const display = displayPath(args.callerDir);
    const providerNamespace = (r: RecordedResource) => {
        const namespace: unknown = run.resources.find((p) => p.urn === r.options.provider)?.inputs.namespace;
        return typeof namespace === "string" && namespace !== "" ? namespace : undefined;
    };
    let expansion;
    try {
        expansion = expandProviderComponents(run.resources, {
            stack: args.stack,
            project,
            programDir,
            displayPath: display,
            providerNamespace,
        });
    } catch (err) {
        throw err instanceof ManifestError ? new ProgramError(err.message) : err;
    }
    const childLocations = new Map(expansion.children.map((c) => [c.resource.urn, c.location]));
    const programLocation = { file: display(program) };
    return {
        resources: run.resources,
        children: expansion.children.map((c) => c.resource),
        unchecked: expansion.unchecked,
        secretValues: [...run.secretValues, ...expansion.secretValues],
        notes: run.notes,
        location: (r) => (childLocations.has(r.urn) ? childLocations.get(r.urn) : programLocation),
        stack: args.stack,
        source: display(program),
        stackTags: { "pulumi:project": project, "pulumi:runtime": "nodejs" },
        skipPolicies: [],
        unknowns: true,
        sources: [...(run.sources ?? []), ...(configFile === undefined ? [] : [configFile])],
        typeCheckSeconds,
    };
}

async function readManifestTarget(
    args: CheckArgs,
    fromCaller: (p: string) => string,
    readStdin: (() => Promise<string>) | undefined,
): Promise<Target> {
    const source = args.manifests!;
    const limits = args.readLimits ?? DEFAULT_READ_LIMITS;
    let registered;
    let skipped: string[];
    try {
        const input = await readManifests(
            source,
            source === "-" ? "-" : fromCaller(source),
            readStdin ?? (() => readStandardInput(limits)),
            limits,
        );
        const manifests = input.objects;
        skipped = input.skipped;
        if (manifests.length === 0) {
            throw new ManifestError(
                `--manifests ${source}: no Kubernetes objects in it (empty input; did the command before the pipe fail?). ` +
                    "Fix: pass YAML with at least one object; with helm template, run it alone first to see its error",
            );
        }
        const display = displayPath(args.callerDir);
        registered = registerObjects(
            manifests,
            { resourcePrefix: "", defaultNamespace: args.namespace, stack: "manifests", project: "manifests" },
            (m) => ({
                file: m.file === "-" ? "-" : display(fromCaller(m.file)),
                line: m.line,
            }),
        );
    } catch (err) {
        throw err instanceof ManifestError ? new InputError(err.message) : err;
    }
    const locations = new Map(registered.map((r) => [r.resource.urn, r.location]));
    const resources = registered.map((r) => r.resource);
    return {
        resources,
        children: [],
        // A patch or a List-only type in a manifest is as invisible to the check as in a program.
        unchecked: [],
        secretValues: secretValuesOf(resources.map((r) => r.inputs)),
        notes: [
            ...skipped.map((s) => `skipped ${s}`),
            `${RESOURCE_OPTION_POLICIES.join(", ")} not run: ${RESOURCE_OPTION_POLICIES.length === 1 ? "it judges a Pulumi resource option" : "they judge Pulumi resource options"} (protect), which plain manifests do not have`,
        ],
        location: (r) => locations.get(r.urn),
        stack: "",
        source: source === "-" ? "stdin" : displayPath(args.callerDir)(fromCaller(source)),
        stackTags: {},
        skipPolicies: RESOURCE_OPTION_POLICIES,
        unknowns: false,
        sources: [],
    };
}

/** Explicit --config; else Pulumi.<stack>.yaml beside the program. An explicit --stack must have its file. */
function stackConfigFile(args: CheckArgs, program: string, fromCaller: (p: string) => string): string | undefined {
    if (args.config !== undefined) {
        const file = fromCaller(args.config);
        // statSync, not existsSync: a file in a folder we may not enter is "permission denied", not "no such file".
        let missing = false;
        try {
            fs.statSync(file);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
                throw new UsageError(`--config ${args.config}: cannot read it: ${describeFsError(err)}`);
            }
            missing = true;
        }
        if (missing) {
            throw new UsageError(
                `--config ${args.config}: no such file (looked at ${file}). Fix: pass an existing stack config file`,
            );
        }
        return file;
    }
    const dir = path.dirname(program);
    const file = path.join(dir, `Pulumi.${args.stack}.yaml`);
    if (fs.existsSync(file)) {
        return file;
    }
    if (args.stackGiven) {
        const stacks = fs
            .readdirSync(dir)
            .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
            .filter((s): s is string => s !== undefined)
            .sort();
        throw new UsageError(
            `--stack ${args.stack}: Pulumi.${args.stack}.yaml does not exist in ${dir} (stacks there: ${stacks.length > 0 ? stacks.join(", ") : "none"}). ` +
                `Fix: ${stacks.length > 0 ? `pass --stack ${stacks.join(" or --stack ")}` : "create it with pulumi stack init"}, or pass --config <file>`,
        );
    }
    return undefined;
}

/** Paths in reports are relative to where the check was run (the repository root in CI), with "/". */
function displayPath(callerDir: string): (file: string) => string {
    return (file) => {
        const relative = path.relative(callerDir, file);
        return (relative.startsWith("..") || path.isAbsolute(relative) ? file : relative).split(path.sep).join("/");
    };
}

function readPolicyConfig(given: string, file: string): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new UsageError(`--policy-config ${given}: cannot read it: ${describeFsError(err)}`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (err) {
        throw new UsageError(`--policy-config ${given} is not valid JSON: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new UsageError(
            `--policy-config ${given}: expected an object keyed by policy name (got ${JSON.stringify(parsed)})`,
        );
    }
    return parsed as Record<string, unknown>;
}

/** An object without a namespace goes where its provider points (k8s.Provider `namespace`), as Pulumi does. */
function applyProviderNamespace(
    obj: Record<string, unknown>,
    resource: RecordedResource,
    all: RecordedResource[],
): void {
    const metadata = obj.metadata as { namespace?: unknown };
    if (metadata.namespace !== undefined || isClusterScoped(String(obj.kind)) || !resource.options.provider) {
        return;
    }
    const namespace: unknown = all.find((r) => r.urn === resource.options.provider)?.inputs.namespace;
    if (typeof namespace === "string" && namespace !== "") {
        metadata.namespace = namespace;
    }
}

function resourceLabel(r: RecordedResource): string {
    return `${r.type}::${r.name}`;
}

const LEVEL_ORDER = { mandatory: 0, advisory: 1 };

function sortViolations<V extends ReportedViolation>(violations: V[]): V[] {
    const key = (v: V) => [v.policy, v.resource, v.message].join("\u0000");
    return [...violations].sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || compare(key(a), key(b)));
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** Input the check cannot use (manifests, stack config): exit 2, like a usage error, but not about flags. */
export class InputError extends Error {}

/** Error and fix, as printed (and as the {error, fix} JSON under --format json). */
export function describeFailure(err: unknown): { error: string; fix: string } {
    const text = err instanceof Error ? err.message : String(err);
    // One problem per line (a WebStackArgError's list) keeps each line whole, as pulumi preview prints it.
    const [message, fixText] = text.includes("\n") ? [text, undefined] : splitFix(text);
    const what = capMessage(message);
    const fix = fixText === undefined ? undefined : capMessage(fixText);
    if (err instanceof UsageError) {
        return { error: `usage error: ${what}`, fix: fix ?? "see npm run check -- --help" };
    }
    if (err instanceof InputError) {
        return { error: `input error: ${what}`, fix: fix ?? "correct the input named above" };
    }
    if (err instanceof TypeCheckError) {
        return {
            error: `the program does not type-check, so pulumi preview would refuse it too: ${what}`,
            fix: fix ?? "correct the type errors",
        };
    }
    if (err instanceof ProgramError) {
        return {
            error: `the program failed (it threw while running under the offline mocks): ${what}`,
            fix: fix ?? "correct the program; pulumi preview fails the same way",
        };
    }
    return {
        error: `internal error of the check (not your input): ${what}`,
        fix: "report it with the command line that caused it",
    };
}

function splitFix(message: string): [string, string | undefined] {
    const at = message.search(/\.?\s+Fix: /);
    if (at < 0) {
        return [message, undefined];
    }
    return [message.slice(0, at), message.slice(at).replace(/^\.?\s+Fix: /, "")];
}

export function formatReport(
    report: CheckReport,
    args: Pick<CheckArgs, "format" | "allowUnchecked">,
    policies: Policies,
    programFile: string,
): string {
    const opts = { allowUnchecked: args.allowUnchecked };
    switch (args.format) {
        case "json":
            return JSON.stringify(report) + "\n";
        case "sarif":
            return sarifReport(report, opts, policies, programFile);
        case "markdown":
            return markdownReport(report, opts);
        case "github":
            return githubReport(report, opts);
        case "text":
            return textReport(report, opts);
    }
}

export type Write = (text: string, done: (err?: Error | null) => void) => boolean;

/** Writes and resolves once the data is handed on (to the OS for stdout): a pipe gets all of it before we exit. */
export function writeFully(write: Write, text: string): Promise<void> {
    return new Promise((resolve, reject) => write(text, (err) => (err ? reject(err) : resolve())));
}

/** The format to answer in when the command line itself is bad (so scripts still get JSON): read from the raw words. */
function requestedFormat(argv: string[]): string | undefined {
    const at = argv.findIndex((a) => a === "--format" || a.startsWith("--format="));
    if (argv.includes("--json")) {
        return "json";
    }
    return at < 0 ? undefined : argv[at].includes("=") ? argv[at].split("=")[1] : argv[at + 1];
}

/** Where the command writes, and what `--manifests -` reads (the process's standard input by default). */
export interface CheckStreams {
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    readStdin?: () => Promise<string>;
}

/**
 * The command: the report goes to `streams.stdout`, errors to `streams.stderr`, and so does whatever the program
 * prints to process.stdout while it runs (stdout carries only the report). Returns the exit code.
 */
export async function main(
    argv: string[],
    env: NodeJS.ProcessEnv = process.env,
    streams: CheckStreams = process,
): Promise<number> {
    // Bound before process.stdout.write is redirected, so the report still reaches stdout.
    const writeOut: Write = streams.stdout.write.bind(streams.stdout);
    const writeErr: Write = streams.stderr.write.bind(streams.stderr);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to put the same property back in `finally`, never called
    const programOutput = process.stdout.write;
    process.stdout.write = writeErr as typeof process.stdout.write;
    /** The parsed format, once the command line parsed; until then a failure reads --json/--format from argv. */
    let format: Format | undefined;
    try {
        const args = parseArgs(argv, env);
        if (args === "help") {
            await writeFully(writeOut, helpText(CHECK_COMMAND));
            return 0;
        }
        format = args.format;
        if (args.watch) {
            return await (await import("./watch")).watch(args, { writeOut, writeErr });
        }
        const { report, files, policies } = await check(args, streams.readStdin);
        let writeFailure: unknown;
        if (args.out !== undefined && files !== undefined) {
            try {
                writeObjects(path.resolve(args.callerDir, args.out), files, args.out);
            } catch (err) {
                // The report is still worth having: print it, then the failure, and exit 2.
                writeFailure = err instanceof OutDirError ? new InputError(err.message) : err;
            }
        }
        await writeFully(writeOut, formatReport(report, args, policies, report.source));
        if (writeFailure !== undefined) {
            const { error, fix } = describeFailure(writeFailure);
            await writeFully(writeErr, `check: ${error}\nFix: ${fix}\n`);
            return 2;
        }
        return failed(report, { allowUnchecked: args.allowUnchecked }) ? 1 : 0;
    } catch (err) {
        // Offline, secret config is only ever the marker, so a failure message cannot carry a real secret.
        const { error, fix } = describeFailure(err);
        if ((format ?? requestedFormat(argv)) === "json") {
            await writeFully(writeOut, JSON.stringify({ error, fix }) + "\n");
        }
        await writeFully(writeErr, `check: ${error}\nFix: ${fix}\n`);
        return 2;
    } finally {
        process.stdout.write = programOutput;
    }
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => {
        // Exit explicitly (the Pulumi runtime keeps handles open), once stdout and stderr are flushed.
        process.exit(code);
    });
}
