// Every command answers --help (usage, flags, defaults, exit codes, example; exit 0), names the closest flag for
// a misspelt one (exit 2), and docs/commands.md's tables list exactly the flags, placeholders and
// defaults its help does.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BENCH_CHECK_COMMAND, main as benchCheckMain } from "../bench/check";
import { BENCH_CHECK_INPUT_COMMAND, main as benchCheckInputMain } from "../bench/check-input";
import { BENCH_FAST_COMMAND, main as benchFastMain } from "../bench/fast";
import { BENCH_NGINX_COMMAND, main as benchNginxMain } from "../bench/nginx";
import { CommandSpec, UsageError } from "../scripts/cli";
import { DOCS_COMMAND, main as docsMain } from "../scripts/docs";
import { DRIFT_REPORT_COMMAND, main as driftReportMain } from "../scripts/drift-report";
import { main as promoteMain, PROMOTE_COMMAND } from "../scripts/promote";
import { main as recoverMain, RECOVER_COMMAND } from "../scripts/recover";
import { main as verifyMain, VERIFY_COMMAND } from "../scripts/verify";
import { main as waiversMain, WAIVERS_COMMAND } from "../scripts/waivers";

/** Runs a command's main with `argv`; returns its exit code (a thrown UsageError is the exit 2 of the entry point) and output. */
type Runner = (argv: string[]) => Promise<{ code: number; output: string }>;

/** Collects console.log/console.error while `run` runs (drift-report writes there directly). */
async function capturingConsole(
    run: (log: (text: string) => void) => Promise<number> | number,
): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const saved = { log: console.log, error: console.error };
    console.log = (...a: unknown[]) => lines.push(a.join(" "));
    console.error = (...a: unknown[]) => lines.push(a.join(" "));
    try {
        return { code: await run((text) => lines.push(text)), output: lines.join("\n") };
    } catch (err) {
        if (err instanceof UsageError) {
            return { code: 2, output: [...lines, err.message].join("\n") };
        }
        throw err;
    } finally {
        console.log = saved.log;
        console.error = saved.error;
    }
}

const COMMANDS: Array<{ spec: CommandSpec; run: Runner; misspelt: [typo: string, meant: string] }> = [
    {
        spec: PROMOTE_COMMAND,
        run: (argv) => capturingConsole((log) => promoteMain(argv, process.cwd(), log)),
        misspelt: ["--dryrun", "--dry-run"],
    },
    {
        spec: VERIFY_COMMAND,
        run: (argv) => capturingConsole((log) => verifyMain(argv, log)),
        misspelt: ["--timout", "--timeout"],
    },
    {
        spec: DOCS_COMMAND,
        run: (argv) => capturingConsole((log) => docsMain(argv, log)),
        misspelt: ["--chek", "--check"],
    },
    {
        spec: DRIFT_REPORT_COMMAND,
        run: (argv) => capturingConsole(() => driftReportMain(argv)),
        misspelt: ["--stak", "--stack"],
    },
    {
        spec: RECOVER_COMMAND,
        run: (argv) => capturingConsole((log) => recoverMain(argv, log)),
        misspelt: ["--stak", "--stack"],
    },
    {
        spec: WAIVERS_COMMAND,
        run: (argv) => capturingConsole((log) => waiversMain(argv, log, log)),
        misspelt: ["--stak", "--stack"],
    },
    {
        spec: BENCH_CHECK_COMMAND,
        run: (argv) => capturingConsole((log) => benchCheckMain(argv, log, log) ?? -1),
        misspelt: ["--rep", "--reps"],
    },
    {
        spec: BENCH_CHECK_INPUT_COMMAND,
        run: (argv) => capturingConsole((log) => benchCheckInputMain(argv, log, log)),
        misspelt: ["--rep", "--reps"],
    },
    {
        spec: BENCH_FAST_COMMAND,
        run: (argv) => capturingConsole((log) => benchFastMain(argv, log, log)),
        misspelt: ["--rep", "--reps"],
    },
    {
        spec: BENCH_NGINX_COMMAND,
        run: (argv) => capturingConsole((log) => benchNginxMain(argv, log, log)),
        misspelt: ["--round", "--rounds"],
    },
];

