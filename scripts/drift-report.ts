// Drift report (L14): which resources of a stack differ from the live cluster, from the JSON of
//   pulumi preview --stack <s> --refresh --expect-no-changes --policy-pack policy --json > preview.json
// Postmortem 002: manual kubectl edits went unnoticed for days because nobody looked. The scheduled
// drift workflow runs this after the preview and fails naming each drifted resource and property.
//
//   npx ts-node --transpile-only scripts/drift-report.ts --stack dev --preview-exit-code 255 preview.json
//
// Exit codes mean one thing each (pulumi/pulumi#8992: the CLI's own non-zero status mixes them): 0 no drift,
// 1 drift, 2 the check itself failed (the preview failed or printed nothing: cluster unreachable, state
// unreadable, a policy violation; the preview file is unreadable; bad arguments).
import * as fs from "fs";
import { DNS_LABEL } from "../components/facts";
import { CommandSpec, helpText, parseCommandLine } from "./cli";
import { LiveObject, StateResource, UnmanagedObject, unmanagedObjects, unmanagedText } from "./unmanaged-objects";

/** One step of `pulumi preview --json` (PreviewStep in pulumi/sdk/go/common/display/json.go). */
export interface PreviewStep {
    op: string;
    urn: string;
    diffReasons?: string[];
    replaceReasons?: string[];
    detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }> | null;
}

/** The document `pulumi preview --json` prints (PreviewDigest); only the fields the report reads. */
export interface PreviewDigest {
    steps?: PreviewStep[];
    diagnostics?: { urn?: string; message?: string; severity?: string }[];
    changeSummary?: Record<string, number>;
}

export interface DriftedResource {
    /** Engine operation that would reconcile the program and the live object: update, replace, create, delete… */
    op: string;
    type: string;
    name: string;
    urn: string;
    /** Property paths that differ (detailedDiff keys, else diffReasons/replaceReasons); empty when the engine gave none. */
    properties: string[];
}

/** What the check found: each verdict has its own exit code (DRIFT_EXIT_CODES). */
export type DriftVerdict = "clean" | "drift" | "error";

export const DRIFT_EXIT_CODES: Record<DriftVerdict, number> = { clean: 0, drift: 1, error: 2 };

export interface DriftReport {
    verdict: DriftVerdict;
    drifted: DriftedResource[];
    /** Plain text for the job log; the first line says the verdict. */
    text: string;
    /** The same as a Markdown table for $GITHUB_STEP_SUMMARY. */
    markdown: string;
}

// Steps that change nothing live: `same`, reads of external resources, and the refresh itself (its
// effect shows up in the step that follows for the same resource).
const UNCHANGED_OPS = new Set(["same", "read", "refresh"]);

