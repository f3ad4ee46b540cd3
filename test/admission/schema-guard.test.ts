// The schema-version guard (admission/schema-guard.ts, docs/rollback.md): its objects as generated, installed by
// `npm run admission` and by AdmissionPolicies. The API server's verdicts on real updates (a lower version refused
// with this message at `pulumi preview`, the override admitted) are the cluster suite's (test/cluster/rollback.test.ts).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { admissionObjects } from "../../admission/generate";
import { SCHEMA_GUARD_CEL, SCHEMA_GUARD_NAME } from "../../admission/schema-guard";
import { AdmissionPolicies } from "../../admission/admission-policies";
import {
    SCHEMA_DOWNGRADE_ANNOTATION,
    SCHEMA_VERSION_ANNOTATION,
    SCHEMA_VERSION_PATTERN,
} from "../../components/schema-version";
import { recordResources } from "../../offline/run-program";
import { main } from "../../scripts/admission";

type Json = Record<string, any>;
const generate = () =>
    admissionObjects({ namespace: "shop", prefix: "webstack", now: new Date(Date.UTC(2026, 11, 5)) });

describe("admission: the schema-version guard (rollback after a migration, postmortem 002)", () => {
    it("[L13, L23] one policy on UPDATEs of ConfigMaps that carried a schema version, denying in the stack's namespace only", () => {
        const { guards, objects } = generate();
        const [policy, binding] = guards as Json[];
        assert.strictEqual(policy.kind, "ValidatingAdmissionPolicy");
        assert.strictEqual(policy.metadata.name, `webstack-${SCHEMA_GUARD_NAME}`);
        assert.deepStrictEqual(policy.spec.matchConstraints.resourceRules, [
            { apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["UPDATE"] },
        ]);
        assert.strictEqual(policy.spec.failurePolicy, "Fail");
        assert.strictEqual(policy.spec.paramKind, undefined, "no params: nothing a waiver could switch off");
        assert.deepStrictEqual(policy.spec.matchConditions, [
            { name: "is-schema-record", expression: SCHEMA_GUARD_CEL.matchesRecord },
        ]);
        assert.match(SCHEMA_GUARD_CEL.matchesRecord, new RegExp(`^oldObject\\..*"${SCHEMA_VERSION_ANNOTATION}"`));
        assert.strictEqual(binding.spec.policyName, policy.metadata.name);
        assert.deepStrictEqual(binding.spec.validationActions, ["Deny"]);
        assert.strictEqual(binding.spec.paramRef, undefined);
        assert.deepStrictEqual(binding.spec.matchResources.namespaceSelector.matchLabels, {
            "kubernetes.io/metadata.name": "shop",
        });
        assert.ok(!objects.includes(policy), "kept apart from the catalog policies");
    });

    it("[L13, L23] compares the new version with the old one, honours only an override naming the new version, and answers Invalid (a preview's dry run fails)", () => {
        const [policy] = generate().guards as Json[];
        const variables = Object.fromEntries(
            (policy.spec.variables as Json[]).map((v) => [v.name, v.expression as string]),
        );
        assert.match(variables.oldVersion, new RegExp(`^oldObject\\.metadata.*"${SCHEMA_VERSION_ANNOTATION}"`));
        assert.match(variables.newVersion, new RegExp(`^object\\.metadata.*"${SCHEMA_VERSION_ANNOTATION}"`));
        assert.match(variables.override, new RegExp(`^object\\.metadata.*"${SCHEMA_DOWNGRADE_ANNOTATION}"`));
        const [wellFormed, notLowered] = policy.spec.validations as Json[];
        assert.strictEqual(wellFormed.expression, `variables.newVersion.matches("${SCHEMA_VERSION_PATTERN}")`);
        assert.match(notLowered.expression, /int\(variables\.newVersion\) >= int\(variables\.oldVersion\)/);
        assert.match(notLowered.expression, /\|\| variables\.override == variables\.newVersion$/);
        for (const validation of [wellFormed, notLowered]) {
            // The kubernetes provider treats a Forbidden (403) dry run as "cannot preview" and goes on.
            assert.strictEqual(validation.reason, "Invalid");
            assert.match(validation.messageExpression, /^"\[L13, L23\] schema-version-guard: "/);
            assert.match(validation.messageExpression, /Fix: /);
        }
        assert.match(
            notLowered.messageExpression,
            /migration\.image.*docs\/rollback\.md.*migration\.allowSchemaDowngradeTo/,
        );
    });

    it("[L13, L23] npm run admission writes the guard with its binding; AdmissionPolicies installs it", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "rollback-admission-"));
        try {
            assert.strictEqual(
                main(["--out", out, "--namespace", "shop"], () => undefined),
                0,
            );
            const written = parseAllDocuments(
                fs.readFileSync(path.join(out, `webstack-${SCHEMA_GUARD_NAME}.yaml`), "utf8"),
            ).map((d) => d.toJSON() as Json);
            assert.deepStrictEqual(written, generate().guards);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
        let component: AdmissionPolicies | undefined;
        const resources = await recordResources(() => {
            component = new AdmissionPolicies("shop-admission", { namespace: "shop", waiverFile: "/nonexistent" });
        });
        const name = `shop-admission-${SCHEMA_GUARD_NAME}`;
        assert.ok(component!.policyNames.includes(name));
        const binding = resources.find((r) => r.name === `${name}-shop`);
        assert.strictEqual(
            binding?.type,
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
        );
        const policy = resources.find((r) => r.name === name)!;
        assert.deepStrictEqual(binding.options.dependsOn, [policy.urn]);
    });
});
