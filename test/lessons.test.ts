// Every lesson L01–L32 maps to a component default, the policies that catch it (where checkable) and
// regression tests: check that map (policy/lessons.ts + policy/catalog.ts, from which `npm run docs` writes the
// lessons table in docs/lessons.md) against the code, so it cannot silently go stale.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CATALOG } from "../policy/catalog";
import { LESSONS, LessonId } from "../policy/lessons";
import { policies } from "../policy/policies";
import { lessonsWithoutPassingTest } from "./support/lesson-ledger";

const root = path.join(__dirname, "..");
const lessons = Object.entries(LESSONS) as [LessonId, (typeof LESSONS)[LessonId]][];

describe("the lessons map matches the code (L01–L32)", () => {
    it("has exactly one entry per lesson L01–L32, each with a component default and at least one test", () => {
        const expected = Array.from({ length: 32 }, (_, i) => `L${String(i + 1).padStart(2, "0")}`);
        assert.deepStrictEqual(
            lessons.map(([id]) => id),
            expected,
        );
        for (const [id, lesson] of lessons) {
            assert.ok(lesson.happened.length > 5, `${id}: what happened`);
            assert.ok(lesson.componentDefault.length > 5, `${id}: component default`);
            assert.ok(lesson.tests.length > 0, `${id}: no test named`);
        }
    });

    for (const [id, lesson] of lessons) {
        it(`${id}: every named test file has a test titled with ${id}`, () => {
            for (const file of lesson.tests) {
                const full = path.join(root, file);
                assert.ok(fs.existsSync(full), `${id}: ${file} does not exist`);
                const source = fs.readFileSync(full, "utf8");
                const titled =
                    new RegExp(`(it|describe)\\((\`|"|')[^\\n]*\\b${id}\\b`).test(source) ||
                    // incident programs carry their lesson in the case table that incidents.test.ts turns into titles
                    (file.endsWith("incidents.test.ts") &&
                        fs
                            .readdirSync(path.join(root, "test/incidents"))
                            .some((f) =>
                                new RegExp(`\\b${id}\\b`).test(
                                    fs.readFileSync(path.join(root, "test/incidents", f), "utf8"),
                                ),
                            ));
                assert.ok(titled, `${id}: no test title in ${file} cites ${id}`);
            }
        });
    }

    it("the ledger of npm test (test/support/lesson-ledger.ts) wants a passing test citing the lesson, not a mention", () => {
        const lessons = { L03: { tests: ["test/a.test.ts"] }, L07: { tests: ["test/b.test.ts"] } };
        const ran = new Set(["test/a.test.ts", "test/b.test.ts"]);
        const passed = [
            { file: "test/a.test.ts", title: "storage L03 RWO forces one replica" },
            { file: "test/b.test.ts", title: "nginx serves .html without the extension" },
            { file: "test/c.test.ts", title: "L07 elsewhere does not count" },
        ];
        assert.deepStrictEqual(lessonsWithoutPassingTest(lessons, passed, ran), ["L07"]);
        assert.deepStrictEqual(lessonsWithoutPassingTest(lessons, passed, new Set(["test/a.test.ts"])), []);
        assert.deepStrictEqual(lessonsWithoutPassingTest(lessons, [], ran), ["L03", "L07"]);
    });

    it("every policy citing a lesson is in the pack", () => {
        const names = new Set(policies.map((p) => p.name));
        for (const [name, entry] of Object.entries(CATALOG)) {
            assert.ok(names.has(name), `${name} is in the catalog but not in policy/policies.ts`);
            assert.ok(entry.lessons.length > 0, `${name} cites no lesson`);
        }
    });
});
