/**
 * Type-checks a Pulumi TypeScript program the way the Pulumi Node.js language host does before running it:
 * ts-node with type checking on, the project's tsconfig.json (PULUMI_NODEJS_TSCONFIG_PATH, default
 * tsconfig.json in the project directory), skipped when PULUMI_NODEJS_TRANSPILE_ONLY=true or the tsconfig
 * sets `noCheck` (@pulumi/pulumi cmd/run/run.js). Only the files the entry point reaches are checked.
 *
 * A clean result is remembered on disk with everything it depended on: the content of every file the compiler read
 * (sources, declarations, package.json files) and the answer to every question it asked the file system (does this
 * file or directory exist, where does this symlink lead, which @types folders are there). The next check of the
 * same entry point with the same options and TypeScript version is skipped when all of those answers are unchanged,
 * which is what makes a repeated `npm run check` of an unchanged program take seconds instead of ten. Results with
 * errors are never remembered: they are reported fresh every time.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { WEBSTACK_CACHE } from "../policy/repo-root";
import { TypeCheckError } from "./types";

export { TypeCheckError } from "./types";

/** Errors listed in the message; beyond this many, a count. */
const SHOWN_ERRORS = 10;

/**
 * Declaration files of packages (TypeScript's own lib files included), parsed once per process: a process that
 * type-checks several programs (the test suite runs the check in-process) parses @pulumi/kubernetes' types once.
 * A declaration file is parsed and bound the same way whatever the program's options, so programs can share it,
 * as TypeScript's language service shares them. Kept with the hash of the text it was parsed from: a file that
 * changed on disk is parsed again.
 */
const packageDeclarations = new Map<string, { hash: string; file: ts.SourceFile }>();
/** The text hash of each shared declaration, so recording a check's inputs does not hash it a second time. */
const declarationHashes = new WeakMap<ts.SourceFile, string>();
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/** Where clean results are remembered: beside the project's other tool caches (npm ci starts it afresh). */
export const DEFAULT_TYPE_CHECK_CACHE = path.join(WEBSTACK_CACHE, "typecheck");

/** What a clean check depended on: file contents by hash (null: absent) and each file-system question's answer. */
interface CheckInputs {
    files: Record<string, string | null>;
    fileExists: Record<string, boolean>;
    directoryExists: Record<string, boolean>;
    realpath: Record<string, string>;
    directories: Record<string, string[]>;
}

const hashOf = (text: string) => createHash("sha256").update(text).digest("hex");

function readText(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

// The host's optional file-system questions, answered as TypeScript answers them when a host lacks one.
const directoryExists = (host: ts.CompilerHost, dir: string) =>
    host.directoryExists?.(dir) ?? ts.sys.directoryExists(dir);
const realpath = (host: ts.CompilerHost, p: string) => host.realpath?.(p) ?? p;
const directories = (host: ts.CompilerHost, dir: string) => host.getDirectories?.(dir) ?? [];

/** True when every recorded answer is still the same: then the program would type-check exactly as before. */
function unchanged(inputs: CheckInputs, host: ts.CompilerHost): boolean {
    const same = <T>(record: Record<string, T>, now: (key: string) => T) =>
        Object.entries(record).every(([key, value]) => JSON.stringify(now(key)) === JSON.stringify(value));
    return (
        same(inputs.fileExists, (file) => host.fileExists(file)) &&
        same(inputs.directoryExists, (dir) => directoryExists(host, dir)) &&
        same(inputs.realpath, (p) => realpath(host, p)) &&
        same(inputs.directories, (dir) => directories(host, dir)) &&
        same(inputs.files, (file) => {
            const text = host.readFile(file);
            return text === undefined ? null : hashOf(text);
        })
    );
}

/** Wraps a compiler host so that every file it reads and every file-system question it answers is recorded. */
function recordingHost(host: ts.CompilerHost): { host: ts.CompilerHost; inputs: CheckInputs } {
    const inputs: CheckInputs = { files: {}, fileExists: {}, directoryExists: {}, realpath: {}, directories: {} };
    const getSourceFile = host.getSourceFile.bind(host);
    const recorded: ts.CompilerHost = {
        ...host,
        getSourceFile: (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
            const file = getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
            inputs.files[fileName] = file === undefined ? null : (declarationHashes.get(file) ?? hashOf(file.text));
            return file;
        },
        readFile: (file) => {
            const text = host.readFile(file);
            inputs.files[file] = text === undefined ? null : hashOf(text);
            return text;
        },
        fileExists: (file) => (inputs.fileExists[file] = host.fileExists(file)),
        directoryExists: (dir) => (inputs.directoryExists[dir] = directoryExists(host, dir)),
        realpath: (p) => (inputs.realpath[p] = realpath(host, p)),
        getDirectories: (dir) => (inputs.directories[dir] = directories(host, dir)),
    };
    return { host: recorded, inputs };
}

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
        const text = host.readFile(fileName);
        if (text === undefined) {
            return parse(fileName, languageVersionOrOptions, onError);
        }
        const key = `${fileName}\u0000${JSON.stringify(languageVersionOrOptions)}`;
        const hash = hashOf(text);
        let parsed = packageDeclarations.get(key);
        if (parsed?.hash !== hash) {
            parsed = { hash, file: ts.createSourceFile(fileName, text, languageVersionOrOptions) };
            packageDeclarations.set(key, parsed);
            declarationHashes.set(parsed.file, hash);
        }
        return parsed.file;
    };
    return host;
}

/**
 * Type-checks `program`; throws TypeCheckError listing the errors. Says whether it checked, found an unchanged clean
 * result in `cacheDir`, or skipped as the language host would.
 */
export function typeCheckProgram(
    program: string,
    env: NodeJS.ProcessEnv = process.env,
    cacheDir: string = DEFAULT_TYPE_CHECK_CACHE,
): "checked" | "unchanged" | "skipped" {
    if (env.PULUMI_NODEJS_TRANSPILE_ONLY === "true") {
        return "skipped";
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
            return "skipped";
        }
    }
    const compilerOptions = { ...options, noEmit: true };
    const host = compilerHost(compilerOptions);
    const remembered = path.join(
        cacheDir,
        `${hashOf(JSON.stringify([ts.version, path.resolve(program), compilerOptions]))}.json`,
    );
    const previous = readText(remembered);
    if (previous !== undefined && unchanged(JSON.parse(previous) as CheckInputs, host)) {
        return "unchanged";
    }
    const recording = recordingHost(host);
    const compiled = ts.createProgram([program], compilerOptions, recording.host);
    const diagnostics = ts.getPreEmitDiagnostics(compiled).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (diagnostics.length === 0) {
        // Written whole under a temporary name, then renamed: a parallel check never reads half a record.
        fs.mkdirSync(cacheDir, { recursive: true });
        const partial = `${remembered}.${process.pid}.tmp`;
        fs.writeFileSync(partial, JSON.stringify(recording.inputs));
        fs.renameSync(partial, remembered);
        return "checked";
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
