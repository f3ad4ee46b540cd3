/**
 * `npm run check`: what will this Pulumi program deploy, is every object valid Kubernetes, and does it
 * pass the policy pack? Offline: no Pulumi CLI, backend, cluster or registry (see issue 4 for the contract).
 *
 * Exit codes: 0 clean, 1 a mandatory violation or a schema error, 2 usage error or the program failed.
 */
import * as fs from "fs";
import * as path from "path";
import { runPolicies, Violation } from "./policyRunner";
import { assertOutDirUsable, fileNameFor, isClusterScoped, redactObject, renderObjectYaml, scrub, writeObjects } from "./render";
import { ProgramError, projectNameFor, runProgramInProcess } from "./mockRuntime";
import type { RecordedResource } from "./runProgram";
import { toKubernetesObject, validateKubernetesObject } from "./schema";
import { loadStackConfigFile } from "./stackConfig";

const USAGE =
    "usage: npm run check -- [--stack <name>] [--program <entry .ts file>] [--config <stack yaml>]\n" +
    "                        [--policy-config <json>] [--out <dir>] [--json]";

export interface CheckArgs {
    stack: string;
    program: string;
    /** Explicit stack config file; default Pulumi.<stack>.yaml beside the program when it exists. */
    config?: string;
    policyConfig?: string;
    out?: string;
    json: boolean;
}

export interface SchemaError {
    resource: string;
    message: string;
}

/** The --json object, field for field. */
export interface CheckReport {
    stack: string;
    resources: number;
    objects: number;
    violations: Violation[];
    schemaErrors: SchemaError[];
}

/** Bad command line or unreadable input: exit 2 with the usage. */
export class UsageError extends Error {}

const VALUE_FLAGS: Record<string, keyof CheckArgs> = {
    "--stack": "stack",
    "--program": "program",
    "--config": "config",
    "--policy-config": "policyConfig",
    "--out": "out",
};

export function parseArgs(argv: string[]): CheckArgs {
    const args: CheckArgs = { stack: "dev", program: "./index.ts", json: false };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const [name, inline] = flag.startsWith("--") && flag.includes("=") ? [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)] : [flag, undefined];
        if (name === "--json" && inline === undefined) {
            args.json = true;
        } else if (name in VALUE_FLAGS) {
            const value = inline ?? argv[++i];
            if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
                throw new UsageError(`${name} needs a value`);
            }
            (args as unknown as Record<string, string>)[VALUE_FLAGS[name]] = value;
        } else {
            throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
        }
    }
    return args;
}

/** Runs the program, validates its objects, runs the policies; renders the YAML files when asked. */
export async function check(args: CheckArgs): Promise<{ report: CheckReport; files: Map<string, string> }> {
    const program = path.resolve(args.program);
    if (!fs.existsSync(program) || !fs.statSync(program).isFile()) {
        throw new UsageError(`--program ${args.program}: no such file. Fix: pass the program's entry .ts file`);
    }
    const project = projectNameFor(path.dirname(program));
    const configFile = args.config ?? defaultConfigFile(program, args.stack);
    if (args.config !== undefined && !fs.existsSync(args.config)) {
        throw new UsageError(`--config ${args.config}: no such file`);
    }
    const packConfig = args.policyConfig === undefined ? {} : readPolicyConfig(args.policyConfig);
    if (args.out !== undefined) {
        try {
            assertOutDirUsable(args.out);
        } catch (err) {
            throw new UsageError((err as Error).message);
        }
    }
    const config = configFile === undefined ? undefined : loadStackConfigFile(configFile, project);

    const run = await runProgramInProcess(program, { stack: args.stack, project, config });
    const secretValues = run.secretValues;

    const schemaErrors: SchemaError[] = [];
    const files = new Map<string, { owner: string; text: string }>();
    let objects = 0;
    for (const resource of run.resources) {
        const obj = toKubernetesObject(resource);
        if (!obj) {
            continue;
        }
        objects++;
        const label = resourceLabel(resource);
        applyProviderNamespace(obj, resource, run.resources);
        for (const message of validateKubernetesObject(obj)) {
            schemaErrors.push({ resource: label, message });
        }
        const file = fileNameFor(obj);
        const earlier = files.get(file);
        if (earlier) {
            schemaErrors.push({ resource: label, message: `same object as ${earlier.owner} (${file}): two resources would fight over it` });
            continue;
        }
        files.set(file, { owner: label, text: args.out === undefined ? "" : renderObjectYaml(redactObject(obj, secretValues)) });
    }

    const violations = await runPolicies(run.resources, { packConfig, stackTags: { "pulumi:project": project, "pulumi:runtime": "nodejs" } });
    const report: CheckReport = {
        stack: args.stack,
        resources: run.resources.length,
        objects,
        violations: sortViolations(violations),
        schemaErrors: [...schemaErrors].sort((a, b) => compare(`${a.resource}\u0000${a.message}`, `${b.resource}\u0000${b.message}`)),
    };
    return {
        report: scrub(report, secretValues) as CheckReport,
        files: new Map([...files].map(([file, { text }]) => [file, text])),
    };
}