/** urn:pulumi:<stack>::<project>::<parent types $ separated>$<type>::<name> → its type and name. */
export function typeAndName(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) {
        return { type: "?", name: urn };
    }
    const qualifiedType = parts[2];
    return { type: qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

export function driftedResources(digest: PreviewDigest): DriftedResource[] {
    return (digest.steps ?? [])
        .filter((step) => !UNCHANGED_OPS.has(step.op))
        .map((step) => {
            const detailed = Object.keys(step.detailedDiff ?? {});
            const reasons = [...(step.diffReasons ?? []), ...(step.replaceReasons ?? [])];
            return {
                op: step.op,
                ...typeAndName(step.urn),
                urn: step.urn,
                properties: [...new Set(detailed.length > 0 ? detailed : reasons)].sort(),
            };
        });
}

/**
 * The verdict for one stack. `previewExitCode` is the CLI's exit status: with --expect-no-changes it is
 * non-zero on drift, and also when the preview itself failed (policy violation, unreachable cluster); proposed
 * changes tell the two apart.
 */
export function driftReport(stack: string, digest: PreviewDigest | undefined, previewExitCode: number): DriftReport {
    const drifted = digest ? driftedResources(digest) : [];
    const lines: string[] = [];
    let markdown: string;
    if (drifted.length > 0) {
        lines.push(`drift: stack ${stack} has ${drifted.length} resource(s) that differ from the live cluster [L14]`);
        for (const r of drifted) {
            lines.push(`  ${r.op} ${r.type} "${r.name}"${r.properties.length ? `: ${r.properties.join(", ")}` : ""}`);
        }
        lines.push(
            "Fix: if the live change was deliberate, put it in the program or Pulumi.<stack>.yaml and deploy through a PR; " +
                `otherwise run pulumi up --stack ${stack} to restore the declared state. Never ignoreChanges it away [L14]`,
        );
        markdown = [
            `### Drift in stack \`${stack}\` (L14)`,
            "",
            "| operation | type | name | differing properties |",
            "| --- | --- | --- | --- |",
            ...drifted.map(
                (r) =>
                    `| ${r.op} | \`${r.type}\` | \`${r.name}\` | ${r.properties.map((p) => `\`${p}\``).join(", ") || "—"} |`,
            ),
        ].join("\n");
    } else if (!digest) {
        lines.push(
            `drift: stack ${stack}: error: pulumi preview printed no JSON (exit code ${previewExitCode}), so drift is unknown. ` +
                "Fix: read the preview's errors above (login, passphrase, cluster credentials)",
        );
        markdown = `### Stack \`${stack}\`: preview failed before reporting (exit code ${previewExitCode})`;
    } else if (previewExitCode !== 0) {
        const errors = (digest.diagnostics ?? [])
            .filter((d) => d.severity === "error")
            .map((d) => `  ${d.urn ? `${typeAndName(d.urn).name}: ` : ""}${(d.message ?? "").trim()}`);
        lines.push(
            `drift: stack ${stack}: error: pulumi preview failed (exit code ${previewExitCode}) without proposing changes, so drift is unknown. ` +
                "Fix: read its errors (a mandatory policy violation also fails it)",
            ...errors,
        );
        markdown = `### Stack \`${stack}\`: preview failed (exit code ${previewExitCode}) without proposing changes`;
    } else {
        lines.push(`drift: stack ${stack} matches the live cluster (${(digest.steps ?? []).length} resources checked)`);
        markdown = `### Stack \`${stack}\`: no drift`;
    }
    const verdict: DriftVerdict = drifted.length > 0 ? "drift" : !digest || previewExitCode !== 0 ? "error" : "clean";
    return { verdict, drifted, text: lines.join("\n"), markdown };
}

/**
 * Reads a JSON object a command wrote (`producer`, e.g. "pulumi preview --json"); undefined when the file is empty
 * (the command failed before printing it).
 */
function readJsonObject(file: string, producer: string): Record<string, unknown> | undefined {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new Error(`${file}: cannot read it (${(err as Error).message}). Fix: pass the file ${producer} wrote`, {
            cause: err,
        });
    }
    if (text.trim() === "") {
        return undefined;
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw new Error(
            `${file}: not JSON (${(err as Error).message}). Fix: run ${producer} and redirect only its stdout to the file`,
            { cause: err },
        );
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new Error(
            `${file}: expected the JSON object of ${producer} (got ${JSON.stringify(value)?.slice(0, 80)})`,
        );
    }
    return value as Record<string, unknown>;
}

/** Reads the preview JSON; undefined when the file is empty (the CLI failed before printing it). */
export function readPreviewDigest(file: string): PreviewDigest | undefined {
    return readJsonObject(file, "pulumi preview --json");
}

/**
 * The objects of `namespace` that no stack manages (advisory, postmortem 002), from the files of
 * `pulumi stack export` and `kubectl get <UNMANAGED_REPORT_RESOURCES> -n <namespace> -o json`.
 */
export function readUnmanaged(stateFile: string, liveFile: string, namespace: string): UnmanagedObject[] {
    const state = readJsonObject(stateFile, "pulumi stack export") as
        { deployment?: { resources?: StateResource[] } } | undefined;
    const live = readJsonObject(liveFile, "kubectl get … -o json") as { items?: LiveObject[] } | undefined;
    if (!Array.isArray(state?.deployment?.resources)) {
        throw new Error(`${stateFile}: has no deployment.resources. Fix: pass the output of pulumi stack export`);
    }
    if (!Array.isArray(live?.items)) {
        throw new Error(`${liveFile}: has no items list. Fix: pass the output of kubectl get … -o json`);
    }
    return unmanagedObjects(live.items, state.deployment.resources, namespace);
}

