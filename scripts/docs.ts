// `npm run docs`: writes the generated tables of docs/ (the lessons table, the coverage table) from the policy
// catalog (policy/catalog.ts) and the lessons (policy/lessons.ts), and the configuration table from the stack
// config's schema and TSDoc (scripts/config-docs.ts), between marker comments; the rest of each page
// is left as written. test/docs.test.ts fails when a page differs from what this would write.
import * as fs from "fs";
import * as path from "path";
import { resourceOf } from "../admission/generate";
import { FORMS } from "../admission/forms";
import { APISERVER_RULES } from "../offline/apiserver";
import { ADMISSION, CATALOG, CatalogEntry, NOT_COVERED, PeerCheck, PeerSource, PolicyName } from "../policy/catalog";
import { LESSONS, LessonId } from "../policy/lessons";
import { CommandSpec, helpText, parseCommandLine } from "./cli";
import { configurationTable } from "./config-docs";

const ROOT = path.join(__dirname, "..");

const entries = Object.entries(CATALOG) as [PolicyName, CatalogEntry][];
const LEVEL_MARK = { mandatory: "M", advisory: "A" } as const;

/** | id | what happened | component default | policy | tests |, one row per lesson. */
export function lessonsTable(): string {
    const rows = (Object.entries(LESSONS) as [LessonId, (typeof LESSONS)[LessonId]][]).map(([id, lesson]) => {
        const policies = entries
            .filter(([, entry]) => entry.lessons.includes(id))
            .map(([name, entry]) => `\`${name}\` (${LEVEL_MARK[entry.enforcementLevel]})`);
        return `| ${id} | ${lesson.happened} | ${lesson.componentDefault} | ${policies.join(", ") || "—"} | ${lesson.tests.join(", ")} |`;
    });
    return ["| id | what happened | component default | policy | tests |", "|---|---|---|---|---|", ...rows].join("\n");
}

const SOURCES: PeerSource[] = ["PSS baseline", "PSS restricted", "kube-linter", "Polaris"];

/**
 * | source | check | webstack policy | note |: Pod Security controls in the catalog's order (the profile's),
 * kube-linter and Polaris checks alphabetically; a check no policy covers says "not covered" and why.
 */
export function coverageTable(): string {
    const covering = new Map<string, { policies: PolicyName[]; notes: string[]; peer: PeerCheck }>();
    for (const [name, entry] of entries) {
        for (const peer of entry.peers) {
            const key = `${peer.source}\u0000${peer.check}`;
            const row = covering.get(key) ?? { policies: [], notes: [], peer };
            row.policies.push(name);
            if (peer.note !== undefined && !row.notes.includes(peer.note)) {
                row.notes.push(peer.note);
            }
            covering.set(key, row);
        }
    }
    const rows = [
        ...[...covering.values()].map(({ peer, policies, notes }) => ({
            peer,
            policy: policies.map((p) => `\`${p}\``).join(", "),
            note: notes.join("; "),
        })),
        ...NOT_COVERED.map((peer) => ({ peer, policy: "not covered", note: peer.note })),
    ];
    const ordered = SOURCES.flatMap((source) => {
        const ofSource = rows.filter((r) => r.peer.source === source);
        return source.startsWith("PSS")
            ? ofSource
            : ofSource.sort((a, b) => a.peer.check.localeCompare(b.peer.check, "en"));
    });
    const line = (r: (typeof rows)[number]) =>
        `| ${r.peer.source} | ${r.peer.check} | ${r.policy} |${r.note === "" ? "" : ` ${r.note}`} |`;
    return ["| source | check | webstack policy | note |", "|---|---|---|---|", ...ordered.map(line)].join("\n");
}

/** | kinds | rejects | source |: what the check reports as kube-apiserver would, one row per rule of offline/apiserver/. */
export function apiServerRulesTable(): string {
    const rows = APISERVER_RULES.map(
        (rule) =>
            `| ${rule.kinds.includes("*") ? "every object" : rule.kinds.join(", ")} | ${rule.rejects} | ${rule.source} |`,
    );
    return ["| kinds | rejects | k8s.io validation function |", "|---|---|---|", ...rows].join("\n");
}

