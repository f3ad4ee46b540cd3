import { TYPES } from "../../policy/k8s";
import { networkPolicyIngressRestricted as policy } from "../../policy/rules/network-policy-ingress-restricted";
import { assertAppliesOnlyTo, compliantStack, expectMessages, selector, stackWith } from "./fixtures";

const FIX =
    "Fix: name the clients in `from`: a podSelector for the pods in the namespace that may connect, a namespaceSelector with the router's or ingress controller's labels.";

/** The baseline's deny-all NetworkPolicy with one ingress rule admitting `from` (absent when undefined). */
const withRule = (from: unknown[] | undefined) =>
    stackWith(TYPES.networkPolicy, "default", (o) => {
        o.spec.ingress = [from === undefined ? { ports: [{ port: 6379 }] } : { from, ports: [{ port: 6379 }] }];
    });

describe("policy network-policy-ingress-restricted [L31]", () => {
    it("[L31] passes the baseline (deny-all) and rules naming their clients: pods of a component, the router's namespace, a narrow CIDR", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            withRule([
                { podSelector: { matchLabels: selector("web") } },
                { namespaceSelector: { matchLabels: { "policy-group.network.openshift.io/ingress": "" } } },
                { namespaceSelector: {}, podSelector: { matchLabels: selector("web") } },
                // Selectors by expression name their clients too.
                {
                    namespaceSelector: {
                        matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["router"] }],
                    },
                },
                { ipBlock: { cidr: "10.0.0.0/8" } },
                { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } },
            ]),
            [],
        );
    });

    it("[L31] flags the Redis incident: a rule without from, and from: [] (both admit every source)", async () => {
        const message = `NetworkPolicy "default" (spec.ingress[0].from): the rule has no sources, so it admits every pod and address. ${FIX}`;
        await expectMessages(policy, withRule(undefined), [message]);
        await expectMessages(policy, withRule([]), [message]);
    });

    it("[L31] flags peers that admit everything: empty, namespaceSelector {} (alone or with podSelector {}), 0.0.0.0/0 and ::/0", async () => {
        await expectMessages(
            policy,
            withRule([
                {},
                { namespaceSelector: {} },
                { namespaceSelector: {}, podSelector: {} },
                { ipBlock: { cidr: "0.0.0.0/0" } },
                { ipBlock: { cidr: "::/0" } },
            ]),
            [
                `NetworkPolicy "default" (spec.ingress[0].from[0]): the peer is empty, so it admits every client. ${FIX}`,
                `NetworkPolicy "default" (spec.ingress[0].from[1]): the peer selects every pod of every namespace (namespaceSelector {}), so it admits every client. ${FIX}`,
                `NetworkPolicy "default" (spec.ingress[0].from[2]): the peer selects every pod of every namespace (namespaceSelector {}), so it admits every client. ${FIX}`,
                `NetworkPolicy "default" (spec.ingress[0].from[3]): the peer admits every address (ipBlock 0.0.0.0/0), so it admits every client. ${FIX}`,
                `NetworkPolicy "default" (spec.ingress[0].from[4]): the peer admits every address (ipBlock ::/0), so it admits every client. ${FIX}`,
            ],
        );
    });

    it("[L31] is not applicable to other types", async () => {
        await assertAppliesOnlyTo(policy, [TYPES.networkPolicy]);
    });
});
