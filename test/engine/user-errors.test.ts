/**
 * What a user sees on their own verbs (issue 23): a mistake in the stack config reaches `pulumi preview` and
 * `pulumi up` under the real CLI as one clean line per problem, all problems at once, in the
 * "field: problem (got v). Fix: … [Lxx]" format — no stack frames, no "Unhandled exception", nothing repeated —
 * and `npm run check` prints the very same lines (L22).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { checkInProcess } from "../support/check";
import { WATCH_LIST_ENV } from "../../program/provider-env";
import { CliResult, EngineStack, ROOT } from "./engine";

interface BadConfigCase {
    title: string;
    /** Changes the dev stack file's `config:` mapping. */
    edit: (config: Record<string, any>) => void;
    /** One per problem the run must report: the field it names and the shape of its line. */
    problems: { field: string; line: RegExp }[];
    /** Text that must not appear anywhere (a secret's value). */
    hidden?: string;
}

const CASES: BadConfigCase[] = [
    {
        title: "api.port 80 (a privileged port) [L02, L18]",
        edit: (c) => (c["webstack:api"].port = 80),
        problems: [
            { field: "api.port", line: /must be an integer from 1024 to 65535 .*\(got 80\)\. Fix: .*\[L02, L18\]$/ },
        ],
    },
    {
        title: "a malformed api.image and api.port 80 together: both named in one run [L12, L18]",
        edit: (c) => {
            c["webstack:api"].image = c["webstack:api"].image.replace("north-api", "North-api");
            c["webstack:api"].port = 80;
        },
        problems: [
            { field: "api.image", line: /is not an image reference: .*"North-api" with upper-case letters .*\[L12\]$/ },
            { field: "api.port", line: /must be an integer from 1024 to 65535 .*\[L02, L18\]$/ },
        ],
    },
    {
        title: "a secret in plain text in api.env, its value never shown [L19]",
        edit: (c) => (c["webstack:api"].env = { DB_PASSWORD: "hunter2-engine-case" }),
        problems: [
            { field: "api.env.DB_PASSWORD", line: /looks like a secret .*\(got <secret, not shown>\).*\[L19\]$/ },
        ],
        hidden: "hunter2-engine-case",
    },
    {
        title: "an unknown key (webstack:namspace) with its did-you-mean [L22]",
        edit: (c) => (c["webstack:namspace"] = "qr-demo-dev"),
        problems: [{ field: "namspace", line: /is not a known setting .*did you mean namespace\?.*\[L22\]$/ }],
    },
];

/** The line of `output` that reports `field`, from the field on (the CLI indents its diagnostics). */
function linesFor(output: string, field: string): string[] {
    return output
        .split("\n")
        .filter((line) => line.includes(`${field}: `) && / \(got .*\)\.? Fix: /.test(line))
        .map((line) => line.slice(line.indexOf(`${field}: `)).trimEnd());
}

/** The `error:` lines of the CLI's "Diagnostics:" section (the progress rows above repeat them as they come). */
function diagnosticErrors(output: string): string[] {
    const section = output.slice(output.indexOf("\nDiagnostics:\n"));
    const end = section.search(/\n(Resources|Policies|Outputs):\n/);
    return (end < 0 ? section : section.slice(0, end))
        .split("\n")
        .filter((line) => /^\s+error: /.test(line))
        .map((line) => line.replace(/^\s+error: /, "").trimEnd());
}

/** What no user-caused error may print: a stack frame, the SDK's "Unhandled exception", a path into our code. */
const NOISE = [/Unhandled exception/i, /^\s+at .+[:(]\d+:\d+\)?$/m, /components\/\w[\w-]*\.ts/, /WebStackArgError/];

/**
 * The run's own failure after the problems (components/errors.ts ProblemsReported): it only counts them. The
 * Automation API's inline runtime shows a program's failure twice (it logs the uncaught RunError and returns it as
 * the run's error); the Node.js language host logs it once and bails. No problem line is ever repeated.
 */
const SUMMARY = /^the stack config: (\d+) problems?, each reported above; nothing was deployed$/;

