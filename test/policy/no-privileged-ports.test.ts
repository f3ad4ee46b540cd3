import { TYPES } from "../../policy/k8s";
import { noPrivilegedPorts as policy } from "../../policy/rules/no-privileged-ports";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy no-privileged-ports [L02]", () => {
    it("[L02] passes the baseline (port 8080)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L02] allows 1024, the first port a non-root process may bind, and rejects 1023", async () => {
        const withPort = (port: number) =>
            stackWith(TYPES.daemonSet, "agent", (o) => {
                o.spec.template.spec.containers[0].ports[0].containerPort = port;
            });
        await expectMessages(policy, withPort(1024), []);
        await expectMessages(policy, withPort(1023), [
            `DaemonSet "agent" container "app" (spec.template.spec.containers[0].ports[0].containerPort): port 1023 is below 1024 and cannot be bound by a non-root process. Fix: listen on a port >= 1024 (e.g. 8080) and expose 1023 through the Service's port/targetPort.`,
        ]);
    });

    it("[L02] rejects containerPort 80 on a non-root container", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.daemonSet, "agent", (o) => {
                o.spec.template.spec.containers[0].ports[0].containerPort = 80;
            }),
            [
                `DaemonSet "agent" container "app" (spec.template.spec.containers[0].ports[0].containerPort): port 80 is below 1024 and cannot be bound by a non-root process. Fix: listen on a port >= 1024 (e.g. 8080) and expose 80 through the Service's port/targetPort.`,
            ],
        );
    });

    it("[L02] a container explicitly running as root (runAsUser 0) is left to the L30 policies", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.daemonSet, "agent", (o) => {
                o.spec.template.spec.containers[0].ports[0].containerPort = 80;
                o.spec.template.spec.securityContext.runAsUser = 0;
            }),
            [],
        );
    });

    it("[L02] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
