// The configuration table of docs/configuration.md: one row per stack config key, its default and meaning.
// The keys and which are required come from the schema the program validates with (program/config.ts
// configSchema, plus the registry keys), the meaning and the default from the TSDoc of StackConfigKeys and the
// components' Args it is made of (`@defaultValue` tags), read with the TypeScript compiler. Nothing is restated here.
import * as path from "path";
import * as ts from "typescript";
import { z } from "zod";
import { configSchema } from "../program/config";
import { IMAGE_REGISTRY_CONFIG_KEYS } from "../program/registry-config";

const ROOT = path.join(__dirname, "..");
const CONFIG_MODULE = path.join(ROOT, "program", "config.ts");
const KEYS_TYPE = "StackConfigKeys";

interface DocContext {
    checker: ts.TypeChecker;
    sources: readonly ts.SourceFile[];
}

interface Row {
    key: string;
    default: string;
    meaning: string;
}

/** The object schema inside optional, piped (transformed) and refined wrappers, or undefined for any other kind. */
function objectSchema(schema: z.ZodType): z.ZodObject | undefined {
    if (schema instanceof z.ZodOptional) return objectSchema(schema.unwrap() as z.ZodType);
    if (schema instanceof z.ZodPipe) return objectSchema(schema.in as z.ZodType);
    return schema instanceof z.ZodObject ? schema : undefined;
}

