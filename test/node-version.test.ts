// Issue 11 item 1: one supported Node everywhere. npm warns EBADENGINE when the running node falls outside a
// package's `engines.node`; .ci/run (tools/node/install.sh), users and the workflows (test/workflows.test.ts) read
// `.node-version`.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";

const ROOT = path.join(__dirname, "..");
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as Record<string, any>;

const nodeVersion = fs.readFileSync(path.join(ROOT, ".node-version"), "utf8").trim();
interface LockEntry {
    engines?: { node?: string } | string[];
    hasInstallScript?: boolean;
}
/** Every installed package of package-lock.json by name (the root project's own entry, key "", left out). */
const installed: [name: string, entry: LockEntry][] = Object.entries(
    readJson("package-lock.json").packages as Record<string, LockEntry>,
)
    .filter(([key]) => key.includes("node_modules/"))
    .map(([key, entry]) => [key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length), entry]);

/** Lock entries whose `engines.node` the given Node version does not satisfy: what npm would warn EBADENGINE about. */
function engineMismatches(version: string): string[] {
    return installed.flatMap(([name, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return range && !semver.satisfies(version, range) ? [`${name} needs node ${range}`] : [];
    });
}

describe("supported Node.js: .node-version, engines and npm ci (issue 11)", () => {
    it(".node-version is an exact release that every installed package's engines.node accepts (no EBADENGINE)", () => {
        assert.ok(semver.valid(nodeVersion), `.node-version holds ${JSON.stringify(nodeVersion)}, not a version`);
        assert.deepEqual(engineMismatches(nodeVersion), []);
    });

    it("the check has teeth: Node 20, which these machines ship, misses @pulumi/pulumi's and kubernetes-models' range", () => {
        const mismatches = engineMismatches("20.19.5").join("\n");
        assert.match(mismatches, /^@pulumi\/pulumi needs node >=22/m);
        assert.match(mismatches, /^kubernetes-models needs node >=22/m);
    });

    it("the project, the policy pack and the components package all declare engines.node >=22, and .node-version meets it", () => {
        for (const file of ["package.json", "policy/package.json", "components/package.json"]) {
            const range = (readJson(file).engines as { node?: string } | undefined)?.node;
            assert.equal(range, ">=22", `${file} engines.node`);
            assert.ok(semver.satisfies(nodeVersion, range), `${file}: ${nodeVersion} outside ${range}`);
        }
    });

    it("the test run itself uses the Node of .node-version's major (tools/node/install.sh under .ci/run)", () => {
        assert.equal(semver.major(process.versions.node), semver.major(nodeVersion), `running node ${process.version}`);
    });

    it("every dependency with an install script is reviewed in allowScripts (npm 12 blocks unreviewed ones; npm 11 warns)", () => {
        const allowScripts = (readJson("package.json").allowScripts ?? {}) as Record<string, boolean>;
        const withScripts = installed.filter(([, entry]) => entry.hasInstallScript).map(([name]) => name);
        assert.ok(
            withScripts.includes("@pulumi/kubernetes"),
            `lock lists install scripts of ${withScripts.join(", ")}`,
        );
        assert.deepEqual(
            withScripts.filter((name) => !(name in allowScripts)),
            [],
        );
    });
});
