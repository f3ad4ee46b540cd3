// The admission generator (admission/, issue 28): what it builds per policy from the catalog, the pack config and
// the waiver file. Whether the API server accepts and type-checks the CEL, and gives the pack's verdicts, is the
// cluster suite's (test/cluster/admission.test.ts).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { admissionObjects, AdmissionOptions, paramKey, PARAMS_KIND, SettingError } from "../../admission/generate";
import { FORMS } from "../../admission/forms";
import { ADMISSION, CATALOG, fixOf, PolicyName } from "../../policy/catalog";
import { globMatches } from "../../components/facts";
import { imageName } from "../../policy/images";
import { UNWAIVABLE } from "../../policy/waiver-settings";
import { DAY_MS, isoDay, parseWaiverFile } from "../../policy/waivers";
import { main } from "../../scripts/admission";
import { UsageError } from "../../scripts/cli";

type Json = Record<string, any>;
const NOW = new Date(Date.UTC(2026, 11, 5));
const generate = (options: Partial<AdmissionOptions> = {}) =>
    admissionObjects({ namespace: "shop", prefix: "webstack", now: NOW, ...options });

const ofKind = (objects: Json[], kind: string) => objects.filter((o) => o.kind === kind);
/** The ValidatingAdmissionPolicies holding a policy's validations, with those validations. */
const policiesOf = (objects: Json[], policy: string) =>
    ofKind(objects, "ValidatingAdmissionPolicy")
        .map((vap) => ({
            vap,
            validations: (vap.spec.validations as Json[]).filter((v) =>
                (v.messageExpression as string).startsWith(
                    `"[${CATALOG[policy as PolicyName].lessons.join(", ")}] ${policy}: "`,
                ),
            ),
        }))
        .filter((found) => found.validations.length > 0);
const bindingOf = (objects: Json[], vap: Json) =>
    ofKind(objects, "ValidatingAdmissionPolicyBinding").find((b) => b.spec.policyName === vap.metadata.name)!;
const paramsOf = (objects: Json[]) => ofKind(objects, PARAMS_KIND)[0].data as Record<string, string>;
const withForm = (Object.keys(ADMISSION) as PolicyName[]).filter((name) => ADMISSION[name] === "cel");
const CONFIG = { "allowed-image-prefixes": { allowedPrefixes: ["quay.io/webstack/"] } };

