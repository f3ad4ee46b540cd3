/**
 * Waivers under the real CLI (issue 22): `pulumi preview --policy-pack` with a waiver annotation and a waiver file
 * reports both violations as waived (advisory, owner/expiry/reason in the message) and passes; with the pack's
 * clock moved past the expiry ($WEBSTACK_WAIVER_NOW, test-only) the same preview fails again naming the expired
 * waivers. `npm run check` reads the same file and agrees.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { WAIVER_FILE_ENV, WAIVER_NOW_ENV } from "../../policy/waiver-settings";
import { EngineStack, policyPack, programFrom, ROOT } from "./engine";
import { PrintedViolation, printedViolations } from "./policy-output";

const FIXTURES = path.join(__dirname, "fixtures");
const PROGRAM = path.join(FIXTURES, "waived-program.ts");

const WAIVER_FILE = `waivers:
  - policy: images-digest-pinned
    urn: "urn:pulumi:waived::*::filed"
    owner: team-ops
    expires: 2027-01-15
    reason: the filed worker is retired in January
`;

/** The two images-digest-pinned violations the CLI printed, asserted to be at `level`. */
function bothPinnedAt(stdout: string, level: string): PrintedViolation[] {
    const pinned = printedViolations(stdout).filter((v) => v.policy === "images-digest-pinned");
    assert.deepEqual(
        pinned.map((v) => [v.level, v.name]).sort(),
        [
            [level, "annotated"],
            [level, "filed"],
        ],
        stdout,
    );
    return pinned;
}

describe("engine: waivers under pulumi preview --policy-pack (issue 22)", function () {
    this.timeout(600_000);
    let stack: EngineStack;
    let waiverFile: string;

    before(async () => {
        stack = await EngineStack.create({
            stack: "waived",
            configFile: path.join(FIXTURES, "Pulumi.waived.yaml"),
            program: programFrom(PROGRAM),
        });
        waiverFile = path.join(stack.dir, "policy-waivers.yaml");
        fs.writeFileSync(waiverFile, WAIVER_FILE);
    });
    after(() => stack?.remove());

    const preview = (today: string) =>
        stack.withProgram(["preview", "--policy-pack", policyPack()], {
            allowFailure: true,
            env: { [WAIVER_FILE_ENV]: waiverFile, [WAIVER_NOW_ENV]: today },
        });

    it("an annotation waiver and a file waiver: both violations reported as waived (advisory), the preview passes", async () => {
        const result = await preview("2026-12-04");
        assert.equal(result.code, 0, result.stdout + result.stderr);
        const pinned = bothPinnedAt(result.stdout, "advisory");
        const text = (name: string) => pinned.find((v) => v.name === name)!.text;
        assert.match(
            text("annotated"),
            /WAIVED, owner team-web, expires 2027-01-31 \(Deployment "annotated" annotation waive\.webstack\.dev\/images-digest-pinned\): tag pinned by the release job/,
        );
        assert.match(
            text("filed"),
            /WAIVED, owner team-ops, expires 2027-01-15 \(.*policy-waivers\.yaml:2\): the filed worker is retired in January/,
        );
        assert.ok(!printedViolations(result.stdout).some((v) => v.level === "mandatory"), result.stdout);

        // npm run check reads the same waivers the same way.
        const check = JSON.parse(
            execFileSync(
                process.execPath,
                [
                    "-r",
                    "ts-node/register/transpile-only",
                    "offline/check.ts",
                    "--program",
                    PROGRAM,
                    "--stack",
                    "waived",
                    "--config",
                    path.join(FIXTURES, "Pulumi.waived.yaml"),
                    "--skip-type-check",
                    "--json",
                ],
                {
                    cwd: ROOT,
                    encoding: "utf8",
                    env: { ...process.env, [WAIVER_FILE_ENV]: waiverFile, [WAIVER_NOW_ENV]: "2026-12-04" },
                },
            ),
        ) as { violations: { policy: string; level: string; waived?: { owner: string } }[] };
        assert.deepEqual(
            check.violations
                .filter((v) => v.policy === "images-digest-pinned")
                .map((v) => [v.level, v.waived?.owner])
                .sort(),
            [
                ["advisory", "team-ops"],
                ["advisory", "team-web"],
            ],
        );
    });

    it("once both waivers have expired, the same preview fails again and names them", async () => {
        const result = await preview("2027-02-01");
        assert.notEqual(result.code, 0, result.stdout);
        const pinned = bothPinnedAt(result.stdout, "mandatory");
        assert.match(
            pinned.find((v) => v.name === "annotated")!.text,
            /The waiver expired on 2027-01-31 and no longer applies: owner team-web/,
        );
        assert.match(
            pinned.find((v) => v.name === "filed")!.text,
            /The waiver expired on 2027-01-15 and no longer applies: owner team-ops/,
        );
    });
});