function assertClean(result: CliResult, c: BadConfigCase): void {
    const output = result.stdout + result.stderr;
    assert.notEqual(result.code, 0, output);
    for (const noise of NOISE) {
        assert.doesNotMatch(output, noise, output);
    }
    const errors = diagnosticErrors(output);
    const summaries = errors.filter((e) => SUMMARY.test(e));
    const problems = errors.filter((e) => !SUMMARY.test(e));
    assert.equal(problems.length, c.problems.length, `one error per problem, nothing else:\n${output}`);
    for (const problem of c.problems) {
        const lines = problems.filter((e) => e.startsWith(`${problem.field}: `));
        assert.equal(lines.length, 1, `${problem.field} must be reported exactly once:\n${output}`);
        assert.match(lines[0], problem.line);
    }
    assert.ok(summaries.length >= 1 && summaries.length <= 2, output);
    assert.equal(Number(SUMMARY.exec(summaries[0])![1]), c.problems.length);
    if (c.hidden !== undefined) {
        assert.ok(!output.includes(c.hidden), "the secret's value was printed");
    }
}

describe("engine: a bad stack config reads cleanly under pulumi preview and pulumi up, as in npm run check [L22]", function () {
    this.timeout(600_000);
    let dir: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "webstack-user-errors-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The dev stack file with `edit` applied, written as Pulumi.dev.yaml of its own folder. */
    function badStackFile(c: BadConfigCase, i: number): string {
        const file = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
        c.edit(file.config);
        fs.mkdirSync(path.join(dir, String(i)));
        const written = path.join(dir, String(i), "Pulumi.dev.yaml");
        fs.writeFileSync(written, YAML.stringify(file));
        return written;
    }

    CASES.forEach((c, i) => {
        it(`[L22] ${c.title}`, async () => {
            const configFile = badStackFile(c, i);
            const stack = await EngineStack.create({ stack: "dev", configFile });
            try {
                const preview = await stack.withProgram(["preview"], { allowFailure: true });
                assertClean(preview, c);
                // `up` fails the same way, before anything is created.
                const up = await stack.withProgram(["up", "--yes", "--skip-preview"], { allowFailure: true });
                assertClean(up, c);
                assert.ok(!fs.existsSync(stack.renderDir), "pulumi up created objects despite the errors");

                const check = await checkInProcess(["--stack", "dev", "--config", configFile]);
                assert.equal(check.status, 2, check.stdout + check.stderr);
                for (const problem of c.problems) {
                    assert.deepEqual(
                        linesFor(check.stderr, problem.field),
                        diagnosticErrors(preview.stdout + preview.stderr).filter((e) =>
                            e.startsWith(`${problem.field}: `),
                        ),
                        `npm run check and pulumi preview print ${problem.field} differently`,
                    );
                }
            } finally {
                stack.remove();
            }
        });
    });
});

describe("engine: a shell that leaves the provider's streaming list off reads as one warning with its fix [L15]", function () {
    this.timeout(600_000);

    it("[L15] pulumi preview warns once, naming KUBE_FEATURE_WatchListClient, its value and the export that fixes it; with the variable on, nothing", async () => {
        const stack = await EngineStack.create({ stack: "dev" });
        try {
            const off = await stack.withProgram(["preview"], { env: { [WATCH_LIST_ENV]: "false" } });
            const warnings = (off.stdout + off.stderr)
                .split("\n")
                .filter((line) => /^\s+warning: /.test(line) && line.includes(WATCH_LIST_ENV));
            // The CLI prints a diagnostic in the progress rows and again under "Diagnostics:".
            assert.ok(warnings.length >= 1 && warnings.length <= 2, off.stdout + off.stderr);
            for (const line of warnings) {
                assert.match(
                    line,
                    new RegExp(`${WATCH_LIST_ENV} is "false": .*\\(L15\\)\\. Fix: export ${WATCH_LIST_ENV}=true`),
                );
            }
            const on = await stack.withProgram(["preview"]);
            assert.ok(!(on.stdout + on.stderr).includes(WATCH_LIST_ENV), on.stdout + on.stderr);
        } finally {
            stack.remove();
        }
    });
});
