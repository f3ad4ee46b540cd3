// The README's lessons table is the map from an incident to its code: check it against the code, so it cannot
// silently go stale (every lesson L01–L32 has a row, every policy it names exists and cites the lesson, every
// test file it names has a test titled with the lesson).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policy/policies";
import { lessonsOf } from "../policy/lessons";

const root = path.join(__dirname, "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

interface LessonRow { id: string; policyCell: string; testFiles: string[] }

function lessonRows(): LessonRow[] {
  return readme
    .split("\n")
    .filter((line) => /^\| L\d\d \|/.test(line))
    .map((line) => {
      const cells = line.split("|").slice(1, -1).map((c) => c.trim());
      return { id: cells[0], policyCell: cells[3], testFiles: cells[4].split(",").map((f) => f.trim()).filter(Boolean) };
    });
}

describe("README lessons table matches the code (L01–L32)", () => {
  const rows = lessonRows();

  it("has exactly one row per lesson L01–L32", () => {
    const expected = Array.from({ length: 32 }, (_, i) => `L${String(i + 1).padStart(2, "0")}`);
    assert.deepStrictEqual(rows.map((r) => r.id), expected);
  });

  for (const row of lessonRows()) {
    it(`${row.id}: named policies exist at the stated level and cite ${row.id}`, () => {
      const named = [...row.policyCell.matchAll(/`([a-z0-9-]+)` \((M|A)\)/g)];
      if (row.policyCell !== "—") assert.ok(named.length > 0, `${row.id}: policy cell "${row.policyCell}" names no policy`);
      for (const [, name, level] of named) {
        const policy = policies.find((p) => p.name === name);
        assert.ok(policy, `${row.id}: policy ${name} is not in policy/policies.ts`);
        assert.ok(lessonsOf(policy).includes(row.id), `${row.id}: policy ${name} does not cite ${row.id} in its description`);
        assert.strictEqual(policy.enforcementLevel, level === "M" ? "mandatory" : "advisory", `${row.id}: ${name} level`);
      }
    });

    it(`${row.id}: every named test file has a test titled with ${row.id}`, () => {
      assert.ok(row.testFiles.length > 0, `${row.id}: no test named`);
      for (const file of row.testFiles) {
        const full = path.join(root, file);
        assert.ok(fs.existsSync(full), `${row.id}: ${file} does not exist`);
        const source = fs.readFileSync(full, "utf8");
        const titled = new RegExp(`(it|describe)\\((\`|"|')[^\\n]*\\b${row.id}\\b`).test(source) ||
          // incident programs carry their lesson in the case table that incidents.test.ts turns into titles
          (file.endsWith("incidents.test.ts") && fs.readdirSync(path.join(root, "test/incidents")).some((f) =>
            new RegExp(`\\b${row.id}\\b`).test(fs.readFileSync(path.join(root, "test/incidents", f), "utf8"))));
        assert.ok(titled, `${row.id}: no test title in ${file} cites ${row.id}`);
      }
    });
  }

  it("every lesson the policy pack cites has its policies in the table (no policy left out)", () => {
    for (const policy of policies) {
      for (const id of lessonsOf(policy)) {
        const row = rows.find((r) => r.id === id);
        assert.ok(row && row.policyCell.includes(`\`${policy.name}\``), `${policy.name} cites ${id} but the README row for ${id} does not name it`);
      }
    }
  });
});
