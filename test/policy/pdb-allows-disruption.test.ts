import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { pdbAllowsDisruption as policy } from "../../policy/rules/pdb-allows-disruption";
import { compliantStack, expectMessages, kinds, record, selector, stackWith, violationsOf } from "./fixtures";

const pdb = (change: (spec: Record<string, any>) => void) => stackWith(TYPES.pdb, "web", (o) => change(o.spec));
const FIX = "Fix: set spec.maxUnavailable: 1 (instead of minAvailable) and select the workload's pod labels.";

describe("policy pdb-allows-disruption [L21]", () => {
    it("[L21] passes maxUnavailable: 1 over the web Deployment (2 pods: the HPA's minReplicas)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L21] passes minAvailable 1 of 2 replicas, and 50% of 2 (keeps 1)", async () => {
        await expectMessages(
            policy,
            pdb((s) => {
                delete s.maxUnavailable;
                s.minAvailable = 1;
            }),
            [],
        );
        await expectMessages(
            policy,
            pdb((s) => {
                delete s.maxUnavailable;
                s.minAvailable = "50%";
            }),
            [],
        );
    });

    it('[L21] rejects maxUnavailable 0 (and "0%")', async () => {
        for (const value of [0, "0%"]) {
            await expectMessages(
                policy,
                pdb((s) => {
                    s.maxUnavailable = value;
                }),
                [
                    `PodDisruptionBudget "web" (spec.maxUnavailable): ${JSON.stringify(value)} allows no eviction of Deployment "web", so every node drain hangs. ${FIX}`,
                ],
            );
        }
    });

    it("[L21] names every workload a PDB stops; a DaemonSet's pod count (its nodes) is unknown, so minAvailable over it is not judged", async () => {
        const [v] = await violationsOf(
            policy,
            pdb((s) => {
                s.selector = { matchLabels: { "app.kubernetes.io/instance": "shop" } };
                s.maxUnavailable = 0;
            }),
        );
        assert.match(v.message, /allows no eviction of Deployment "web", StatefulSet "redis", /);
        await expectMessages(
            policy,
            pdb((s) => {
                s.selector = { matchLabels: selector("agent") };
                delete s.maxUnavailable;
                s.minAvailable = 1;
            }),
            [],
        );
    });

    it("[L21] rejects minAvailable equal to the replicas, or 100%", async () => {
        for (const value of [2, "100%"]) {
            await expectMessages(
                policy,
                pdb((s) => {
                    delete s.maxUnavailable;
                    s.minAvailable = value;
                }),
                [
                    `PodDisruptionBudget "web" (spec.minAvailable): ${JSON.stringify(value)} keeps all 2 pod(s) of Deployment "web", so no pod can be evicted and node drains hang. ${FIX}`,
                ],
            );
        }
    });

    it("[L21] counts the HPA's minReplicas when it is above spec.replicas", async () => {
        const stack = compliantStack()
            .map((r) =>
                r.type === TYPES.hpaV2
                    ? record(TYPES.hpaV2, "web", {
                          ...kinds.hpa(),
                          spec: { ...kinds.hpa().spec, minReplicas: 4, maxReplicas: 6 },
                      })
                    : r,
            )
            .map((r) =>
                r.type === TYPES.pdb
                    ? record(TYPES.pdb, "web", {
                          ...kinds.pdb(),
                          spec: { minAvailable: 3, selector: kinds.pdb().spec.selector },
                      })
                    : r,
            );
        assert.deepEqual(await violationsOf(policy, stack), []);
        const blocking = stack.map((r) =>
            r.type === TYPES.pdb
                ? record(TYPES.pdb, "web", {
                      ...kinds.pdb(),
                      spec: { minAvailable: 4, selector: kinds.pdb().spec.selector },
                  })
                : r,
        );
        await expectMessages(policy, blocking, [
            `PodDisruptionBudget "web" (spec.minAvailable): 4 keeps all 4 pod(s) of Deployment "web", so no pod can be evicted and node drains hang. ${FIX}`,
        ]);
    });

    it("[L21] rejects a PDB that selects no pods (typo in the selector, or no selector)", async () => {
        await expectMessages(
            policy,
            pdb((s) => {
                s.selector.matchLabels["app.kubernetes.io/component"] = "wbe";
            }),
            [
                `PodDisruptionBudget "web" (spec.selector): {"matchLabels":{"app.kubernetes.io/instance":"shop","app.kubernetes.io/component":"wbe"}} selects no pod template in namespace "shop", so it protects nothing. ${FIX}`,
            ],
        );
        await expectMessages(
            policy,
            pdb((s) => {
                delete s.selector;
            }),
            [
                `PodDisruptionBudget "web" (spec.selector): not set, which selects no pods, so it protects nothing. ${FIX}`,
            ],
        );
    });

    it("[L21] rejects a PDB with no budget: neither minAvailable nor maxUnavailable lets every pod go at once", async () => {
        await expectMessages(
            policy,
            pdb((s) => {
                delete s.maxUnavailable;
            }),
            [
                `PodDisruptionBudget "web" (spec): sets neither minAvailable nor maxUnavailable, so it lets every selected pod be evicted at once and protects nothing. ${FIX}`,
            ],
        );
    });
});
