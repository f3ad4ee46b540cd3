// The whole repository type-checks (mocha itself only transpiles). One test in the parallel pool rather than a step
// before it: on a 2-core machine a serial tsc leaves a core idle for its whole run.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..");
const CONFIG = path.join(__dirname, "tsconfig.typecheck.json");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** Modification time in ms, or 0 for a missing file. */
const mtime = (file: string) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);

describe("TypeScript: the repository type-checks (tsc -b test/tsconfig.typecheck.json)", function () {
    this.timeout(300_000);

    it("tsc finds no error in any file the root tsconfig includes", () => {
        const { config } = ts.readConfigFile(CONFIG, (file) => ts.sys.readFile(file)) as {
            config: { compilerOptions: { tsBuildInfoFile: string } };
        };
        const buildInfo = path.resolve(path.dirname(CONFIG), config.compilerOptions.tsBuildInfoFile);
        // Build mode judges "up to date" by the repository's own files; npm rewrites this file whenever it changes
        // node_modules, whose declarations the build info does not watch.
        const installed = mtime(path.join(ROOT, "node_modules", ".package-lock.json"));
        const force = mtime(buildInfo) <= installed ? ["--force"] : [];
        const tsc = spawnSync(process.execPath, [TSC, "-b", CONFIG, "--pretty", "false", ...force], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.equal(tsc.status, 0, `tsc -b ${path.relative(ROOT, CONFIG)}:\n${tsc.stdout}${tsc.stderr}`);
    });
});
