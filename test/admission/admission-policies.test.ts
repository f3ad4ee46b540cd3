// AdmissionPolicies (admission/admission-policies.ts): the generated admission policies installed by a program,
// scoped to the stack's namespace, with the repository's waivers compiled in at each run (docs/admission.md).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AdmissionPolicies } from "../../admission/admission-policies";
import { recordResources } from "../../offline/run-program";
import { DAY_MS, isoDay } from "../../policy/waivers";

const tempDirs: string[] = [];
const waiverFile = (text: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "admission-waivers-"));
    tempDirs.push(dir);
    const file = path.join(dir, "policy-waivers.yaml");
    fs.writeFileSync(file, text);
    return file;
};

describe("AdmissionPolicies (admission/admission-policies.ts)", () => {
    after(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it("[L12] installs the params kind, the params, and a policy + binding per group, children of the component, named from it", async () => {
        const soon = isoDay(Date.now() + 10 * DAY_MS);
        const file = waiverFile(
            `stacks:\n  dev:\n    - {policy: images-digest-pinned, kind: Deployment, name: legacy, owner: a, expires: ${soon}, reason: r}\n  qa:\n    - {policy: read-only-root-filesystem, kind: Deployment, name: web, owner: a, expires: ${soon}, reason: r}\n`,
        );
        let component: AdmissionPolicies | undefined;
        const resources = await recordResources(() => {
            component = new AdmissionPolicies("shop-admission", { namespace: "shop", waiverFile: file });
        });
        const byType = (type: string) => resources.filter((r) => r.type === type);
        assert.strictEqual(byType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").length, 1);
        const params = byType("kubernetes:admission.webstack.dev/v1:AdmissionParams");
        assert.strictEqual(params.length, 1);
        const data = (params[0].inputs as { data: Record<string, string> }).data;
        assert.ok(
            new RegExp(data["images-digest-pinned.waived"]).test("Deployment/shop/legacy"),
            "this stack's waiver",
        );
        assert.strictEqual(data["read-only-root-filesystem.waived"], "", "another stack's waiver is left out");
        const policies = byType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy");
        const bindings = byType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding");
        assert.strictEqual(policies.length, component!.policyNames.length);
        assert.strictEqual(bindings.length, policies.length);
        assert.ok(policies.every((p) => p.name.startsWith("shop-admission-")));
        assert.ok(
            bindings.every(
                (b) =>
                    (b.inputs as any).spec.matchResources.namespaceSelector.matchLabels[
                        "kubernetes.io/metadata.name"
                    ] === "shop",
            ),
        );
        assert.ok(component!.leftOut.some((l) => l.policy === "pod-security-restricted"));
    });

    it("an invalid waiver file stops the program before anything is created, naming the problem", async () => {
        const file = waiverFile(
            "waivers:\n  - {policy: images-digest-pined, kind: Deployment, name: x, owner: a, expires: 2026-13-40, reason: r}\n",
        );
        await assert.rejects(
            recordResources(() => {
                new AdmissionPolicies("shop-admission", { namespace: "shop", waiverFile: file });
            }),
            /shop-admission: the waiver file is invalid:[\s\S]*images-digest-pined/,
        );
    });

    it("installParamsKind: false leaves the CRD to another stack", async () => {
        const resources = await recordResources(() => {
            new AdmissionPolicies("qa-admission", {
                namespace: "qa",
                installParamsKind: false,
                waiverFile: waiverFile(""),
            });
        });
        assert.ok(!resources.some((r) => r.type.endsWith(":CustomResourceDefinition")));
    });
});
