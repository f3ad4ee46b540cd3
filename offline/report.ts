/**
 * The report of `npm run check` in the formats CI systems read: text (people), json (scripts), sarif
 * (GitHub code scanning), markdown (a PR comment) and github (workflow-command annotations).
 */
import * as crypto from "crypto";
import type { Policies } from "@pulumi/policy";
import { catalogEntry, CatalogEntry, PeerCheck, tagsOf } from "../policy/catalog";
import { LESSONS, LessonId } from "../policy/lessons";
import { expiredText, waivedText, type WaiverNote } from "../policy/waiver-ledger";
import { notEvaluatedText } from "../policy/not-evaluated";
import { WAIVERS_POLICY } from "../policy/waiver-settings";
import type { Violation } from "./policy-runner";

/** Where an object came from: the manifest file and line of its document, or the program's entry file. */
export interface SourceLocation {
    /** Relative to the directory the check was run from, with "/" separators (SARIF/GitHub want that). */
    file: string;
    line?: number;
}

export type ReportedViolation = Violation & Partial<SourceLocation>;

export interface SchemaError extends Partial<SourceLocation> {
    resource: string;
    message: string;
}

/** A resource that yields Kubernetes objects this run did not see (Helm charts without a renderer, patches, ...). */
export interface Unchecked {
    resource: string;
    type: string;
    reason: string;
    fix: string;
}

/** The --format json object, field for field. */
export interface CheckReport {
    stack: string;
    /** What was checked: the program's entry file, or the --manifests argument. */
    source: string;
    resources: number;
    objects: number;
    violations: ReportedViolation[];
    schemaErrors: SchemaError[];
    unchecked: Unchecked[];
    /** Secrets whose data was replaced in the files written by --out (0 without --out). */
    redactedSecrets: number;
    /** What the check stood in for offline (a build's digest, ...). */
    notes: string[];
}

export const FORMATS = ["text", "json", "sarif", "markdown", "github"] as const;
export type Format = (typeof FORMATS)[number];

export interface FailOptions {
    allowUnchecked: boolean;
}

export function failed(report: CheckReport, opts: FailOptions): boolean {
    return (
        report.schemaErrors.length > 0 ||
        report.violations.some((v) => v.level === "mandatory") ||
        (report.unchecked.length > 0 && !opts.allowUnchecked)
    );
}

/** Longest echo of an input value in a message: enough to recognise it, never a whole config list. */
export const MAX_QUOTED_VALUE = 80;
/** Longest message of one finding or failure; a longer one is cut and says how much was left out. */
export const MAX_MESSAGE = 2000;

/** A value from the input, as JSON, cut at MAX_QUOTED_VALUE characters with the length it had. */
export function quoted(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length <= MAX_QUOTED_VALUE ? text : `${text.slice(0, MAX_QUOTED_VALUE)}… (${text.length} characters)`;
}

