/**
 * `npm run check -- --watch` (issue 29 item 3): after the first report it re-checks on every save of an input and
 * prints only the findings that changed (`+` new, `-` gone) with the summary line; it keeps watching after a failed
 * re-check. Run as the command itself (package.json's check script, the compiled checker) in a child process.
 */
import { strict as assert } from "assert";
import { ChildProcessWithoutNullStreams, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHECK_ENV, checkInProcess, ROOT } from "./support/check";

const FIXTURES = path.join(__dirname, "fixtures");

/** The watching command, and a way to wait for its output to match. */
class Watching {
    private output = "";
    private readonly child: ChildProcessWithoutNullStreams;

    constructor(args: string[]) {
        const script = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.check as string;
        const [, ...nodeArgs] = script.split(" ");
        this.child = spawn(process.execPath, [...nodeArgs, "--watch", ...args], { cwd: ROOT, env: CHECK_ENV });
        this.child.stdout.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
        this.child.stderr.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    }

    /** Resolves with the output after `from` once it matches `pattern`; fails with the output otherwise. */
    async waitFor(pattern: RegExp, from = 0): Promise<string> {
        for (let waited = 0; waited < 240_000; waited += 100) {
            const since = this.output.slice(from);
            if (pattern.test(since)) {
                return since;
            }
            if (this.child.exitCode !== null) {
                break;
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.fail(`no ${pattern} in the output of check --watch:\n${this.output}`);
    }

    get length(): number {
        return this.output.length;
    }

    stop(): void {
        this.child.kill();
    }
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "check-watch-"));
}

describe("npm run check -- --watch (issue 29)", function () {
    this.timeout(600_000);

    it("a saved manifest is re-checked: the new finding with +, the fixed one with - (L15 readiness probe)", async () => {
        const dir = tempDir();
        fs.cpSync(path.join(FIXTURES, "manifests", "compliant"), dir, { recursive: true });
        const web = path.join(dir, "web.yaml");
        const compliant = fs.readFileSync(web, "utf8");
        const watching = new Watching(["--manifests", dir]);
        try {
            await watching.waitFor(/watching \d+ files/);
            const first = watching.length;
            // The Deployment's readinessProbe dropped: one (advisory) finding appears.
            fs.writeFileSync(web, compliant.replace(/ {10}readinessProbe:\n( {12}.*\n)+/, ""));
            const broken = await watching.waitFor(
                /re-checked in [\d.]+ s \(.*web\.yaml changed\): 1 new, 0 gone\n.*\n.*1 advisory violation: PASS/,
                first,
            );
            assert.match(
                broken,
                /^\+ advisory +readiness-probe-set \[L15, L27\] kubernetes:apps\/v1:Deployment::shop\/web: /m,
            );
            assert.doesNotMatch(broken, /^- /m);
            const second = watching.length;
            fs.writeFileSync(web, compliant);
            const fixed = await watching.waitFor(/re-checked in [\d.]+ s \(.*\): 0 new, 1 gone\n/, second);
            assert.match(fixed, /^- advisory +readiness-probe-set \[L15, L27\]/m);
        } finally {
            watching.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("one field of a program's stack config changed: re-checked without a type check; a failing run keeps watching (L12 tag)", async () => {
        const dir = tempDir();
        const config = path.join(dir, "Pulumi.dev.yaml");
        const original = fs.readFileSync(path.join(FIXTURES, "programs", "compliant", "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(config, original);
        const program = path.join(FIXTURES, "programs", "compliant", "index.ts");
        const watching = new Watching(["--program", program, "--config", config]);
        try {
            await watching.waitFor(/watching \d+ files/);
            const first = watching.length;
            fs.writeFileSync(config, original.replace(/@sha256:[0-9a-f]+/, ":1.27"));
            const tagged = await watching.waitFor(
                /re-checked in [\d.]+ s \(.*Pulumi\.dev\.yaml changed\): \d+ new/,
                first,
            );
            assert.doesNotMatch(tagged, /type check/, "a config save needs no type check");
            assert.match(tagged, /^\+ mandatory +images-digest-pinned \[L12, L28\]/m);
            const second = watching.length;
            fs.writeFileSync(config, "config: [not, a, mapping\n");
            await watching.waitFor(/re-check failed in [\d.]+ s \(.*\): see above; still watching/, second);
            const third = watching.length;
            fs.writeFileSync(config, original);
            const back = await watching.waitFor(/re-checked in [\d.]+ s .*: 0 new, \d+ gone\n/, third);
            assert.match(back, /^- mandatory +images-digest-pinned \[L12, L28\]/m);
        } finally {
            watching.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("--watch refuses what it cannot re-check: stdin, --out and formats other than text (exit 2)", async () => {
        for (const args of [
            ["--manifests", "-"],
            ["--json"],
            ["--format", "sarif"],
            ["--out", path.join(os.tmpdir(), "watch-out")],
        ]) {
            const run = await checkInProcess(["--watch", ...args], CHECK_ENV, "");
            assert.equal(run.status, 2, args.join(" "));
            assert.match(run.stderr, /--watch re-checks files in text/);
        }
    });
});