const COMMANDS_PAGE = fs.readFileSync(path.join(__dirname, "..", "docs", "commands.md"), "utf8");

/** docs/commands.md: heading → rows of [flag label, default column]. */
function commandsPageTables(): Map<string, Array<[label: string, defaultText: string]>> {
    const tables = new Map<string, Array<[string, string]>>();
    let current: Array<[string, string]> | undefined;
    for (const line of COMMANDS_PAGE.split("\n")) {
        const heading = /^## `([^`]+)`/.exec(line);
        if (heading) {
            current = [];
            tables.set(heading[1], current);
            continue;
        }
        // Cells split at unescaped pipes: "--pods <file>\|kubectl" is one cell.
        const cells = line.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
        const label = /^`(--[^`]+)`$/.exec(cells[1] ?? "");
        if (current && label) {
            current.push([label[1], cells[2]]);
        }
    }
    return tables;
}

function helpLabel(name: string, flag: CommandSpec["flags"][string]): string {
    return `--${name}${flag.type === "string" ? ` ${flag.valueName ?? "<value>"}` : ""}`;
}

const headingOf = (spec: CommandSpec) => spec.name.replace(/ --$/, "");

describe("every command explains itself: --help, did-you-mean, docs/commands.md agrees (issue 11)", () => {
    const tables = commandsPageTables();

    it("docs/commands.md documents exactly these commands in its flag tables", () => {
        assert.deepStrictEqual([...tables.keys()].sort(), COMMANDS.map((c) => headingOf(c.spec)).sort());
    });

    for (const { spec, run, misspelt } of COMMANDS) {
        describe(headingOf(spec), () => {
            it("--help prints usage, every flag with its default, the exit codes and an example, and exits 0", async () => {
                const { code, output } = await run(["--help"]);
                assert.strictEqual(code, 0, output);
                assert.ok(output.startsWith(`usage: ${spec.name} [flags]`), output);
                for (const [name, flag] of Object.entries(spec.flags)) {
                    const line = output.split("\n").find((l) => l.includes(helpLabel(name, flag)));
                    assert.ok(line, `--help does not list ${helpLabel(name, flag)}:\n${output}`);
                    if (typeof flag.default === "string") {
                        assert.ok(
                            line.includes(`(default: ${flag.default})`),
                            `--help does not give the default of --${name}: ${line}`,
                        );
                    }
                }
                for (const code of Object.keys(spec.exitCodes)) {
                    assert.match(output, new RegExp(`^  ${code}  \\S`, "m"));
                }
                assert.ok(output.includes(`example:\n  ${spec.example}`), output);
            });

            it(`a misspelt flag (${misspelt[0]}) exits 2 naming ${misspelt[1]}`, async () => {
                const { code, output } = await run([misspelt[0], "1"]);
                assert.strictEqual(code, 2, output);
                assert.ok(output.includes(`unknown flag ${misspelt[0]}. Did you mean ${misspelt[1]}?`), output);
            });

            it("docs/commands.md lists exactly its flags, with the same placeholders and defaults", () => {
                const rows = tables.get(headingOf(spec));
                assert.ok(rows, `docs/commands.md has no "## \`${headingOf(spec)}\`" table`);
                const documented = new Map(rows);
                const helped = Object.entries(spec.flags).map(([name, flag]) => helpLabel(name, flag));
                assert.deepStrictEqual(
                    [...documented.keys()].sort(),
                    [...helped].sort(),
                    "docs/commands.md flags differ from --help",
                );
                for (const [name, flag] of Object.entries(spec.flags)) {
                    if (typeof flag.default === "string") {
                        const text = documented.get(helpLabel(name, flag))!;
                        assert.ok(
                            text.includes(`\`${flag.default}\``),
                            `docs/commands.md gives --${name} the default "${text}", --help ${flag.default}`,
                        );
                    }
                }
            });
        });
    }
});
