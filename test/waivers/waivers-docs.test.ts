/** docs/waivers.md: linked from the README, its examples valid, its numbers and lists the settings' own. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { NOT_EVALUATED_MODE, NOT_EVALUATED_MODES } from "../../policy/not-evaluated";
import {
    EXPIRING_WITHIN_DAYS,
    MAX_EXPIRY_DAYS,
    UNWAIVABLE,
    WAIVER_ANNOTATION_PREFIX,
} from "../../policy/waiver-settings";
import { annotationWaivers, parseWaiverFile } from "../../policy/waivers";

const ROOT = path.join(__dirname, "..", "..");
const DOC = fs.readFileSync(path.join(ROOT, "docs", "waivers.md"), "utf8");
/** The day the examples are read on: their dates must be valid then (within the maximum). */
const NOW = new Date(Date.UTC(2026, 11, 4));

const yamlBlocks = () => [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);

describe("docs/waivers.md", () => {
    it("is linked from the README", () => {
        assert.match(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"), /\]\(docs\/waivers\.md\)/);
    });

    it("its waiver-file example is valid: no error, two waivers (project-wide and qa)", () => {
        const file = yamlBlocks().find((b) => b.includes("waivers:"))!;
        const parsed = parseWaiverFile(file, "policy-waivers.yaml", NOW);
        assert.deepEqual(parsed.errors, []);
        assert.deepEqual(
            parsed.waivers.map((w) => [w.policy, w.stack]),
            [
                ["readiness-probe-set", undefined],
                ["images-digest-pinned", "qa"],
            ],
        );
    });

    it("its annotation example is valid", () => {
        const block = yamlBlocks().find((b) => b.includes(WAIVER_ANNOTATION_PREFIX))!;
        const [, key, value] = /(\S+): "(.*)"/.exec(block)!;
        const { waivers, errors } = annotationWaivers(
            { urn: "u", kind: "Deployment", namespace: "shop", name: "web", annotations: { [key]: value } },
            NOW,
        );
        assert.deepEqual(errors, []);
        assert.equal(waivers.length, 1);
    });

    it("states the settings as policy/waiver-settings.ts and policy/not-evaluated.ts have them", () => {
        assert.ok(DOC.includes(`**${MAX_EXPIRY_DAYS} days**`));
        assert.ok(DOC.includes(`\`expiring\` (${EXPIRING_WITHIN_DAYS} days or fewer left)`));
        assert.ok(DOC.includes(UNWAIVABLE.map((p) => `\`${p}\``).join(", ")), "the unwaivable list");
        for (const mode of NOT_EVALUATED_MODES) {
            assert.ok(DOC.includes(`| \`${mode}\`${mode === NOT_EVALUATED_MODE ? " (default)" : ""} |`), mode);
        }
    });
});
