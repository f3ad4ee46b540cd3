/**
 * `npm run waivers`: every waiver in the waiver file and on a stack's objects, with its status (active, expiring
 * within 14 days, expired, stale), as a table or JSON. It runs the same check as `npm run check` (the program under
 * the mocks, or --manifests) so "stale" means what the pack means by it: the waiver covered no violation this run.
 */
import * as fs from "fs";
import { check, CHECK_COMMAND, CheckArgs, describeFailure, parseArgs as parseCheckArgs } from "../offline/check";
import type { CheckReport } from "../offline/report";
import type { WaiverNote } from "../policy/waiver-ledger";
import { EXPIRING_WITHIN_DAYS } from "../policy/waiver-settings";
import {
    dateStatus,
    parseWaiverFile,
    Waiver,
    daysLeft,
    displayPath,
    isoDay,
    loadWaiverFile,
    WaiverFile,
    waiverFilePath,
    WaiverStatus,
    waiverToday,
} from "../policy/waivers";
import { CommandSpec, helpText, parseCommandLine } from "./cli";

export const WAIVERS_COMMAND = {
    name: "npm run waivers --",
    summary: `Lists every waiver (the waiver file and the stack's waive.webstack.dev/ annotations) with its status: active, expiring (within ${EXPIRING_WITHIN_DAYS} days), expired or stale.`,
    flags: {
        // The check's own flags: the listing runs that check.
        stack: CHECK_COMMAND.flags.stack,
        program: CHECK_COMMAND.flags.program,
        manifests: CHECK_COMMAND.flags.manifests,
        json: { type: "boolean", description: "print JSON instead of the table" },
        markdown: { type: "boolean", description: "print a Markdown table (a PR's step summary)" },
        base: {
            type: "string",
            valueName: "<file>",
            description: "the waiver file of the PR's base: file waivers are marked new or changed",
        },
        "skip-type-check": CHECK_COMMAND.flags["skip-type-check"],
    },
    exitCodes: {
        0: "the list was printed (expired and stale waivers are listed, `npm run check` is what fails on them)",
        2: "usage error, invalid waivers (each problem named with its fix), or the program could not run",
    },
    example: "npm run -s waivers -- --stack qa --json",
} satisfies CommandSpec;

export interface WaiverRow {
    status: WaiverStatus;
    /** Days until expiry (negative once expired). */
    daysLeft: number;
    policy: string;
    form: WaiverNote["form"];
    source: string;
    owner: string;
    expires: string;
    reason: string;
    /** For file waivers of a `stacks:` section: the stack it applies to. */
    stack?: string;
    /** The objects whose violations it covered in this run. */
    covers: string[];
    /** With --base, for file waivers: against the base's waiver file. */
    change?: "new" | "changed" | "unchanged";
}

/** One row per waiver: the file's entries and the annotations the check met, status from the run and the day. */
export function waiverRows(file: WaiverFile, report: CheckReport, now: Date): WaiverRow[] {
    const covered = new Map<string, { note: WaiverNote; covers: string[] }>();
    const stale = new Map<string, WaiverNote>();
    for (const v of report.violations) {
        const note = v.waived ?? v.expiredWaiver;
        if (note !== undefined) {
            const entry = covered.get(note.source) ?? { note, covers: [] };
            entry.covers.push(v.resource);
            covered.set(note.source, entry);
        }
        if (v.stale !== undefined) {
            stale.set(v.stale.source, v.stale);
        }
    }
    const row = (note: WaiverNote, stack?: string): WaiverRow => ({
        status: stale.has(note.source) ? "stale" : dateStatus(note, now),
        daysLeft: daysLeft(note, now),
        policy: note.policy,
        form: note.form,
        source: note.source,
        owner: note.owner,
        expires: note.expires,
        reason: note.reason,
        ...(stack === undefined ? {} : { stack }),
        covers: [...new Set(covered.get(note.source)?.covers ?? [])].sort(),
    });
    const annotations = [...covered.values()].map((c) => c.note).concat([...stale.values()]);
    return [
        ...file.waivers.map((w) => row(w, w.stack)),
        ...[...new Map(annotations.filter((n) => n.form === "annotation").map((n) => [n.source, n])).values()]
            .sort((a, b) => a.source.localeCompare(b.source))
            .map((n) => row(n)),
    ];
}

/** Same policy, stack and objects: the same waiver, whatever its terms. */
const identity = (w: Pick<Waiver, "policy" | "match" | "stack">) => JSON.stringify([w.stack, w.policy, w.match]);

