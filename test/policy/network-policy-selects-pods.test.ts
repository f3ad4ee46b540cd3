import { TYPES } from "../../policy/k8s";
import { networkPolicySelectsPods as policy } from "../../policy/rules/network-policy-selects-pods";
import { compliantStack, expectMessages, selector, stackWith } from "./fixtures";

const typo = () =>
    stackWith(TYPES.networkPolicy, "default", (o) => {
        o.spec.podSelector = { matchLabels: { ...selector("redis"), "app.kubernetes.io/component": "rediss" } };
    });

describe("policy network-policy-selects-pods [L31]", () => {
    it("[L31] passes the baseline (an empty podSelector: every pod of the namespace) and a selector of the web pods", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            stackWith(TYPES.networkPolicy, "default", (o) => {
                o.spec.podSelector = { matchLabels: selector("web") };
            }),
            [],
        );
    });

    it("[L31] reports a podSelector that matches no pod template (a typo in one label)", async () => {
        await expectMessages(policy, typo(), [
            `NetworkPolicy "default" (spec.podSelector): {"matchLabels":{"app.kubernetes.io/instance":"shop","app.kubernetes.io/component":"rediss"}} selects no pod template in namespace "shop" of this stack, so it protects nothing. Fix: use the pod labels of the workload it guards, or add "default" to externalNames if its pods come from elsewhere.`,
        ]);
    });

    it("[L31] reads matchExpressions too; an empty podSelector is never reported, even where no workload runs yet", async () => {
        const expression = { key: "app.kubernetes.io/component", operator: "In", values: ["rediss"] };
        await expectMessages(
            policy,
            stackWith(TYPES.networkPolicy, "default", (o) => {
                o.spec.podSelector = { matchExpressions: [expression] };
            }),
            [
                `NetworkPolicy "default" (spec.podSelector): {"matchExpressions":[${JSON.stringify(expression)}]} selects no pod template in namespace "shop" of this stack, so it protects nothing. Fix: use the pod labels of the workload it guards, or add "default" to externalNames if its pods come from elsewhere.`,
            ],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.networkPolicy, "default", (o) => {
                o.metadata.namespace = "empty";
            }),
            [],
        );
    });

    it("[L31] takes policies for pods created elsewhere from externalNames (globs)", async () => {
        await expectMessages(policy, typo(), [], {
            packConfig: { "network-policy-selects-pods": { externalNames: ["def*"] } },
        });
    });
});