export const DRIFT_REPORT_COMMAND = {
    name: "npx ts-node --transpile-only scripts/drift-report.ts",
    summary:
        "Names every resource of a stack that differs from the live cluster, from the JSON of " +
        "`pulumi preview --refresh --expect-no-changes --json`; prints ::error annotations and appends a table to $GITHUB_STEP_SUMMARY (L14).",
    flags: {
        stack: { type: "string", valueName: "<stack>", description: "stack the preview ran for (required)" },
        "preview-exit-code": {
            type: "string",
            valueName: "<n>",
            default: "0",
            description: "exit status of that pulumi preview (non-zero: drift, or a preview that failed)",
        },
        state: {
            type: "string",
            valueName: "<export.json>",
            description: "pulumi stack export of the stack: with --live, also list the namespace's unmanaged objects",
        },
        live: {
            type: "string",
            valueName: "<objects.json>",
            description:
                "kubectl get <the kinds in scripts/unmanaged-objects.ts> -n <namespace> -o json --show-managed-fields (with --state and --namespace)",
        },
        namespace: {
            type: "string",
            valueName: "<namespace>",
            description: "the stack's namespace, for --state and --live",
        },
    },
    positionals: "<preview.json>",
    exitCodes: {
        [DRIFT_EXIT_CODES.clean]: "no drift: the preview succeeded and proposed no change",
        [DRIFT_EXIT_CODES.drift]: "drift: the preview proposed changes (each is named)",
        [DRIFT_EXIT_CODES.error]:
            "error, drift unknown: the preview failed or printed nothing (cluster unreachable, state unreadable, a mandatory policy), an unreadable preview file, or bad arguments",
    },
    example: "npx ts-node --transpile-only scripts/drift-report.ts --stack dev --preview-exit-code 255 preview.json",
} satisfies CommandSpec;

export function main(argv: string[]): number {
    let stack: string;
    let exitCode: number;
    let file: string;
    let unmanagedInputs: { state: string; live: string; namespace: string } | undefined;
    try {
        const parsed = parseCommandLine(DRIFT_REPORT_COMMAND, argv);
        if (parsed.help) {
            console.log(helpText(DRIFT_REPORT_COMMAND));
            return 0;
        }
        const { flags, positionals } = parsed;
        if (!flags.stack || positionals.length !== 1) {
            throw new Error(
                `--stack and one preview JSON file are required (got ${flags.stack === undefined ? "no --stack" : `--stack ${flags.stack}`}, ${positionals.length} file(s))`,
            );
        }
        if (!/^\d+$/.test(flags["preview-exit-code"])) {
            throw new Error(
                `--preview-exit-code must be a whole number (got ${JSON.stringify(flags["preview-exit-code"])})`,
            );
        }
        stack = flags.stack;
        exitCode = Number(flags["preview-exit-code"]);
        file = positionals[0];
        const given = (["state", "live", "namespace"] as const).filter((flag) => flags[flag] !== undefined);
        if (given.length > 0 && given.length < 3) {
            throw new Error(
                `--state, --live and --namespace go together to list unmanaged objects (got only ${given.map((f) => `--${f}`).join(", ")})`,
            );
        }
        if (flags.namespace !== undefined && !DNS_LABEL.test(flags.namespace)) {
            throw new Error(`--namespace must be a namespace name (got ${JSON.stringify(flags.namespace)})`);
        }
        if (flags.state !== undefined && flags.live !== undefined && flags.namespace !== undefined) {
            unmanagedInputs = { state: flags.state, live: flags.live, namespace: flags.namespace };
        }
    } catch (err) {
        console.error(`drift-report: error: ${(err as Error).message}\n(--help lists the flags)`);
        return DRIFT_EXIT_CODES.error;
    }
    let report: DriftReport;
    let unmanaged: UnmanagedObject[] = [];
    try {
        report = driftReport(stack, readPreviewDigest(file), exitCode);
        if (unmanagedInputs) {
            unmanaged = readUnmanaged(unmanagedInputs.state, unmanagedInputs.live, unmanagedInputs.namespace);
        }
    } catch (err) {
        console.error(`drift-report: error: ${(err as Error).message}`);
        return DRIFT_EXIT_CODES.error;
    }
    (report.verdict === "clean" ? console.log : console.error)(report.text);
    for (const r of report.drifted) {
        // One annotation per resource so the run page lists them without opening the log.
        console.log(
            `::error title=Drift in ${stack}::${r.op} ${r.type} ${r.name}${r.properties.length ? `: ${r.properties.join(", ")}` : ""}`,
        );
    }
    // Advisory: listed and annotated, never a reason to fail the job (the exit code is the drift verdict's).
    if (unmanagedInputs && unmanaged.length > 0) {
        console.log(unmanagedText(unmanaged, unmanagedInputs.namespace, stack));
        for (const o of unmanaged) {
            console.log(`::warning title=Unmanaged object in ${unmanagedInputs.namespace}::${o.kind}/${o.name}`);
        }
    }
    if (process.env.GITHUB_STEP_SUMMARY) {
        const unmanagedMarkdown =
            unmanaged.length === 0
                ? ""
                : `\nObjects in \`${unmanagedInputs?.namespace}\` that no stack manages (advisory): ${unmanaged.map((o) => `\`${o.kind}/${o.name}\``).join(", ")}\n`;
        fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${report.markdown}\n${unmanagedMarkdown}`);
    }
    return DRIFT_EXIT_CODES[report.verdict];
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