describe("npm run admission: the pack's policies as ValidatingAdmissionPolicies", () => {
    it("every catalog policy has an admission form, or the catalog says why not", () => {
        assert.deepStrictEqual(Object.keys(FORMS).sort(), [...withForm].sort());
        const { leftOut } = generate({ packConfig: CONFIG });
        for (const name of Object.keys(CATALOG) as PolicyName[]) {
            const coverage = ADMISSION[name];
            if (coverage === "cel") {
                assert.ok(!leftOut.some((l) => l.policy === name), `${name} has a form but was left out`);
            } else {
                assert.ok(coverage.none.length > 20, `${name}: no reason`);
                assert.deepStrictEqual(
                    leftOut.filter((l) => l.policy === name),
                    [{ policy: name, reason: coverage.none }],
                );
            }
        }
    });

    it("one policy per set of kinds and level, each bound to the namespace with its level's actions", () => {
        const { objects } = generate({ packConfig: CONFIG });
        for (const name of withForm) {
            const found = policiesOf(objects, name);
            assert.ok(found.length > 0, name);
            const mandatory = CATALOG[name].enforcementLevel === "mandatory";
            for (const { vap } of found) {
                assert.strictEqual(
                    vap.spec.failurePolicy,
                    mandatory ? "Fail" : "Ignore",
                    `${name} in ${vap.metadata.name}`,
                );
                const binding = bindingOf(objects, vap);
                assert.deepStrictEqual(binding.spec.validationActions, mandatory ? ["Deny"] : ["Warn", "Audit"]);
                assert.deepStrictEqual(binding.spec.matchResources.namespaceSelector, {
                    matchLabels: { "kubernetes.io/metadata.name": "shop" },
                });
                assert.deepStrictEqual(binding.spec.paramRef, {
                    name: "webstack-shop",
                    parameterNotFoundAction: "Deny",
                });
                for (const rule of vap.spec.matchConstraints.resourceRules) {
                    assert.deepStrictEqual(rule.operations, ["CREATE", "UPDATE"]);
                }
            }
        }
        const digest = policiesOf(objects, "images-digest-pinned").map(({ vap }) => [
            vap.metadata.name,
            vap.spec.matchConstraints.resourceRules.map((r: Json) => `${r.apiGroups[0]}/${r.resources[0]}`),
        ]);
        assert.deepStrictEqual(digest, [
            ["webstack-pods-deny", ["/pods"]],
            [
                "webstack-templates-deny",
                ["apps/deployments", "apps/statefulsets", "apps/daemonsets", "apps/replicasets", "batch/jobs"],
            ],
            ["webstack-cronjobs-deny", ["batch/cronjobs"]],
        ]);
        const readiness = policiesOf(objects, "readiness-probe-set").map(({ vap }) => vap.metadata.name);
        assert.deepStrictEqual(readiness, [
            "webstack-pods-warn",
            "webstack-deployments-statefulsets-daemonsets-replicasets-warn",
        ]);
        const cronjob = policiesOf(objects, "images-digest-pinned")[2].validations[0];
        assert.match(
            cronjob.expression,
            /\|\| \(!object\.spec\.jobTemplate\.spec\.template\.spec\.containers\.exists\(c, /,
        );
        // A Deployment request meets 4 policies, not one per catalog policy (what each costs: bench:admission).
        const forDeployments = ofKind(objects, "ValidatingAdmissionPolicy").filter((vap) =>
            vap.spec.matchConstraints.resourceRules.some((r: Json) => r.resources[0] === "deployments"),
        );
        assert.strictEqual(forDeployments.length, 4);
    });

    it("[L12, L19] every message starts with the lesson ids and the policy, names the field and ends with the catalog's fix", () => {
        const { objects } = generate({ packConfig: CONFIG });
        for (const name of withForm) {
            for (const { validations } of policiesOf(objects, name)) {
                for (const v of validations) {
                    assert.ok(v.messageExpression.endsWith(JSON.stringify(`. ${fixOf(name)}`)), v.messageExpression);
                    assert.match(v.messageExpression, /\(/, "the message names a field path");
                }
            }
        }
        const all = ofKind(objects, "ValidatingAdmissionPolicy").flatMap((vap) => vap.spec.validations as Json[]);
        const counted = withForm.flatMap((name) => policiesOf(objects, name).flatMap((f) => f.validations));
        assert.strictEqual(counted.length, all.length, "every validation belongs to one catalog policy");
        const env = policiesOf(objects, "no-literal-secret-env")[1].validations[0].messageExpression;
        assert.match(
            env,
            /\(spec\.template\.spec\.containers\[" \+ string\(i\) \+ "\]\.env\[" \+ string\(j\) \+ "\]\.value\): /,
        );
    });

    it("settings become parameters from the same pack config: globs, prefixes, env names, sizes", () => {
        const data = paramsOf(generate({ packConfig: CONFIG }).objects);
        const builders = new RegExp(data[paramKey("s2i-builder-command-set", "builderImages")]);
        for (const image of [
            "registry.access.redhat.com/ubi9/python-311",
            "registry.redhat.io/ubi8/nodejs-20",
            "quay.io/a/python-3",
        ]) {
            const packDefault = ["registry.access.redhat.com", "registry.redhat.io"].some(
                (r) => globMatches(`${r}/ubi*/python-*`, image) || globMatches(`${r}/ubi*/nodejs-*`, image),
            );
            assert.strictEqual(builders.test(imageName(image)), packDefault, image);
        }
        assert.strictEqual(data[paramKey("allowed-image-prefixes", "allowedPrefixes")], "^(?:quay\\.io/webstack/)");
        const secretNames = data[paramKey("no-literal-secret-env", "secretEnvNames")];
        assert.ok(secretNames.startsWith("(?i)"), "RE2's case-insensitive flag: env names match ignoring case");
        assert.ok(new RegExp(secretNames.slice("(?i)".length), "i").test("db_password"));
        assert.strictEqual(data[paramKey("configmap-size-limit", "maxBytes")], String(1024 * 1024));
        const custom = paramsOf(
            generate({
                packConfig: {
                    ...CONFIG,
                    "configmap-size-limit": { maxBytes: 4096 },
                    "no-root-only-images": { rootOnlyImages: [] },
                },
            }).objects,
        );
        assert.strictEqual(custom[paramKey("configmap-size-limit", "maxBytes")], "4096");
        assert.strictEqual(
            custom[paramKey("no-root-only-images", "rootOnlyImages")],
            "",
            "an empty list matches nothing",
        );
    });

    it("the pack config's levels carry over: advisory → Warn + Audit, disabled → not installed; no allowedPrefixes → not installed", () => {
        const { objects, leftOut } = generate({
            packConfig: { "images-digest-pinned": "advisory", "read-only-root-filesystem": "disabled" },
        });
        const digest = policiesOf(objects, "images-digest-pinned")[0].vap;
        assert.deepStrictEqual(bindingOf(objects, digest).spec.validationActions, ["Warn", "Audit"]);
        assert.deepStrictEqual(policiesOf(objects, "read-only-root-filesystem"), []);
        assert.deepStrictEqual(policiesOf(objects, "allowed-image-prefixes"), []);
        assert.deepStrictEqual(
            leftOut
                .filter((l) => ["read-only-root-filesystem", "allowed-image-prefixes"].includes(l.policy))
                .map((l) => l.reason),
            ["no allowedPrefixes configured: no restriction, as in the pack", "disabled in the policy pack config"],
        );
    });

    it("refuses settings the API server could not enforce, naming each setting and its fix, before building anything", () => {
        const refused = (packConfig: Json) => {
            try {
                generate({ packConfig });
            } catch (err) {
                assert.ok(err instanceof SettingError);
                return err.message;
            }
            assert.fail("accepted");
        };
        assert.match(
            refused({ "allowed-image-prefixes": { allowedPrefixes: [] } }),
            /allowed-image-prefixes\.allowedPrefixes = \[\]: an empty allow-list\. Fix: list the allowed prefixes/,
        );
        assert.match(
            refused({ "no-root-only-images": { rootOnlyImages: ["docker\\.io/library/(nginx|httpd)"] } }),
            /no-root-only-images\.rootOnlyImages\[0\] = "docker\\\\\.io\/library\/\(nginx\|httpd\)" has characters outside .*not as a regular expression\. Fix: write it like "registry\.example\.com\/team\/\*"/,
        );
        assert.match(
            refused({ "internal-registry-same-namespace": { internalRegistries: ["registry"] } }),
            /internal-registry-same-namespace\.internalRegistries\[0\] = "registry" is not a registry host\[:port\]/,
        );
        const both = refused({
            "allowed-image-prefixes": { allowedPrefixes: [""] },
            "port-env-matches-container-port": { portEnvNames: ["PORT$"] },
        });
        assert.match(both, /allowedPrefixes\[0\] = "" is empty/);
        assert.match(both, /portEnvNames\[0\] = "PORT\$"/);
    });

    it("waivers: the file's live kind/name waivers become a parameter; expired, other stacks' and urn ones do not; annotations never", () => {
        const soon = isoDay(NOW.getTime() + 10 * DAY_MS);
        const file = parseWaiverFile(
            `waivers:
  - {policy: readiness-probe-set, kind: Deployment, namespace: shop, name: legacy-*, owner: a, expires: ${soon}, reason: r}
  - {policy: readiness-probe-set, kind: StatefulSet, name: old, owner: a, expires: 2026-01-01, reason: expired}
  - {policy: liveness-probe-set, urn: "urn:pulumi:dev::webstack::*::web", owner: a, expires: ${soon}, reason: by urn}
stacks:
  qa:
    - {policy: container-resources, kind: Deployment, name: web, owner: a, expires: ${soon}, reason: qa only}
`,
            "policy-waivers.yaml",
            NOW,
        );
        assert.deepStrictEqual(file.errors, []);
        const dev = generate({ packConfig: CONFIG, waivers: file.waivers, stack: "dev" });
        const data = paramsOf(dev.objects);
        const waived = new RegExp(data[paramKey("readiness-probe-set", "waived")]);
        assert.ok(waived.test("Deployment/shop/legacy-api"));
        assert.ok(!waived.test("Deployment/shop/api"));
        assert.ok(!waived.test("StatefulSet/shop/old"), "an expired waiver is left out");
        assert.strictEqual(data[paramKey("container-resources", "waived")], "", "another stack's waiver");
        assert.deepStrictEqual(
            dev.waivers.notCarried.map((w) => w.policy),
            ["liveness-probe-set"],
        );
        assert.match(dev.waivers.notCarried[0].reason, /matched by urn, which names a Pulumi resource/);
        const qa = paramsOf(generate({ packConfig: CONFIG, waivers: file.waivers, stack: "qa" }).objects);
        assert.ok(new RegExp(qa[paramKey("container-resources", "waived")]).test("Deployment/shop/web"));
        for (const name of withForm) {
            for (const { validations } of policiesOf(dev.objects, name)) {
                for (const v of validations) {
                    const guarded = (v.expression as string).startsWith(
                        `(params.data[${JSON.stringify(paramKey(name, "waived"))}] != "" && `,
                    );
                    assert.strictEqual(guarded, !(UNWAIVABLE as readonly string[]).includes(name), name);
                }
            }
        }
        assert.doesNotMatch(JSON.stringify(dev.objects), /annotations/, "admission never reads waiver annotations");
    });

    it("npm run admission writes crd.yaml, params.yaml and one file per policy; --help; bad flags and settings exit 2", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "admission-cli-"));
        const config = path.join(out, "config.json");
        fs.writeFileSync(config, JSON.stringify(CONFIG));
        const lines: string[] = [];
        try {
            assert.strictEqual(
                main(["--out", path.join(out, "yaml"), "--namespace", "shop", "--policy-pack-config", config], (l) =>
                    lines.push(l),
                ),
                0,
            );
            const files = fs.readdirSync(path.join(out, "yaml"));
            assert.ok(files.includes("crd.yaml") && files.includes("params.yaml"));
            const digest = parseAllDocuments(
                fs.readFileSync(path.join(out, "yaml", "webstack-pods-deny.yaml"), "utf8"),
            ).map((d) => (d.toJSON() as Json).kind);
            assert.deepStrictEqual(digest, ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]);
            assert.match(lines.join("\n"), /pod-security-restricted: Pod Security admission/);
            assert.throws(() => main(["--out", out, "--namespace", "../etc"]), UsageError);
            assert.throws(() => main(["--out", out]), /--out and --namespace are required/);
            fs.writeFileSync(config, JSON.stringify({ "allowed-image-prefixes": { allowedPrefixes: [] } }));
            assert.throws(
                () => main(["--out", out, "--namespace", "shop", "--policy-pack-config", config]),
                SettingError,
            );
            const help: string[] = [];
            assert.strictEqual(
                main(["--help"], (l) => help.push(l)),
                0,
            );
            assert.match(help.join("\n"), /usage: npm run admission -- \[flags\]/);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
