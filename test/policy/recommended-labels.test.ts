import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { recommendedLabels as policy } from "../../policy/rules/recommended-labels";
import { assertAppliesOnlyTo, compliantStack, expectMessages, record, stackWith, violationsOf } from "./fixtures";

/** The baseline with one recommended label removed from an object's metadata. */
const withoutLabel = (type: string, name: string, key: string) =>
    stackWith(type, name, (o) => {
        delete o.metadata.labels[key];
    });
const missing = (who: string, key: string) =>
    `${who} (metadata.labels): missing ${key}. Fix: add these labels (e.g. app.kubernetes.io/managed-by: pulumi).`;

describe("policy recommended-labels [L16]", () => {
    it("[L16] passes the fully labelled baseline", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L16] warns about a Service without app.kubernetes.io/managed-by", async () => {
        await expectMessages(policy, withoutLabel(TYPES.service, "web", "app.kubernetes.io/managed-by"), [
            missing(`Service "web"`, "app.kubernetes.io/managed-by"),
        ]);
    });

    it("[L16] checks the pod template labels of workloads", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.cronJob, "cleanup", (o) => {
                o.spec.jobTemplate.spec.template.metadata.labels = {};
            }),
            [
                `CronJob "cleanup" (spec.jobTemplate.spec.template.metadata.labels): missing app.kubernetes.io/name, app.kubernetes.io/instance, app.kubernetes.io/component, app.kubernetes.io/part-of, app.kubernetes.io/managed-by. Fix: add these labels (e.g. app.kubernetes.io/managed-by: pulumi).`,
            ],
        );
    });

    it("[L16] reports a bare Pod's labels once: its metadata.labels are its pod labels", async () => {
        await expectMessages(policy, withoutLabel(TYPES.pod, "debug", "app.kubernetes.io/part-of"), [
            missing(`Pod "debug"`, "app.kubernetes.io/part-of"),
        ]);
    });

    it("[L16] names an auto-named object by its resource name", async () => {
        const inputs = { data: {} };
        const v = await violationsOf(policy, [
            record(TYPES.configMap, "settings", inputs, {
                outputs: { data: {}, metadata: { name: "settings-1a2b3c4" } },
            }),
        ]);
        assert.equal(v.length, 1);
        assert.match(v[0].message, /^ConfigMap "settings" \(metadata\.labels\): missing app\.kubernetes\.io\/name/);
    });

    it("[L16] checks custom resources too, whatever their kind name (EC2NodeClass has a digit)", async () => {
        const v = await violationsOf(policy, [
            record("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", "default", { metadata: { labels: {} } }),
        ]);
        assert.equal(v.length, 1);
        assert.match(v[0].message, /^EC2NodeClass "default" \(metadata\.labels\): missing app\.kubernetes\.io\/name/);
    });

    it("[L16] applies to every Kubernetes object; not to components, providers or other clouds", async () => {
        await assertAppliesOnlyTo(
            policy,
            compliantStack().map((r) => r.type),
        );
        const others = [
            "kubernetes:helm.sh/v3:Chart",
            "kubernetes:yaml/v2:ConfigGroup",
            "pulumi:providers:kubernetes",
            "webstack:index:WebStack",
            "kubernetes:apps/v1:DeploymentPatch",
            "kubernetes:core/v1:ConfigMapList",
            // Another package whose name merely ends in "kubernetes".
            "acme-kubernetes:apps/v1:Deployment",
        ];
        const v = await violationsOf(
            policy,
            others.map((t) => record(t, "x", {})),
        );
        assert.deepEqual(v, []);
    });
});
