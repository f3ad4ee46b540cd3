// The parity cases are the pack's fixtures: here the pack's verdict on each is checked (the cluster suite checks
// the API server's verdict on the same objects against the pack's, test/cluster/admission.test.ts).
import * as assert from "assert";
import { ADMISSION, CATALOG, PolicyName } from "../../policy/catalog";
import { packFindings, PARITY_CASES } from "./parity-cases";

describe("admission parity cases: the pack's verdicts on the fixtures the API server is given", () => {
    for (const c of PARITY_CASES) {
        const lessons = CATALOG[c.policy].lessons.join(", ");
        it(`[${lessons}] ${c.policy}: the pack ${c.expect === "violation" ? "reports" : "passes"} ${c.title}`, async () => {
            const findings = await packFindings(c);
            const own = findings.find((f) => f.policy === c.policy);
            assert.strictEqual(own !== undefined, c.expect === "violation", JSON.stringify(findings));
            // The API server names only the first denying policy: a case must trip at most one mandatory policy.
            const mandatory = findings.filter((f) => f.level === "mandatory").map((f) => f.policy);
            assert.ok(mandatory.length <= 1, `more than one mandatory policy: ${mandatory.join(", ")}`);
            for (const f of findings) {
                assert.ok(
                    f.fields.every((field) => field !== undefined),
                    `a ${f.policy} message names no field`,
                );
            }
        });
    }

    it("every policy with an admission form has a failing and a passing case", () => {
        const withForm = (Object.keys(ADMISSION) as PolicyName[]).filter((name) => ADMISSION[name] === "cel");
        for (const name of withForm) {
            const expects = new Set(PARITY_CASES.filter((c) => c.policy === name).map((c) => c.expect));
            assert.deepStrictEqual([...expects].sort(), ["pass", "violation"], name);
        }
    });
});