/** The TypeScript type StackConfigKeys, a checker for it, and the program's own source files. */
function keysType(): { checker: ts.TypeChecker; type: ts.Type; sources: readonly ts.SourceFile[] } {
    const program = ts.createProgram([CONFIG_MODULE], {
        strict: true,
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        esModuleInterop: true,
        skipLibCheck: true,
        noEmit: true,
        types: [],
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(CONFIG_MODULE);
    const declaration = source?.statements.find(
        (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === KEYS_TYPE,
    );
    if (!declaration) {
        throw new Error(`program/config.ts declares no interface ${KEYS_TYPE}`);
    }
    const sources = program.getSourceFiles().filter((f) => !f.fileName.includes("/node_modules/"));
    return { checker, type: checker.getTypeAtLocation(declaration), sources };
}

/** The property `key` of a type, looked up in each member of a union (site.content is one). */
function propertyOf(checker: ts.TypeChecker, type: ts.Type, key: string): ts.Symbol | undefined {
    const members = type.isUnion() ? type.types : [type];
    for (const member of members) {
        const found = checker.getPropertyOfType(member, key);
        if (found) return found;
    }
    return undefined;
}

/** Whether a type's properties are this repository's (documented) arguments, not a library's (k8s resources). */
function isOwnArgsType(checker: ts.TypeChecker, type: ts.Type): boolean {
    const members = type.isUnion() ? type.types : [type];
    const properties = members.flatMap((m) => checker.getPropertiesOfType(m));
    return (
        properties.length > 0 &&
        properties.every((p) =>
            (p.declarations ?? []).every(
                (d) => !d.getSourceFile().fileName.includes(`${path.sep}node_modules${path.sep}`),
            ),
        )
    );
}

const cell = (text: string) => text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();

/** The file that exports `name`: the link's own target, else the one module of the program exporting it. */
function exportingFile(context: DocContext, name: string, target: ts.DocumentSpan | undefined): string | undefined {
    if (target) return target.fileName;
    const exporting = context.sources.filter((file) => {
        const module = context.checker.getSymbolAtLocation(file);
        return module !== undefined && context.checker.getExportsOfModule(module).some((s) => s.name === name);
    });
    return exporting.length === 1 ? exporting[0].fileName : undefined;
}

/**
 * The text of a `@defaultValue` tag. A `{@link CONSTANT}` in it stands for the constant's value, read from the
 * module exporting it, so the TSDoc names the one definition instead of restating it; a constant holding an
 * object of defaults (NGINX_DEFAULTS) stands for its entry of the key's name.
 */
function defaultOf(context: DocContext, symbol: ts.Symbol, key: string): string | undefined {
    const tag = symbol.getJsDocTags(context.checker).find((t) => t.name === "defaultValue");
    if (!tag?.text) return undefined;
    // A link is the parts "{@link ", its name (linkName when resolved, linkText when not in scope) and "}".
    let inLink = false;
    const text = tag.text.map((part) => {
        if (part.kind === "link") {
            inLink = part.text.startsWith("{");
            return "";
        }
        return inLink ? linkedValue(context, part, key) : part.text;
    });
    const written = text.join("").trim();
    return isLiteral(written) ? `\`${written}\`` : written;
}

function isLiteral(text: string): boolean {
    try {
        JSON.parse(text);
        return true;
    } catch {
        return false;
    }
}

/** The value of the constant a link names, as code. */
function linkedValue(context: DocContext, part: ts.SymbolDisplayPart, key: string): string {
    const name = part.text.trim();
    const file = exportingFile(context, name, (part as ts.JSDocLinkDisplayPart).target);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const value = file === undefined ? undefined : (require(file) as Record<string, unknown>)[name];
    if (value === undefined) {
        throw new Error(
            `config key ${key}: {@link ${name}} in its @defaultValue names no constant exported by one module. Fix: link the constant that holds the default`,
        );
    }
    const option = key.split(".").pop() as string;
    const entry =
        value !== null && typeof value === "object" && !Array.isArray(value) && option in value
            ? (value as Record<string, unknown>)[option]
            : value;
    return `\`${JSON.stringify(entry)}\``;
}

function rowsOf(
    context: DocContext,
    schema: z.ZodObject,
    type: ts.Type,
    prefix: string,
    parentOptional: string | undefined,
): Row[] {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([name, child]) => {
        const key = `${prefix}${name}`;
        const { checker } = context;
        const symbol = propertyOf(checker, type, name);
        if (!symbol) {
            throw new Error(
                `config key ${key} has no property in ${KEYS_TYPE} or the Args it is made of. Fix: declare it there, with TSDoc`,
            );
        }
        const childType = checker.getNonNullableType(checker.getTypeOfSymbol(symbol));
        const inner = objectSchema(child);
        const optional = child.safeParse(undefined).success;
        if (inner && isOwnArgsType(checker, childType)) {
            return rowsOf(context, inner, childType, `${key}.`, optional ? key : parentOptional);
        }
        const meaning = cell(ts.displayPartsToString(symbol.getDocumentationComment(checker)));
        let value: string;
        if (!optional) {
            value = parentOptional ? `required with \`${parentOptional}\`` : "required";
        } else {
            const given = defaultOf(context, symbol, key);
            if (given === undefined) {
                throw new Error(
                    `config key ${key} is optional but its TSDoc has no @defaultValue. Fix: add one to its property's TSDoc`,
                );
            }
            value = cell(given);
        }
        return [{ key, default: value, meaning }];
    });
}

/** The table once per process: type-checking the program for it takes seconds, and the sources do not change. */
let table: string | undefined;

/** | key | default | meaning |, one row per stack config key, in the schema's order, then the registry keys. */
export function configurationTable(): string {
    table ??= tableOfKeys();
    return table;
}

function tableOfKeys(): string {
    const { type, ...context } = keysType();
    const rows = rowsOf(context, configSchema, type, "", undefined);
    const registryKeys = z.strictObject(
        Object.fromEntries(IMAGE_REGISTRY_CONFIG_KEYS.map((key) => [key, z.unknown().optional()])),
    );
    rows.push(...rowsOf(context, registryKeys, type, "", undefined));
    return [
        "| key | default | meaning |",
        "|---|---|---|",
        ...rows.map((r) => `| \`${r.key}\` | ${r.default} | ${r.meaning} |`),
    ].join("\n");
}