/** Marks the file waivers new, changed (other owner, date or reason) or unchanged against the base's file. */
export function markChanges(rows: WaiverRow[], file: WaiverFile, base: WaiverFile): WaiverRow[] {
    const before = new Map(base.waivers.map((w) => [identity(w), w]));
    const bySource = new Map(file.waivers.map((w) => [w.source, w]));
    return rows.map((row) => {
        const w = bySource.get(row.source);
        if (row.form !== "file" || w === undefined) {
            return row;
        }
        const old = before.get(identity(w));
        const change =
            old === undefined
                ? "new"
                : old.owner !== w.owner || old.expires !== w.expires || old.reason !== w.reason
                  ? "changed"
                  : "unchanged";
        return { ...row, change };
    });
}

const mdCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
const statusCounts = (rows: WaiverRow[]) =>
    (["active", "expiring", "expired", "stale"] as const)
        .map((s) => `${rows.filter((r) => r.status === s).length} ${s}`)
        .join(", ");

/** The step summary: new and changed waivers first, then the rest, with the counts. */
export function waiverMarkdown(rows: WaiverRow[], stack: string): string {
    const rank = (r: WaiverRow) => (r.change === "new" ? 0 : r.change === "changed" ? 1 : 2);
    const sorted = [...rows].sort((a, b) => rank(a) - rank(b));
    const changed = rows.filter((r) => r.change === "new" || r.change === "changed");
    const out = [
        `### Waivers: ${stack}`,
        "",
        `${rows.length} waivers (${statusCounts(rows)}); ${changed.length} new or changed in this PR.`,
        "",
    ];
    if (rows.length > 0) {
        out.push(
            "| Change | Status | Days | Policy | Owner | Expires | Where | Covers | Reason |",
            "|---|---|---|---|---|---|---|---|---|",
            ...sorted.map(
                (r) =>
                    `| ${r.change === "new" || r.change === "changed" ? `**${r.change}**` : ""} | ${r.status} | ${r.daysLeft} | \`${r.policy}\` | ${mdCell(r.owner)} | ${r.expires} | ${mdCell(r.source)}${r.stack === undefined ? "" : ` (stack ${r.stack})`} | ${mdCell(r.covers.join(", ") || "-")} | ${mdCell(r.reason)} |`,
            ),
            "",
        );
    }
    return out.join("\n") + "\n";
}

export function waiverTable(rows: WaiverRow[], file: string): string {
    if (rows.length === 0) {
        return `no waivers (file ${displayPath(file)} and the objects' waive.webstack.dev/ annotations)\n`;
    }
    const header = ["STATUS", "DAYS", "POLICY", "OWNER", "EXPIRES", "WHERE", "COVERS", "REASON"];
    const cells = rows.map((r) => [
        r.status,
        String(r.daysLeft),
        r.policy,
        r.owner,
        r.expires,
        `${r.source}${r.stack === undefined ? "" : ` (stack ${r.stack})`}`,
        r.covers.join(", ") || "-",
        r.reason,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]) =>
        c
            .map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    return [line(header), ...cells.map(line), `${rows.length} waivers: ${statusCounts(rows)}`].join("\n") + "\n";
}

export async function main(
    argv: string[],
    out: (text: string) => void = (t) => process.stdout.write(t),
    err: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
    const { help, flags } = parseCommandLine(WAIVERS_COMMAND, argv);
    if (help) {
        out(helpText(WAIVERS_COMMAND) + "\n");
        return 0;
    }
    try {
        // The check's own flags pass through; --json, --markdown and --base <file> are this command's.
        const checkArgv = argv.filter(
            (a, i) =>
                a !== "--json" &&
                a !== "--markdown" &&
                a !== "--base" &&
                argv[i - 1] !== "--base" &&
                !a.startsWith("--base="),
        );
        const args = parseCheckArgs(checkArgv) as CheckArgs;
        const now = waiverToday();
        const { report } = await check({ ...args, format: "json" });
        const file = waiverFilePath();
        const waivers = loadWaiverFile(file, now);
        let rows = waiverRows(waivers, report, now);
        if (flags.base !== undefined) {
            // The base may have no waiver file yet (the PR adds it): then every file waiver is new.
            const text = fs.existsSync(flags.base) ? fs.readFileSync(flags.base, "utf8") : "";
            rows = markChanges(rows, waivers, parseWaiverFile(text, flags.base, now));
        }
        if (flags.json) {
            out(JSON.stringify({ file: displayPath(file), today: isoDay(now), waivers: rows }) + "\n");
        } else {
            out(flags.markdown ? waiverMarkdown(rows, report.stack || report.source) : waiverTable(rows, file));
        }
        return 0;
    } catch (e) {
        const { error, fix } = describeFailure(e);
        err(`waivers: ${error}\nFix: ${fix}\n`);
        return 2;
    }
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => process.exit(code));
}
