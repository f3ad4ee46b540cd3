/**
 * `npm run check` runs the checker compiled to JavaScript (offline/launch.js → dist/, issue 29). These tests hold it
 * to the sources it was compiled from: the same fixtures give the same report (stdout, byte for byte) and exit code
 * from the compiled command as from the TypeScript sources run under ts-node in this process, the way the check ran
 * before; and `--manifests` runs without loading the Pulumi SDKs, TypeScript or ts-node.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHECK_ENV, checkInProcess, checkProcess, ROOT } from "./support/check";

const FIXTURES = path.join(__dirname, "fixtures");
const VIOLATING_YAML = path.join(FIXTURES, "programs", "yaml-violation", "bad.yaml");

/** Manifests and programs, passing and failing, in the formats whose output differs most. */
const CASES: string[][] = [
    ["--manifests", path.join(FIXTURES, "manifests", "compliant"), "--json"],
    ["--manifests", VIOLATING_YAML, "--json"],
    ["--manifests", VIOLATING_YAML, "--format", "sarif"],
    ["--manifests", VIOLATING_YAML, "--format", "text", "--policy-config", "policy-config.example.json"],
    ["--stack", "dev", "--json"],
    ["--stack", "qa", "--format", "text"],
    ["--program", path.join(FIXTURES, "programs", "violation", "index.ts"), "--json", "--skip-type-check"],
    ["--program", path.join(FIXTURES, "programs", "yaml-violation", "index.ts"), "--json", "--skip-type-check"],
    ["--program", path.join(FIXTURES, "programs", "throws", "index.ts"), "--json", "--skip-type-check"],
];

describe("npm run check compiled (issue 29): the same findings as from the sources", function () {
    this.timeout(600_000);

    for (const args of CASES) {
        const shown = args.map((a) => path.relative(ROOT, a) || a).join(" ");
        it(`check ${shown}: same report and exit code compiled as from the TypeScript sources`, async () => {
            const fromSources = await checkInProcess(args);
            const compiled = checkProcess(args);
            assert.equal(compiled.status, fromSources.status, compiled.stderr);
            assert.equal(compiled.stdout, fromSources.stdout);
            assert.ok(fromSources.stdout.length > 0, "the report is not empty");
        });
    }

    it("--manifests loads neither @pulumi/pulumi nor @pulumi/policy, nor TypeScript or ts-node; a program check does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-compiled-"));
        const preload = path.join(dir, "list-modules.js");
        const listed = path.join(dir, "modules.json");
        fs.writeFileSync(
            preload,
            `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(listed)}, JSON.stringify(Object.keys(require.cache))));\n`,
        );
        const loaded = (args: string[]) => {
            const run = checkProcess(args, { env: { ...CHECK_ENV, NODE_OPTIONS: `--require ${preload}` } });
            assert.ok(run.status === 0 || run.status === 1, run.stderr);
            return (JSON.parse(fs.readFileSync(listed, "utf8")) as string[]).map((f) => path.relative(ROOT, f));
        };
        // Node lists modules by their real path: node_modules may be a link (Stryker's sandbox links the repository's).
        const nodeModules = fs.realpathSync(path.join(ROOT, "node_modules"));
        const heavy = (modules: string[]) =>
            modules.filter((f) =>
                /^(@pulumi\/(pulumi|policy)|typescript|ts-node)\//.test(
                    path.relative(nodeModules, path.resolve(ROOT, f)).split(path.sep).join("/"),
                ),
            );
        const manifests = loaded(["--manifests", VIOLATING_YAML, "--json"]);
        assert.ok(
            manifests.some((f) => f.startsWith(path.join("dist", "policy", "rules"))),
            "the compiled rules ran",
        );
        assert.deepEqual(heavy(manifests), []);
        const program = loaded(["--program", path.join(FIXTURES, "programs", "violation", "index.ts"), "--json"]);
        assert.ok(heavy(program).length > 0, "a program check loads the SDK and TypeScript (the list is not blind)");
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
