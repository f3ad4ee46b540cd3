import { TYPES } from "../../policy/k8s";
import { namespaceHasNetworkPolicy as policy } from "../../policy/rules/namespace-has-network-policy";
import { compliantStack, expectMessages, labels, selector, stackWith } from "./fixtures";

const open = (who: string, path: string, component: string) =>
    `${who} (${path}): no NetworkPolicy restricting Ingress in namespace "shop" selects its pods ${JSON.stringify(labels(component))}, so anything in the cluster can reach them. Fix: add a NetworkPolicy whose podSelector matches them and allows only the expected clients.`;

describe("policy namespace-has-network-policy [L31] (stack)", () => {
    it("[L31] passes the baseline (a NetworkPolicy selecting every pod of the namespace)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L31] warns about every long-running workload when the namespace has no NetworkPolicy (Jobs excluded)", async () => {
        await expectMessages(
            policy,
            compliantStack().filter((r) => r.type !== TYPES.networkPolicy),
            [
                open(`Deployment "web"`, "spec.template.metadata.labels", "web"),
                open(`Deployment "files"`, "spec.template.metadata.labels", "files"),
                open(`StatefulSet "redis"`, "spec.template.metadata.labels", "redis"),
                open(`DaemonSet "agent"`, "spec.template.metadata.labels", "agent"),
                open(`ReplicaSet "legacy"`, "spec.template.metadata.labels", "legacy"),
                open(`Pod "debug"`, "metadata.labels", "debug"),
            ],
        );
    });

    it("[L31] an Egress-only NetworkPolicy does not cover the pods; unset policyTypes (defaults to Ingress) and [Ingress, Egress] do", async () => {
        const only = (types: string[] | undefined) =>
            stackWith(TYPES.networkPolicy, "default", (o) => {
                if (types === undefined) {
                    delete o.spec.policyTypes;
                } else {
                    o.spec.policyTypes = types;
                }
            }).filter((r) => r.type === TYPES.networkPolicy || r.name === "redis");
        await expectMessages(policy, only(["Egress"]), [
            open(`StatefulSet "redis"`, "spec.template.metadata.labels", "redis"),
        ]);
        await expectMessages(policy, only(undefined), []);
        await expectMessages(policy, only(["Ingress", "Egress"]), []);
    });

    it("[L31] a NetworkPolicy only covers the pods it selects, in its own namespace", async () => {
        const onlyRedis = stackWith(TYPES.networkPolicy, "default", (o) => {
            o.spec.podSelector = { matchLabels: selector("redis") };
        });
        const v = await expectMessages(
            policy,
            onlyRedis.filter((r) => r.type === TYPES.networkPolicy || r.name === "redis" || r.name === "web"),
            [open(`Deployment "web"`, "spec.template.metadata.labels", "web")],
        );
        void v;
        const elsewhere = stackWith(TYPES.networkPolicy, "default", (o) => {
            o.metadata.namespace = "other";
        });
        await expectMessages(
            policy,
            elsewhere.filter((r) => r.type === TYPES.networkPolicy || r.name === "redis"),
            [open(`StatefulSet "redis"`, "spec.template.metadata.labels", "redis")],
        );
    });
});
