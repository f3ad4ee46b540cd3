/**
 * Type-checks a Pulumi TypeScript program the way the Pulumi Node.js language host does before running it:
 * ts-node with type checking on, the project's tsconfig.json (PULUMI_NODEJS_TSCONFIG_PATH, default
 * tsconfig.json in the project directory), skipped when PULUMI_NODEJS_TRANSPILE_ONLY=true or the tsconfig
 * sets `noCheck` (@pulumi/pulumi cmd/run/run.js). Only the files the entry point reaches are checked.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** The program has type errors: pulumi preview would stop with them before declaring anything. */
export class TypeCheckError extends Error {}

/** Errors listed in the message; beyond this many, a count. */
const SHOWN_ERRORS = 10;

/**
 * Declaration files of packages (TypeScript's own lib files included), parsed once per process: a process that
 * type-checks several programs (the test suite runs the check in-process) parses @pulumi/kubernetes' types once.
 * A declaration file is parsed and bound the same way whatever the program's options, so programs can share it,
 * as TypeScript's language service shares them.
 */
const packageDeclarations = new Map<string, ts.SourceFile>();
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

function compilerHost(options: ts.CompilerOptions): ts.CompilerHost {
    const host = ts.createCompilerHost(options);
    const parse = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
        if (
            shouldCreateNewSourceFile ||
            !fileName.endsWith(".d.ts") ||
            !path.resolve(fileName).includes(NODE_MODULES)
        ) {
            return parse(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
        }
        const key = `${fileName}\u0000${JSON.stringify(languageVersionOrOptions)}`;
        let parsed = packageDeclarations.get(key);
        if (parsed === undefined) {
            parsed = parse(fileName, languageVersionOrOptions, onError);
            if (parsed !== undefined) {
                packageDeclarations.set(key, parsed);
            }
        }
        return parsed;
    };
    return host;
}

export function typeCheckProgram(program: string, env: NodeJS.ProcessEnv = process.env): void {
    if (env.PULUMI_NODEJS_TRANSPILE_ONLY === "true") {
        return;
    }
    const projectDir = path.dirname(program);
    const tsconfig = path.resolve(projectDir, env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json");
    let options: ts.CompilerOptions = {
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.CommonJS,
        esModuleInterop: true,
        skipLibCheck: true,
    };
    if (fs.existsSync(tsconfig)) {
        const read = ts.readConfigFile(tsconfig, (file) => ts.sys.readFile(file));
        if (read.error) {
            throw new TypeCheckError(`${tsconfig}: ${ts.flattenDiagnosticMessageText(read.error.messageText, " ")}`);
        }
        options = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfig)).options;
        if ((options as { noCheck?: boolean }).noCheck === true) {
            return;
        }
    }
    const compilerOptions = { ...options, noEmit: true };
    const compiled = ts.createProgram([program], compilerOptions, compilerHost(compilerOptions));
    const diagnostics = ts.getPreEmitDiagnostics(compiled).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (diagnostics.length === 0) {
        return;
    }
    const lines = diagnostics.slice(0, SHOWN_ERRORS).map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
        if (!d.file || d.start === undefined) {
            return `TS${d.code}: ${text}`;
        }
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
        return `${path.relative(process.cwd(), d.file.fileName)}:${line + 1}:${character + 1} TS${d.code}: ${text}`;
    });
    const more = diagnostics.length > SHOWN_ERRORS ? `; and ${diagnostics.length - SHOWN_ERRORS} more` : "";
    throw new TypeCheckError(
        `${diagnostics.length} type error${diagnostics.length === 1 ? "" : "s"}: ${lines.join("; ")}${more}. ` +
            "Fix: correct them (or pass --skip-type-check, as PULUMI_NODEJS_TRANSPILE_ONLY=true skips them for pulumi)",
    );
}
