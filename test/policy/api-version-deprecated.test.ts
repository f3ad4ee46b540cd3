import { strict as assert } from "assert";
import { apiVersionDeprecated as policy } from "../../policy/rules/api-version-deprecated";
import { compliantStack, expectMessages, kinds, record, violationsOf } from "./fixtures";

const endpoints = () => [
    ...compliantStack(),
    record("kubernetes:core/v1:Endpoints", "external-db", {
        metadata: { name: "external-db", namespace: "shop" },
        subsets: [],
    }),
];
const config = (kubernetesVersion: string) => ({ packConfig: { "api-version-deprecated": { kubernetesVersion } } });

describe("policy api-version-deprecated [L15]", () => {
    it("[L15] passes the stack's current API versions", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L15] warns about v1 Endpoints on the default release (deprecated in 1.33, still served)", async () => {
        await expectMessages(policy, endpoints(), [
            `Endpoints "external-db" (apiVersion v1): deprecated since Kubernetes 1.33; the API server warns on every write. Fix: use discovery.k8s.io/v1 EndpointSlice.`,
        ]);
    });

    it("[L15] follows kubernetesVersion: nothing on 1.32; policy/v1beta1 PDB deprecated on 1.24, removed (not this policy's) on 1.25", async () => {
        await expectMessages(policy, endpoints(), [], config("1.32"));
        const oldPdb = [record("kubernetes:policy/v1beta1:PodDisruptionBudget", "web", kinds.pdb())];
        assert.deepEqual(
            (await violationsOf(policy, oldPdb, config("1.24"))).map((v) => v.message),
            [
                `PodDisruptionBudget "web" (apiVersion policy/v1beta1): deprecated since Kubernetes 1.21 and removed in 1.25; the API server warns on every write. Fix: use policy/v1 PodDisruptionBudget.`,
            ],
        );
        await expectMessages(policy, oldPdb, [], config("1.25"));
    });
});
