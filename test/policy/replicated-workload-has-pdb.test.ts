import { TYPES } from "../../policy/k8s";
import { replicatedWorkloadHasPdb as policy } from "../../policy/rules/replicated-workload-has-pdb";
import { compliantStack, expectMessages, labels, record, selector, stackWith } from "./fixtures";

const noPdb = (who: string, replicas: number, component: string) =>
    `${who} (spec.replicas): ${replicas} replicas and no PodDisruptionBudget in namespace "shop" selects its pods ${JSON.stringify(labels(component))}. Fix: add a PodDisruptionBudget with maxUnavailable: 1 selecting these labels.`;

describe("policy replicated-workload-has-pdb [L21] (stack)", () => {
    it("[L21] passes the baseline (2-replica web with a PDB; single-replica others)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L21] warns about replicas >= 2 without a PDB", async () => {
        await expectMessages(
            policy,
            compliantStack().filter((r) => r.type !== TYPES.pdb),
            [noPdb(`Deployment "web"`, 2, "web")],
        );
    });

    it("[L21] a PDB selecting other pods does not count; HPA minReplicas counts", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.pdb, "web", (o) => {
                o.spec.selector = { matchLabels: selector("redis") };
            }),
            [noPdb(`Deployment "web"`, 2, "web")],
        );
        const stack = [
            ...compliantStack(),
            record(TYPES.hpaV2, "legacy", {
                metadata: { name: "legacy", namespace: "shop" },
                spec: { scaleTargetRef: { kind: "ReplicaSet", name: "legacy" }, minReplicas: 3, maxReplicas: 6 },
            }),
        ];
        await expectMessages(policy, stack, [noPdb(`ReplicaSet "legacy"`, 3, "legacy")]);
    });

    it("[L21] matchExpressions selectors are honoured", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.pdb, "web", (o) => {
                o.spec.selector = {
                    matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: ["web", "api"] }],
                };
            }),
            [],
        );
    });

    it("[L21] DaemonSets, Jobs and stacks without workloads are not concerned", async () => {
        await expectMessages(
            policy,
            compliantStack().filter((r) => ![TYPES.deployment, TYPES.pdb].includes(r.type as any)),
            [],
        );
    });
});
