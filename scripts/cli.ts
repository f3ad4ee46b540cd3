/**
 * One command-line contract for every command (check, promote, verify, drift-report, benches, engine scripts):
 * a declared list of flags, `--help` with usage, flags, defaults, exit codes and an example, and unknown flags
 * answered with a did-you-mean. Parsing is node's util.parseArgs; this adds the help text and the messages.
 */
import { parseArgs } from "util";
import { didYouMean } from "../components/did-you-mean";

export interface FlagSpec {
    type: "string" | "boolean";
    /** What the flag does, one line. */
    description: string;
    /** Shown in --help; also the parsed value when the flag is absent. */
    default?: string | boolean;
    /** Placeholder in --help, e.g. "<stack>". Default: "<value>". */
    valueName?: string;
    /** Single-letter alias. */
    short?: string;
    /** The flag may be repeated; values arrive as an array. */
    multiple?: boolean;
}

export interface CommandSpec {
    /** How the user runs it, e.g. "npm run check --". */
    name: string;
    /** One sentence: what the command does. */
    summary: string;
    flags: Record<string, FlagSpec>;
    /** Positional arguments in the usage line, e.g. "<file>"; none when absent. */
    positionals?: string;
    /** Exit code → meaning. */
    exitCodes: Record<number, string>;
    /** One example command line. */
    example: string;
}

/** A bad command line: the caller prints the message and the usage, and exits 2. */
export class UsageError extends Error {}

type FlagValue<F extends FlagSpec> = F["multiple"] extends true
    ? F["type"] extends "boolean"
        ? boolean[]
        : string[]
    : F["type"] extends "boolean"
      ? boolean
      : string;

export type ParsedFlags<S extends CommandSpec> = {
    [K in keyof S["flags"]]: S["flags"][K] extends { default: unknown }
        ? FlagValue<S["flags"][K]>
        : FlagValue<S["flags"][K]> | undefined;
};

export interface ParsedCommandLine<S extends CommandSpec> {
    /** True when --help or -h was given: print helpText(spec) and exit 0, whatever else is there. */
    help: boolean;
    flags: ParsedFlags<S>;
    /** The flags written on the command line (by name, also when written by their short alias), defaults aside. */
    given: ReadonlySet<keyof S["flags"] & string>;
    positionals: string[];
}

export function parseCommandLine<S extends CommandSpec>(spec: S, argv: string[]): ParsedCommandLine<S> {
    if (argv.includes("--help") || argv.includes("-h")) {
        return { help: true, flags: {} as ParsedFlags<S>, given: new Set(), positionals: [] };
    }
    const known = Object.keys(spec.flags);
    for (const token of argv) {
        if (token === "--") {
            break;
        }
        if (token.startsWith("--")) {
            const name = token.slice(2).split("=")[0];
            if (!known.includes(name)) {
                throw new UsageError(`unknown flag --${name}.${didYouMean(name, known).replace(/"(.*)"/, "--$1")}`);
            }
        }
    }
    const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
    for (const [name, flag] of Object.entries(spec.flags)) {
        options[name] = {
            type: flag.type,
            ...(flag.short ? { short: flag.short } : {}),
            ...(flag.multiple ? { multiple: true } : {}),
        };
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
        parsed = parseArgs({
            args: argv,
            options,
            strict: true,
            allowPositionals: spec.positionals !== undefined,
            tokens: true,
        });
    } catch (err) {
        throw new UsageError(
            (err as Error).message
                .replace(/\. To specify an option argument.*$/s, "")
                .replace(/^Option '([^']*)'/, "flag $1"),
        );
    }
    const flags: Record<string, unknown> = {};
    for (const [name, flag] of Object.entries(spec.flags)) {
        const value = parsed.values[name];
        if (flag.type === "string" && typeof value === "string" && value === "") {
            throw new UsageError(`--${name} needs a value (${flag.valueName ?? "<value>"}).`);
        }
        flags[name] = value ?? flag.default;
    }
    // Strict parsing: every option token is a declared flag, named by its long name even when written short.
    const given = new Set((parsed.tokens ?? []).flatMap((token) => (token.kind === "option" ? [token.name] : [])));
    return {
        help: false,
        flags: flags as ParsedFlags<S>,
        given,
        positionals: parsed.positionals,
    };
}

export function helpText(spec: CommandSpec): string {
    const flagLabel = (name: string, flag: FlagSpec) =>
        `${flag.short ? `-${flag.short}, ` : ""}--${name}${flag.type === "string" ? ` ${flag.valueName ?? "<value>"}` : ""}`;
    const labels = Object.entries(spec.flags).map(([name, flag]) => flagLabel(name, flag));
    labels.push("-h, --help");
    const width = Math.max(...labels.map((l) => l.length));
    const flagLines = Object.values(spec.flags).map((flag, i) => {
        const shown = flag.default === undefined || flag.default === false ? "" : ` (default: ${flag.default})`;
        return `  ${labels[i].padEnd(width)}  ${flag.description}${shown}${flag.multiple ? " (repeatable)" : ""}`;
    });
    flagLines.push(`  ${"-h, --help".padEnd(width)}  print this help and exit 0`);
    const exitLines = Object.entries(spec.exitCodes).map(([code, meaning]) => `  ${code}  ${meaning}`);
    return [
        `usage: ${spec.name} [flags]${spec.positionals ? ` ${spec.positionals}` : ""}`,
        "",
        spec.summary,
        "",
        "flags:",
        ...flagLines,
        "",
        "exit codes:",
        ...exitLines,
        "",
        "example:",
        `  ${spec.example}`,
        "",
    ].join("\n");
}