/** | policy | lessons | pack | at admission | kinds | differences |: where each catalog policy is enforced. */
export function admissionTable(): string {
    const rows = entries.map(([name, entry]) => {
        const coverage = ADMISSION[name];
        const pack = entry.enforcementLevel === "mandatory" ? "mandatory" : "advisory";
        if (coverage !== "cel") {
            return `| \`${name}\` | ${entry.lessons.join(", ")} | ${pack} | — | — | ${coverage.none} |`;
        }
        const form = FORMS[name as keyof typeof FORMS];
        const kinds = [...new Set(form.types.map((t) => resourceOf(t).resource))].join(", ");
        const action = entry.enforcementLevel === "mandatory" ? "Deny" : "Warn + Audit";
        return `| \`${name}\` | ${entry.lessons.join(", ")} | ${pack} | ${action} | ${kinds} | ${form.differs ?? ""} |`;
    });
    return [
        "| policy | lessons | pack | at admission | kinds at admission | differences / why not |",
        "|---|---|---|---|---|---|",
        ...rows,
    ].join("\n");
}

/** The generated parts of the docs: page (relative to the repository) → marker name → its text. */
export function generatedPages(): Record<string, Record<string, string>> {
    return {
        "docs/lessons.md": { "lessons table": lessonsTable() },
        "docs/policies.md": { "coverage table": coverageTable() },
        "docs/apiserver-rules.md": { "API-server rules table": apiServerRulesTable() },
        "docs/admission.md": { "admission table": admissionTable() },
        "docs/configuration.md": { "configuration table": configurationTable() },
    };
}

/** Where a table comes from, when not the catalog or the lessons. */
const EDIT_INSTEAD: Record<string, string> = {
    "API-server rules table": "offline/apiserver/",
    "configuration table": "the TSDoc of program/config.ts StackConfigKeys and the components' Args",
};
const begin = (name: string) =>
    `<!-- generated by npm run docs: ${name} (edit ${EDIT_INSTEAD[name] ?? "policy/catalog.ts or policy/lessons.ts"}, not this table) -->`;
const end = (name: string) => `<!-- end of generated ${name} -->`;

/** A page with each of its generated sections replaced; throws naming a section whose markers are missing. */
export function withGeneratedSections(page: string, text: string): string {
    for (const [name, body] of Object.entries(generatedPages()[page] ?? {})) {
        const start = text.indexOf(begin(name));
        const stop = text.indexOf(end(name));
        if (start < 0 || stop < start) {
            throw new Error(
                `${page} has no "${begin(name)}" ... "${end(name)}" markers. Fix: put both markers around the ${name}, then run npm run docs`,
            );
        }
        text = `${text.slice(0, start)}${begin(name)}\n${body}\n${text.slice(stop)}`;
    }
    return text;
}

export const DOCS_COMMAND = {
    name: "npm run docs --",
    summary:
        "Writes the generated tables of docs/ (lessons, coverage, configuration) from policy/catalog.ts, policy/lessons.ts and the stack config's TSDoc (between the marker comments).",
    flags: {
        check: { type: "boolean", description: "write nothing; exit 1 when a page is stale" },
    },
    exitCodes: { 0: "every page is up to date (or was written)", 1: "--check: a page is stale", 2: "usage error" },
    example: "npm run docs -- --check",
} satisfies CommandSpec;

export function main(argv: string[], log: (line: string) => void = console.log): number {
    const parsed = parseCommandLine(DOCS_COMMAND, argv);
    if (parsed.help) {
        log(helpText(DOCS_COMMAND));
        return 0;
    }
    let stale = 0;
    for (const [page, sections] of Object.entries(generatedPages())) {
        const file = path.join(ROOT, page);
        const current = fs.readFileSync(file, "utf8");
        const wanted = withGeneratedSections(page, current);
        if (current === wanted) {
            log(`docs: ${page} is up to date`);
        } else if (parsed.flags.check) {
            log(`docs: ${page} is stale. Fix: run npm run docs and commit ${page}`);
            stale += 1;
        } else {
            fs.writeFileSync(file, wanted);
            log(`docs: wrote the ${Object.keys(sections).join(" and ")} to ${page}`);
        }
    }
    return stale === 0 ? 0 : 1;
}

if (require.main === module) {
    try {
        process.exit(main(process.argv.slice(2)));
    } catch (err) {
        console.error(`docs: ${(err as Error).message}\n(npm run docs -- --help lists the flags)`);
        process.exit(2);
    }
}