/** A message cut at MAX_MESSAGE characters, saying so. */
export function capMessage(message: string): string {
    return message.length <= MAX_MESSAGE
        ? message
        : `${message.slice(0, MAX_MESSAGE)}… (message cut: ${message.length} characters)`;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ");

/** The last line of text/github output: every count, then PASS or FAIL. */
export function summaryLine(report: CheckReport, opts: FailOptions): string {
    const mandatory = report.violations.filter((v) => v.level === "mandatory").length;
    const waived = report.violations.filter((v) => v.waived !== undefined).length;
    const notEvaluated = report.violations.filter((v) => v.notEvaluated !== undefined).length;
    // A not-evaluated policy counts once: as mandatory when it fails the run, else only as not evaluated.
    const advisory = report.violations.filter((v) => levelOf(v) === "advisory").length;
    const parts = [
        `check ${report.stack === "" ? report.source : report.stack}: ${count(report.resources, "resource")}, ${count(report.objects, "Kubernetes object")}`,
        `${count(report.schemaErrors.length, "schema error")}, ${mandatory} mandatory and ${count(advisory, "advisory violation")}${waived > 0 ? `, ${waived} waived` : ""}${notEvaluated > 0 ? `, ${notEvaluated} not evaluated (a value unknown until the update runs)` : ""}`,
    ];
    if (report.unchecked.length > 0) {
        parts.push(
            `${count(report.unchecked.length, "resource")} not checked${opts.allowUnchecked ? " (allowed by --allow-unchecked)" : ""}`,
        );
    }
    if (report.redactedSecrets > 0) {
        parts.push(`${count(report.redactedSecrets, "Secret")} redacted in the rendered files`);
    }
    return `${parts.join("; ")}: ${failed(report, opts) ? "FAIL" : "PASS"}`;
}

function nothingChecked(report: CheckReport): string[] {
    const notes = report.notes.map((n) => `note: ${n}`);
    return report.objects === 0
        ? [
              `note: 0 Kubernetes objects were checked: ${report.source} declares none that the check can see${report.unchecked.length > 0 ? " (see the resources not checked above)" : ""}.`,
              ...notes,
          ]
        : notes;
}

/** "waived" for a waived violation (it does not fail the run), else its level. */
const levelOf = (v: Violation) =>
    v.waived !== undefined ? "waived" : v.notEvaluated !== undefined && v.level === "advisory" ? "not-eval" : v.level;

/** The message with the waiver that covers it, or the expired one that no longer does. */
export function messageOf(v: Violation): string {
    if (v.waived !== undefined) {
        return `${waivedText(v.waived)}\n${v.message}`;
    }
    if (v.notEvaluated !== undefined) {
        return `${v.message}\n${notEvaluatedText(v.notEvaluated)}`;
    }
    return v.expiredWaiver === undefined ? v.message : `${v.message}\n${expiredText(v.expiredWaiver)}`;
}

/**
 * The problems with the waivers (the `waivers` policy's mandatory findings), as one InputError message for `check`
 * (exit 2: the input is wrong, as with a bad --policy-config), or undefined when the waivers are sound.
 */
export function waiverProblems(violations: Violation[]): string | undefined {
    const problems = violations.filter((v) => v.policy === WAIVERS_POLICY && v.level === "mandatory");
    if (problems.length === 0) {
        return undefined;
    }
    return [
        `${count(problems.length, "problem")} with the waivers (each names the file and line, or the object and annotation, and the fix):`,
        ...problems.map((v) => `- ${oneLine(v.message)}`),
    ].join("\n");
}

function locationSuffix(at: Partial<SourceLocation>): string {
    return at.file === undefined ? "" : ` (${at.file}${at.line === undefined ? "" : `:${at.line}`})`;
}

export function textReport(report: CheckReport, opts: FailOptions): string {
    return [...findingLines(report), ...nothingChecked(report), summaryLine(report, opts)].join("\n") + "\n";
}

/** One line per finding (violation, schema error, object not checked), as the text report prints them. */
export function findingLines(report: CheckReport): string[] {
    return [
        ...report.violations.map(
            (v) =>
                `${levelOf(v).padEnd(9)} ${v.policy} [${v.lessons.join(", ")}] ${v.resource}: ${oneLine(messageOf(v))}${locationSuffix(v)}`,
        ),
        ...report.schemaErrors.map(
            (e) => `${"schema".padEnd(9)} ${e.resource}: ${oneLine(e.message)}${locationSuffix(e)}`,
        ),
        ...report.unchecked.map((u) => `${"unchecked".padEnd(9)} ${u.resource}: ${u.reason}. Fix: ${u.fix}`),
    ];
}

// ---- GitHub workflow commands ------------------------------------------------------------------------

/** Escaping of workflow commands (actions/toolkit command.ts): data escapes %, CR, LF; properties also : and ,. */
const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

function annotation(
    level: "error" | "warning" | "notice",
    title: string,
    message: string,
    at: Partial<SourceLocation>,
): string {
    const properties = [
        ...(at.file === undefined ? [] : [`file=${escapeProperty(at.file)}`]),
        ...(at.line === undefined ? [] : [`line=${at.line}`]),
        `title=${escapeProperty(title)}`,
    ];
    return `::${level} ${properties.join(",")}::${escapeData(message)}`;
}

export function githubReport(report: CheckReport, opts: FailOptions): string {
    const lines = report.violations.map((v) =>
        annotation(
            v.waived !== undefined ? "notice" : v.level === "mandatory" ? "error" : "warning",
            `${v.policy} [${v.lessons.join(", ")}]${v.waived !== undefined ? " (waived)" : ""}`,
            `${v.resource}: ${messageOf(v)}`,
            v,
        ),
    );
    lines.push(...report.schemaErrors.map((e) => annotation("error", "schema", `${e.resource}: ${e.message}`, e)));
    lines.push(
        ...report.unchecked.map((u) =>
            annotation(
                opts.allowUnchecked ? "warning" : "error",
                "not checked",
                `${u.resource}: ${u.reason}. Fix: ${u.fix}`,
                {},
            ),
        ),
    );
    lines.push(...nothingChecked(report), summaryLine(report, opts));
    return lines.join("\n") + "\n";
}

// ---- Markdown (a PR comment or $GITHUB_STEP_SUMMARY) -----------------------------------------------

const cell = (s: string) => oneLine(s).replace(/\|/g, "\\|");

export function markdownReport(report: CheckReport, opts: FailOptions): string {
    const out = [
        `### ${failed(report, opts) ? "❌" : "✅"} \`npm run check\`: ${report.stack === "" ? report.source : `stack ${report.stack}`}`,
        "",
        summaryLine(report, opts),
        "",
    ];
    if (report.violations.length > 0) {
        out.push("| Level | Policy | Lessons | Resource | Message |", "|---|---|---|---|---|");
        out.push(
            ...report.violations.map(
                (v) =>
                    `| ${levelOf(v)} | \`${v.policy}\` | ${v.lessons.join(", ")} | \`${cell(v.resource)}\`${cell(locationSuffix(v))} | ${cell(messageOf(v))} |`,
            ),
        );
        out.push("");
    }
    if (report.schemaErrors.length > 0) {
        out.push("| Schema error | Resource |", "|---|---|");
        out.push(
            ...report.schemaErrors.map(
                (e) => `| ${cell(e.message)} | \`${cell(e.resource)}\`${cell(locationSuffix(e))} |`,
            ),
        );
        out.push("");
    }
    if (report.unchecked.length > 0) {
        out.push("| Not checked | Type | Why | Fix |", "|---|---|---|---|");
        out.push(
            ...report.unchecked.map(
                (u) => `| \`${cell(u.resource)}\` | \`${u.type}\` | ${cell(u.reason)} | ${cell(u.fix)} |`,
            ),
        );
        out.push("");
    }
    out.push(...nothingChecked(report).map((line) => `${line}\n`));
    return out.join("\n");
}

// ---- SARIF 2.1.0 -----------------------------------------------------------------------------------

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
/** Rules that are not policies of the pack: what the check itself reports. */
const CHECK_RULES = [
    {
        id: "schema",
        description:
            "The object is not valid Kubernetes: the API server would reject it (OpenAPI schema, strict fields, name rules). Fix: correct the field named in the message.",
    },
    {
        id: "not-checked",
        description:
            "The resource yields Kubernetes objects this offline check could not see (a Helm chart without a renderer, a patch, ...). Fix: run the command named in the message.",
    },
];

/** Same finding, same fingerprint: policy, resource and message, never the position in the report. */
function fingerprint(...parts: string[]): string {
    return crypto.createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

function sarifLocation(at: Partial<SourceLocation>, fallback: string): object[] {
    const file = at.file ?? fallback;
    return [
        {
            physicalLocation: {
                artifactLocation: { uri: file, uriBaseId: "%SRCROOT%" },
                // GitHub code scanning needs a region; an object without a known line points at the file's start.
                region: { startLine: at.line ?? 1 },
            },
        },
    ];
}

/** GitHub code scanning's security-severity scores (rules tagged "security"): critical > 9, high 7-8.9, medium 4-6.9, low < 4. */
const SECURITY_SEVERITY = { low: "3.0", medium: "5.5", high: "8.0", critical: "9.5" } as const;

const firstSentence = (text: string) => text.split(/(?<=\.)\s/)[0];
const peerText = (peers: PeerCheck[]) =>
    peers.map((peer) => `${peer.source} ${peer.check}${peer.note === undefined ? "" : ` (${peer.note})`}`).join("; ");

/** A rule's help from the policy catalog: what it checks, the fix, its lessons, severity and the peer checks it covers. */
function ruleHelp(entry: CatalogEntry): { text: string; markdown: string } {
    const lessons = entry.lessons.map((id: LessonId) => `${id} (${LESSONS[id].happened})`).join(", ");
    const peers = entry.peers.length === 0 ? [] : [`Corresponds to: ${peerText(entry.peers)}.`];
    const text = [
        entry.summary,
        `Fix: ${entry.remediation}`,
        `Lessons: ${lessons}. Severity: ${entry.severity}.`,
        ...peers,
    ].join("\n");
    const markdown = [
        entry.summary,
        "",
        `**Fix:** ${entry.remediation}`,
        "",
        `**Lessons:** ${lessons}`,
        "",
        `**Severity:** ${entry.severity}`,
        ...(entry.peers.length === 0
            ? []
            : [
                  "",
                  "**Corresponds to:**",
                  "",
                  ...entry.peers.map(
                      (peer) => `- ${peer.source} \`${peer.check}\`${peer.note === undefined ? "" : `: ${peer.note}`}`,
                  ),
              ]),
    ].join("\n");
    return { text, markdown };
}

function ruleProperties(entry: CatalogEntry): Record<string, unknown> {
    return {
        lessons: [...entry.lessons],
        tags: tagsOf(entry),
        severity: entry.severity,
        ...(entry.tags.includes("security") ? { "security-severity": SECURITY_SEVERITY[entry.severity] } : {}),
    };
}

/**
 * A waived result stays in the SARIF with a suppression (code scanning shows it as suppressed, not gone):
 * "inSource" for an annotation on the object, "external" for the waiver file; justification is the reason.
 */
function sarifSuppression(w: WaiverNote): object {
    return {
        suppressions: [
            {
                kind: w.form === "annotation" ? "inSource" : "external",
                status: "accepted",
                justification: w.reason,
                properties: { owner: w.owner, expires: w.expires, source: w.source },
            },
        ],
    };
}

export function sarifReport(report: CheckReport, opts: FailOptions, policies: Policies, programFile: string): string {
    const rules = [
        ...policies.map((p) => {
            const entry = catalogEntry(p.name);
            return {
                id: p.name,
                name: p.name,
                shortDescription: { text: firstSentence(entry?.summary ?? p.description) },
                fullDescription: { text: p.description },
                help: entry === undefined ? { text: p.description } : ruleHelp(entry),
                defaultConfiguration: { level: p.enforcementLevel === "advisory" ? "warning" : "error" },
                properties: entry === undefined ? { lessons: [], tags: [] } : ruleProperties(entry),
            };
        }),
        ...CHECK_RULES.map((r) => ({
            id: r.id,
            name: r.id,
            shortDescription: { text: firstSentence(r.description) },
            fullDescription: { text: r.description },
            help: { text: r.description },
            defaultConfiguration: { level: "error" },
        })),
    ];
    const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
    const results = [
        ...report.violations.map((v) => ({
            ruleId: v.policy,
            ruleIndex: ruleIndex.get(v.policy),
            level: v.level === "mandatory" ? "error" : "warning",
            message: { text: `${v.resource}: ${messageOf(v)}` },
            locations: sarifLocation(v, programFile),
            // The policy's message alone: waiving a finding (or the waiver expiring) keeps its identity in code scanning.
            partialFingerprints: { "webstackCheck/v1": fingerprint(v.policy, v.resource, v.message) },
            ...(v.waived === undefined ? {} : sarifSuppression(v.waived)),
            ...(v.notEvaluated === undefined ? {} : { properties: { notEvaluated: v.notEvaluated } }),
        })),
        ...report.schemaErrors.map((e) => ({
            ruleId: "schema",
            ruleIndex: ruleIndex.get("schema"),
            level: "error",
            message: { text: `${e.resource}: ${e.message}` },
            locations: sarifLocation(e, programFile),
            partialFingerprints: { "webstackCheck/v1": fingerprint("schema", e.resource, e.message) },
        })),
        ...report.unchecked.map((u) => ({
            ruleId: "not-checked",
            ruleIndex: ruleIndex.get("not-checked"),
            level: opts.allowUnchecked ? "warning" : "error",
            message: { text: `${u.resource}: ${u.reason}. Fix: ${u.fix}` },
            locations: sarifLocation({}, programFile),
            partialFingerprints: { "webstackCheck/v1": fingerprint("not-checked", u.resource) },
        })),
    ];
    const sarif = {
        $schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [
            {
                tool: { driver: { name: "webstack-check", rules } },
                results,
            },
        ],
    };
    return JSON.stringify(sarif, null, 2) + "\n";
}
