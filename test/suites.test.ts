// `npm test` runs everything; `npm run test:unit` runs everything that needs neither root nor nginx/redis-server
// (issue 15): the tests that start real servers are the *.real.test.ts files, and test:unit leaves exactly those out.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
const mocharc = JSON.parse(fs.readFileSync(path.join(ROOT, ".mocharc.json"), "utf8")) as {
    spec: string[];
    ignore?: string[];
};
/** What starts a real server as root: the sandbox (unshare + setpriv) and the nginx/redis helpers built on it. */
const REAL_SERVER_SUPPORT = /from "\.\/support\/(?:sandbox|nginx|resp)"/;

const matchesAny = (file: string, globs: string[]) => globs.some((glob) => path.matchesGlob(file, glob));
/** The test files `mocha` finds with the repository's .mocharc.json, plus `extraIgnore`. */
function suite(extraIgnore: string[]): string[] {
    return fs
        .globSync(mocharc.spec, { cwd: ROOT })
        .filter((file) => !matchesAny(file, [...(mocharc.ignore ?? []), ...extraIgnore]))
        .sort();
}

describe("test suites: npm test and npm run test:unit (issue 15)", () => {
    const all = suite([]);
    const realServer = all.filter((file) => REAL_SERVER_SUPPORT.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
    const unitIgnore = [...scripts["test:unit"].matchAll(/--ignore '([^']+)'/g)].map((m) => m[1]);

    it("every test file that starts nginx or redis-server is named *.real.test.ts", () => {
        assert.ok(realServer.length >= 2, `found ${realServer.join(", ")}`);
        assert.deepEqual(
            realServer.filter((file) => !file.endsWith(".real.test.ts")),
            [],
        );
    });

    it("test:unit runs every test file except the real-server ones; npm test runs all of them", () => {
        assert.deepEqual(
            suite(unitIgnore),
            all.filter((file) => !realServer.includes(file)),
        );
        assert.equal(scripts.test, "mocha", "npm test runs mocha with the repository's config, nothing left out");
        assert.ok(realServer.length > 0 && realServer.every((file) => all.includes(file)));
    });
});

describe("house style: one file-naming convention (issue 15)", () => {
    it("every TypeScript file is named in kebab-case, as the policies it holds are (images-digest-pinned.ts)", () => {
        const files = execFileSync("git", ["ls-files", "*.ts"], { cwd: ROOT, encoding: "utf8" }).trim().split("\n");
        assert.ok(files.length > 100, `git ls-files found ${files.length} TypeScript files`);
        const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+)*\.ts$/;
        assert.deepStrictEqual(
            files.filter((file) => !KEBAB.test(path.basename(file))),
            [],
            "rename these to kebab-case (lower case, words joined by -)",
        );
    });
});
