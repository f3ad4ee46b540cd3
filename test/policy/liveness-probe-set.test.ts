import { TYPES } from "../../policy/k8s";
import { livenessProbeSet as policy } from "../../policy/rules/liveness-probe-set";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy liveness-probe-set [L27, L21]", () => {
    it("[L27] passes the baseline", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L27] warns about a DaemonSet container without livenessProbe (the stale relay DaemonSet)", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.daemonSet, "agent", (o) => {
                delete o.spec.template.spec.containers[0].livenessProbe;
            }),
            [
                `DaemonSet "agent" container "app" (spec.template.spec.containers[0].livenessProbe): no livenessProbe; without it a hung process is never restarted. Fix: add livenessProbe (httpGet/tcpSocket/grpc on the container's port).`,
            ],
        );
    });

    it("[L27] does not ask CronJobs for probes", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.cronJob, "cleanup", (o) => {
                delete o.spec.jobTemplate.spec.template.spec.containers[0].livenessProbe;
            }),
            [],
        );
    });

    it("[L27] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
