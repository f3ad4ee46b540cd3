/** `npm run waivers`: every waiver with its status (active, expiring, expired, stale), as a table and as JSON. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../scripts/waivers";
import { LEGACY_WAIVER, WaiverSandbox } from "./sandbox";

const box = new WaiverSandbox();

const WAIVERS = `${LEGACY_WAIVER}  - policy: no-privileged-ports
    kind: Deployment
    name: gone-*
    owner: team-old
    expires: 2027-02-01
    reason: the old worker
stacks:
  qa:
    - policy: readiness-probe-set
      kind: Deployment
      name: web
      owner: team-qa
      expires: 2026-12-01
      reason: probe added in the next release
`;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(
        argv,
        (t) => (out += t),
        (t) => (err += t),
    );
    return { code, out, err };
}

describe("npm run waivers (the audit)", function () {
    this.timeout(300_000);
    beforeEach(() => box.open());
    afterEach(() => box.close());

    it("lists the file's and the objects' waivers with status active / expiring / expired / stale", async () => {
        box.writeManifests("owner=team-web; expires=2026-12-10; reason=binds 80 via CAP_NET_BIND_SERVICE");
        box.writeWaivers(WAIVERS);
        const json = await run(["--manifests", box.manifests, "--json"]);
        assert.equal(json.code, 0, json.err);
        const report = JSON.parse(json.out) as {
            today: string;
            waivers: {
                status: string;
                daysLeft: number;
                policy: string;
                owner: string;
                covers: string[];
                stack?: string;
            }[];
        };
        assert.equal(report.today, "2026-12-04");
        assert.deepEqual(
            report.waivers.map((w) => [w.status, w.daysLeft, w.policy, w.owner, w.covers, w.stack]),
            [
                [
                    "active",
                    42,
                    "no-privileged-ports",
                    "team-legacy",
                    ["kubernetes:apps/v1:Deployment::shop/legacy"],
                    undefined,
                ],
                ["stale", 59, "no-privileged-ports", "team-old", [], undefined],
                ["expired", -3, "readiness-probe-set", "team-qa", [], "qa"],
                [
                    "expiring",
                    6,
                    "no-privileged-ports",
                    "team-web",
                    ["kubernetes:apps/v1:Deployment::shop/web"],
                    undefined,
                ],
            ],
        );

        const table = await run(["--manifests", box.manifests]);
        const lines = table.out.trimEnd().split("\n");
        assert.match(lines[0], /^STATUS {4}DAYS {2}POLICY {15}OWNER/);
        assert.match(
            lines[4],
            /^expiring {2}6 {5}no-privileged-ports .*Deployment "web" annotation waive\.webstack\.dev\/no-privileged-ports .*binds 80/,
        );
        assert.equal(lines[5], "4 waivers: 1 active, 1 expiring, 1 expired, 1 stale");
    });

    it("--markdown --base: the step summary marks the PR's new and changed file waivers and lists them first", async () => {
        box.writeManifests(undefined);
        box.writeWaivers(WAIVERS);
        // The base had the legacy waiver with another date, and no gone-* or qa waiver.
        const base = path.join(box.dir, "base-waivers.yaml");
        fs.writeFileSync(base, LEGACY_WAIVER.replace("expires: 2027-01-15", "expires: 2027-01-01"));
        const r = await run(["--manifests", box.manifests, "--markdown", "--base", base]);
        assert.equal(r.code, 0, r.err);
        const rows = r.out.split("\n").filter((l) => /^\| (\*\*|\s)/.test(l));
        assert.deepEqual(
            rows.map((l) =>
                l
                    .split("|")
                    .map((c) => c.trim())
                    .slice(1, 5),
            ),
            [
                ["**new**", "stale", "59", "`no-privileged-ports`"],
                ["**new**", "expired", "-3", "`readiness-probe-set`"],
                ["**changed**", "active", "42", "`no-privileged-ports`"],
            ],
        );
        assert.match(r.out, /3 waivers \(1 active, 0 expiring, 1 expired, 1 stale\); 3 new or changed in this PR\./);
        const unchanged = await run([
            "--manifests",
            box.manifests,
            "--markdown",
            "--base",
            path.join(box.dir, "policy-waivers.yaml"),
        ]);
        assert.match(unchanged.out, /; 0 new or changed in this PR\./);
    });

    it("invalid waivers exit 2 with the problems and their fixes", async () => {
        box.writeManifests(undefined);
        box.writeWaivers(LEGACY_WAIVER.replace("policy: no-privileged-ports", "policy: no-such-policy"));
        const r = await run(["--manifests", box.manifests]);
        assert.equal(r.code, 2);
        assert.match(
            r.err,
            /policy-waivers\.yaml:3: waiver for "no-such-policy": "no-such-policy" is not a policy of the pack/,
        );
        assert.equal(r.out, "");
    });
});
