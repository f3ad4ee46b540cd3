/**
 * `npm run check --manifests` with waivers: the same ledger as the pack, shown in every report format; SARIF keeps a
 * waived result with a suppression; bad waivers exit 2 with every problem listed.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { WAIVER_NOW_ENV } from "../../policy/waiver-settings";
import { checkInProcess } from "../support/check";
import { sarifSchemaErrors } from "../support/sarif-schema";
import { COMPLIANT, LEGACY_WAIVER, WaiverSandbox } from "./sandbox";

const box = new WaiverSandbox();

async function check(format: string) {
    return checkInProcess(["--manifests", box.manifests, "--format", format]);
}

describe("npm run check with waivers", function () {
    this.timeout(300_000);
    beforeEach(() => box.open());
    afterEach(() => box.close());

    it("without waivers both Deployments fail the check (the baseline)", async () => {
        box.writeManifests(undefined);
        const r = await check("json");
        assert.equal(r.status, 1, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.deepEqual(
            report.violations
                .filter((v: { level: string }) => v.level === "mandatory")
                .map((v: { resource: string }) => v.resource),
            ["kubernetes:apps/v1:Deployment::shop/legacy", "kubernetes:apps/v1:Deployment::shop/web"],
        );
    });

    it("an annotation waiver and a file waiver pass the check and are listed in json, text, markdown and github", async () => {
        box.writeManifests("owner=team-web; expires=2027-01-31; reason=binds 80 via CAP_NET_BIND_SERVICE");
        box.writeWaivers(LEGACY_WAIVER);
        const json = await check("json");
        assert.equal(json.status, 0, json.stdout + json.stderr);
        const waived = JSON.parse(json.stdout).violations.filter((v: { waived?: unknown }) => v.waived);
        assert.deepEqual(
            waived.map(
                (v: {
                    resource: string;
                    level: string;
                    waived: { form: string; owner: string; expires: string; reason: string };
                }) => [v.resource, v.level, v.waived.form, v.waived.owner, v.waived.expires, v.waived.reason],
            ),
            [
                [
                    "kubernetes:apps/v1:Deployment::shop/legacy",
                    "advisory",
                    "file",
                    "team-legacy",
                    "2027-01-15",
                    "replaced by web in Q1; INC-7",
                ],
                [
                    "kubernetes:apps/v1:Deployment::shop/web",
                    "advisory",
                    "annotation",
                    "team-web",
                    "2027-01-31",
                    "binds 80 via CAP_NET_BIND_SERVICE",
                ],
            ],
        );

        const text = await check("text");
        assert.equal(text.status, 0);
        assert.match(
            text.stdout,
            /^waived {4}no-privileged-ports \[L02\] kubernetes:apps\/v1:Deployment::shop\/legacy: WAIVED, owner team-legacy, expires 2027-01-15 \(.*policy-waivers\.yaml:3\): replaced by web in Q1; INC-7 /m,
        );
        assert.match(text.stdout, /, 2 waived: PASS\n$/);

        const md = await check("markdown");
        assert.match(
            md.stdout,
            /^\| waived \| `no-privileged-ports` \| L02 \| `kubernetes:apps\/v1:Deployment::shop\/web` .*\| WAIVED, owner team-web, expires 2027-01-31 \(Deployment "web" annotation waive\.webstack\.dev\/no-privileged-ports\): binds 80/m,
        );

        const gh = await check("github");
        assert.equal(
            (gh.stdout.match(/^::notice .*title=no-privileged-ports \[L02\] \(waived\)::.*WAIVED, owner/gm) ?? [])
                .length,
            2,
            gh.stdout,
        );
        assert.doesNotMatch(gh.stdout, /^::error/m);
    });

    it("SARIF keeps waived results with a suppression: inSource for the annotation, external for the file", async () => {
        box.writeManifests("owner=team-web; expires=2027-01-31; reason=binds 80 via CAP_NET_BIND_SERVICE");
        box.writeWaivers(LEGACY_WAIVER);
        const r = await check("sarif");
        assert.equal(r.status, 0, r.stderr);
        const sarif = JSON.parse(r.stdout);
        const results = sarif.runs[0].results.filter((x: { ruleId: string }) => x.ruleId === "no-privileged-ports");
        assert.deepEqual(
            results.map((x: { suppressions: { kind: string; status: string; justification: string }[] }) =>
                x.suppressions.map((s) => [s.kind, s.status, s.justification]),
            ),
            [
                [["external", "accepted", "replaced by web in Q1; INC-7"]],
                [["inSource", "accepted", "binds 80 via CAP_NET_BIND_SERVICE"]],
            ],
        );
        // SARIF 2.1.0 §3.35: a suppression has only these properties, kind is required and one of two values.
        for (const result of results) {
            for (const suppression of result.suppressions as Record<string, unknown>[]) {
                assert.ok(["inSource", "external"].includes(suppression.kind as string));
                assert.ok(["accepted", "underReview", "rejected"].includes(suppression.status as string));
                const allowed = ["guid", "kind", "status", "location", "justification", "properties"];
                assert.deepEqual(
                    Object.keys(suppression).filter((k) => !allowed.includes(k)),
                    [],
                );
            }
        }
        const rules = sarif.runs[0].tool.driver.rules.map((rule: { id: string }) => rule.id);
        assert.ok(rules.includes("waivers"), "the waivers rule is declared for its stale/invalid results");
        assert.deepEqual(sarifSchemaErrors(sarif), [], "valid against the SARIF 2.1.0 schema");
        // The schema has teeth: a suppression kind SARIF does not define is refused.
        const bad = structuredClone(sarif);
        bad.runs[0].results.find((x: { suppressions?: unknown[] }) => x.suppressions).suppressions[0].kind = "waived";
        assert.notDeepEqual(sarifSchemaErrors(bad), []);
    });

    it("an expired file waiver fails the check again and the report names it", async () => {
        box.writeManifests(undefined);
        box.writeWaivers(LEGACY_WAIVER);
        process.env[WAIVER_NOW_ENV] = "2027-01-16"; // restored by box.close()
        const r = await check("text");
        assert.equal(r.status, 1);
        assert.match(
            r.stdout,
            /^mandatory no-privileged-ports \[L02\] kubernetes:apps\/v1:Deployment::shop\/legacy: .* The waiver expired on 2027-01-15 and no longer applies: owner team-legacy/m,
        );
    });

    it("a stale waiver is an advisory finding, not a failure", async () => {
        box.writeManifests(undefined);
        box.writeWaivers(LEGACY_WAIVER.replace("name: legacy", "name: gone-*"));
        const r = await check("text");
        assert.match(
            r.stdout,
            /^advisory {2}waivers \[\] stack: stale waiver: "no-privileged-ports" reported nothing on the objects it names/m,
        );
    });

    it("bad waivers exit 2 with every problem, file:line or object+annotation, and never a Secret's value", async () => {
        box.writeManifests("owner=team-web; expires=2026-13-40; reason=r", true);
        box.writeWaivers(
            LEGACY_WAIVER.replace("    owner: team-legacy\n", "").replace("expires: 2027-01-15", "expires: 2028-01-01"),
        );
        const r = await check("json");
        assert.equal(r.status, 2);
        assert.deepEqual(Object.keys(JSON.parse(r.stdout)), ["error", "fix"]);
        const err = r.stderr;
        assert.match(err, /4 problems with the waivers/);
        assert.match(
            err,
            /- .*policy-waivers\.yaml:3: waiver for "no-privileged-ports": owner is missing\. Fix: name the team/,
        );
        assert.match(
            err,
            /- .*policy-waivers\.yaml:3: waiver for "no-privileged-ports": expires 2028-01-01 is more than 90 days away/,
        );
        assert.match(
            err,
            /- Deployment "web" annotation waive\.webstack\.dev\/no-privileged-ports: expires "2026-13-40" is not a date/,
        );
        assert.match(
            err,
            /- Secret "app-secrets" annotation waive\.webstack\.dev\/no-privileged-ports: expires is missing/,
        );
        assert.doesNotMatch(err + r.stdout, /at .*\.ts:\d+/, "no stack trace");
        const settings = YAML.parse(fs.readFileSync(path.join(COMPLIANT, "settings.yaml"), "utf8")) as {
            items: { kind: string; stringData?: Record<string, string> }[];
        };
        const secret = settings.items.find((i) => i.kind === "Secret")!;
        for (const value of Object.values(secret.stringData!)) {
            assert.ok(!(err + r.stdout).includes(value), `a Secret value leaked: ${value}`);
        }
    });
});
