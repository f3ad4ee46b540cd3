// components/package.json's prepack, before an incremental `tsc -b`: makes dist/ hold exactly the outputs of the
// project's sources. tsc never deletes the output of a renamed or deleted source (npm pack would ship it), and it
// judges a build up to date from its build info alone, even when an output file has since been deleted.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const OUTPUT = /(\.d\.ts|\.js)$/;

/** The files `tsc -b` writes for a tsconfig (paths relative to its outDir), and where its build info lives. */
export function projectOutputs(tsconfig: string): { outDir: string; buildInfo: string; outputs: string[] } {
    const read = ts.readConfigFile(tsconfig, (file) => ts.sys.readFile(file));
    if (read.error) {
        throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
    }
    const { options, fileNames } = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfig));
    const { outDir, rootDir, tsBuildInfoFile } = options;
    if (outDir === undefined || rootDir === undefined || tsBuildInfoFile === undefined) {
        throw new Error(`${tsconfig}: set outDir, rootDir and tsBuildInfoFile, so every output has one known place`);
    }
    const outputs = fileNames
        .filter((file) => !file.endsWith(".d.ts"))
        .flatMap((file) => {
            const base = path.relative(rootDir, file).replace(/\.ts$/, "");
            return [`${base}.js`, `${base}.d.ts`];
        });
    return { outDir, buildInfo: tsBuildInfoFile, outputs: outputs.sort() };
}

/** Outputs in `outDir` that no source produces (stale), and expected outputs that are not there (missing). */
export function compareOutputs(outDir: string, expected: string[]): { stale: string[]; missing: string[] } {
    const present = fs.existsSync(outDir)
        ? (fs.readdirSync(outDir, { recursive: true }) as string[]).filter((file) => OUTPUT.test(file))
        : [];
    return {
        stale: present.filter((file) => !expected.includes(file)).sort(),
        missing: expected.filter((file) => !present.includes(file)),
    };
}

if (require.main === module) {
    const { outDir, buildInfo, outputs } = projectOutputs(
        path.join(__dirname, "..", "..", "components", "tsconfig.json"),
    );
    const { stale, missing } = compareOutputs(outDir, outputs);
    for (const file of stale) {
        fs.rmSync(path.join(outDir, file));
        console.error(`dist-outputs: removed ${file} (no source compiles to it any more)`);
    }
    if (missing.length > 0 && fs.existsSync(buildInfo)) {
        fs.rmSync(buildInfo);
        console.error(`dist-outputs: ${missing.join(", ")} missing: the build info is removed, so tsc -b builds all`);
    }
}
