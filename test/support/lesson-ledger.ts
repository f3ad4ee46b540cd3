// Every lesson needs a passing test, not a mention (issue 30). Loaded by mocha (`require` in .mocharc.json): each
// worker records the file and own title (not the describe's) of every passing test; once the run ends, every
// lesson of policy/lessons.ts whose named test files ran must have a passing test in one of them whose title cites
// its id, or the run fails naming the lesson. Lessons whose files did not run (test:unit, one file) are not judged.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Context } from "mocha";

const ROOT = path.join(__dirname, "..", "..");
const DIR_VARIABLE = "WEBSTACK_LESSON_LEDGER_DIR";

interface Passed {
    file: string;
    title: string;
}

function ledgerDir(): string | undefined {
    return process.env[DIR_VARIABLE];
}

/** The lessons whose named test files ran but whose passing tests there never cite them. */
export function lessonsWithoutPassingTest(
    lessons: Record<string, { tests: string[] }>,
    passed: Passed[],
    ran: Set<string>,
): string[] {
    return Object.entries(lessons)
        .filter(([, lesson]) => lesson.tests.some((file) => ran.has(file)))
        .filter(
            ([id, lesson]) =>
                !passed.some((p) => lesson.tests.includes(p.file) && new RegExp(`\\b${id}\\b`).test(p.title)),
        )
        .map(([id]) => id);
}

export function mochaGlobalSetup(): void {
    process.env[DIR_VARIABLE] = fs.mkdtempSync(path.join(os.tmpdir(), "webstack-lesson-ledger-"));
}

export const mochaHooks = {
    afterEach(this: Context): void {
        const dir = ledgerDir();
        const test = this.currentTest;
        if (dir === undefined || test?.file === undefined) return;
        const file = path.relative(ROOT, test.file);
        const entry: Passed & { state?: string } = { file, title: test.title, state: test.state };
        fs.appendFileSync(path.join(dir, `${process.pid}.jsonl`), JSON.stringify(entry) + "\n");
    },
};

export async function mochaGlobalTeardown(): Promise<void> {
    const dir = ledgerDir();
    if (dir === undefined) return;
    const entries = fs
        .readdirSync(dir)
        .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean))
        .map((line) => JSON.parse(line) as Passed & { state?: string });
    fs.rmSync(dir, { recursive: true, force: true });
    const { LESSONS } = await import("../../policy/lessons");
    const missing = lessonsWithoutPassingTest(
        LESSONS,
        entries.filter((e) => e.state === "passed"),
        new Set(entries.map((e) => e.file)),
    );
    if (missing.length > 0) {
        // Thrown: mocha counts a failed global teardown as a failure (an exit code set here would be overwritten).
        throw new Error(
            `lesson ledger: ${missing.join(", ")} ran without a passing test citing the lesson in the files policy/lessons.ts names. Fix: make that test pass, or name the test that proves the lesson.`,
        );
    }
}