function defaultConfigFile(program: string, stack: string): string | undefined {
    const file = path.join(path.dirname(program), `Pulumi.${stack}.yaml`);
    return fs.existsSync(file) ? file : undefined;
}

function readPolicyConfig(file: string): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new UsageError(`--policy-config ${file}: no such file`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (err) {
        throw new UsageError(`--policy-config ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new UsageError(`--policy-config ${file}: expected an object keyed by policy name (got ${JSON.stringify(parsed)})`);
    }
    return parsed as Record<string, unknown>;
}

/** An object without a namespace goes where its provider points (k8s.Provider `namespace`), as Pulumi does. */
function applyProviderNamespace(obj: Record<string, any>, resource: RecordedResource, all: RecordedResource[]): void {
    if (obj.metadata.namespace !== undefined || isClusterScoped(obj.kind) || !resource.options.provider) {
        return;
    }
    const namespace = all.find((r) => r.urn === resource.options.provider)?.inputs.namespace;
    if (typeof namespace === "string" && namespace !== "") {
        obj.metadata.namespace = namespace;
    }
}

function resourceLabel(r: RecordedResource): string {
    return `${r.type}::${r.name}`;
}

const LEVEL_ORDER = { mandatory: 0, advisory: 1 };

function sortViolations(violations: Violation[]): Violation[] {
    const key = (v: Violation) => [v.policy, v.resource, v.message].join("\u0000");
    return [...violations].sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || compare(key(a), key(b)));
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

export function failed(report: CheckReport): boolean {
    return report.schemaErrors.length > 0 || report.violations.some((v) => v.level === "mandatory");
}

export function humanReport(report: CheckReport): string {
    const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ");
    const lines = report.violations.map((v) =>
        `${v.level.padEnd(9)} ${v.policy} [${v.lessons.join(", ")}] ${v.resource}: ${oneLine(v.message)}`,
    );
    lines.push(...report.schemaErrors.map((e) => `${"schema".padEnd(9)} ${e.resource}: ${oneLine(e.message)}`));
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    const mandatory = report.violations.filter((v) => v.level === "mandatory").length;
    lines.push(
        `check ${report.stack}: ${count(report.resources, "resource")}, ${count(report.objects, "Kubernetes object")}; ` +
            `${count(report.schemaErrors.length, "schema error")}, ${mandatory} mandatory and ` +
            `${report.violations.length - mandatory} advisory violation${report.violations.length - mandatory === 1 ? "" : "s"}: ` +
            (failed(report) ? "FAIL" : "PASS"),
    );
    return lines.join("\n") + "\n";
}

async function main(argv: string[]): Promise<number> {
    // Our stdout carries only the report; whatever the program prints goes to stderr.
    const writeOut = process.stdout.write.bind(process.stdout);
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    try {
        if (argv.includes("--help") || argv.includes("-h")) {
            writeOut(USAGE + "\n");
            return 0;
        }
        const args = parseArgs(argv);
        const { report, files } = await check(args);
        if (args.out !== undefined) {
            writeObjects(args.out, files);
        }
        writeOut(args.json ? JSON.stringify(report) + "\n" : humanReport(report));
        return failed(report) ? 1 : 0;
    } catch (err) {
        // Offline, secret config is only ever the marker, so a failure message cannot carry a real secret.
        const message = (err as Error)?.message ?? String(err);
        if (err instanceof UsageError) {
            process.stderr.write(`check: ${message}\n${USAGE}\n`);
        } else if (err instanceof ProgramError) {
            process.stderr.write(`check: the program failed: ${message}\n`);
        } else {
            process.stderr.write(`check: ${message}\n`);
        }
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        // Exit explicitly: the Pulumi runtime keeps handles open.
        process.exitCode = code;
        process.stderr.write("", () => process.exit(code));
    });
}
