import { TYPES } from "../../policy/k8s";
import { readinessProbeSet as policy } from "../../policy/rules/readiness-probe-set";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy readiness-probe-set [L15, L27]", () => {
    it("[L15] passes the baseline", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L15] warns about a StatefulSet container without readinessProbe", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                delete o.spec.template.spec.containers[0].readinessProbe;
            }),
            [
                `StatefulSet "redis" container "redis" (spec.template.spec.containers[0].readinessProbe): no readinessProbe; without it a crashing pod counts as ready and rollouts cannot fail fast. Fix: add readinessProbe (httpGet/tcpSocket/grpc on the container's port).`,
            ],
        );
    });

    it("[L15] does not ask Jobs or initContainers for probes", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.job, "migrate", (o) => {
                delete o.spec.template.spec.containers[0].readinessProbe;
            }),
            [],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.template.spec.initContainers = [{ name: "wait", image: "x" }];
            }),
            [],
        );
    });

    it("[L15] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
