import { strict as assert } from "assert";
import { API_VERSION_CHANGES, DEFAULT_KUBERNETES_VERSION, apiVersionKind } from "../../policy/api-versions";
import { apiVersionRemoved as policy } from "../../policy/rules/api-version-removed";
import { compliantStack, expectMessages, kinds, record, violationsOf } from "./fixtures";

const oldIngress = () => [
    ...compliantStack(),
    record("kubernetes:extensions/v1beta1:Ingress", "legacy", kinds.ingress()),
];
const config = (kubernetesVersion: string) => ({ packConfig: { "api-version-removed": { kubernetesVersion } } });

describe("policy api-version-removed [L15]", () => {
    it("[L15] passes the stack's current API versions (and is not applicable to them)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L15] rejects extensions/v1beta1 Ingress on the default (current) release, naming the replacement", async () => {
        await expectMessages(policy, oldIngress(), [
            `Ingress "web" (apiVersion extensions/v1beta1): removed in Kubernetes 1.22; a ${DEFAULT_KUBERNETES_VERSION} API server does not serve it, so the update fails at apply. Fix: use networking.k8s.io/v1 Ingress.`,
        ]);
    });

    it("[L15] follows kubernetesVersion: served on 1.21, removed from 1.22 (v-prefixed patch versions too)", async () => {
        await expectMessages(policy, oldIngress(), [], config("1.21"));
        assert.equal((await violationsOf(policy, oldIngress(), config("v1.22.3"))).length, 1);
    });

    it("[L15] a kubernetesVersion that is not a version is an error naming the fix", async () => {
        await assert.rejects(
            violationsOf(policy, oldIngress(), config("latest")),
            /kubernetesVersion "latest" is not a Kubernetes version\. Fix: use "major\.minor"/,
        );
    });

    it("[L15] PodSecurityPolicy has no successor API: the message says what replaces it", async () => {
        const messages = (
            await violationsOf(policy, [
                record("kubernetes:policy/v1beta1:PodSecurityPolicy", "restricted", {
                    metadata: { name: "restricted" },
                }),
            ])
        ).map((v) => v.message);
        assert.deepEqual(messages, [
            `PodSecurityPolicy "restricted" (apiVersion policy/v1beta1): removed in Kubernetes 1.25; a 1.37 API server does not serve it, so the update fails at apply. Fix: use Pod Security admission (namespace labels pod-security.kubernetes.io/enforce).`,
        ]);
    });

    it("[L15] reads apiVersion and kind from type tokens (core group = v1) and every table entry has a served successor", () => {
        assert.equal(apiVersionKind("kubernetes:core/v1:Endpoints"), "v1 Endpoints");
        assert.equal(apiVersionKind("kubernetes:batch/v1beta1:CronJob"), "batch/v1beta1 CronJob");
        assert.equal(apiVersionKind("kubernetes:yaml:ConfigFile"), undefined);
        const deprecated = new Set(API_VERSION_CHANGES.map((c) => c.from));
        for (const change of API_VERSION_CHANGES) {
            assert.ok(!deprecated.has(change.use), `${change.from} -> ${change.use} is itself deprecated`);
        }
    });
});
