import * as assert from "node:assert";
import { folderScores, mergeReports } from "../../tools/mutation/summary";

type Status = Parameters<typeof folderScores>[0]["files"][string]["mutants"][number]["status"];
const file = (...statuses: Status[]) => ({ mutants: statuses.map((status) => ({ status })) });

describe("npm run test:mutation summary (issue 30): the score per folder, as Stryker counts it", function () {
    it("counts killed and timed-out mutants as detected, leaves compile/runtime errors and ignored ones out of the valid count", function () {
        const [components, rules] = folderScores({
            files: {
                "components/route.ts": file("Killed", "Survived", "CompileError", "Timeout"),
                "components/api.ts": file("NoCoverage", "RuntimeError", "Ignored"),
                "policy/rules/ingress-tls.ts": file("Killed", "Killed", "Survived"),
                // Outside both folders: not counted anywhere.
                "policy/k8s.ts": file("Survived", "Survived"),
            },
        });
        assert.deepStrictEqual(components, {
            folder: "components/",
            goal: 85,
            detected: 2,
            valid: 4,
            ignored: 1,
            compileErrors: 1,
            score: 50,
        });
        assert.deepStrictEqual(rules, {
            folder: "policy/rules/",
            goal: 90,
            detected: 2,
            valid: 3,
            ignored: 0,
            compileErrors: 0,
            score: 66.7,
        });
    });

    it("reports a folder with no valid mutant as not run rather than 0 % or 100 %", function () {
        const [components] = folderScores({ files: { "components/x.ts": file("CompileError") } });
        assert.strictEqual(components.score, undefined);
        assert.strictEqual(components.valid, 0);
    });

    it("sums up the reports of several runs (chunks of --mutate), a re-run's report replacing the earlier one's file", function () {
        const merged = mergeReports([
            { files: { "components/route.ts": file("Survived", "Survived"), "components/api.ts": file("Killed") } },
            { files: { "components/storage.ts": file("Killed", "Survived") } },
            { files: { "components/route.ts": file("Killed", "Survived") } },
        ]);
        const [components] = folderScores(merged);
        assert.deepStrictEqual([components.detected, components.valid], [3, 5]);
        assert.deepStrictEqual(Object.keys(merged.files).sort(), [
            "components/api.ts",
            "components/route.ts",
            "components/storage.ts",
        ]);
    });
});
