import { TYPES } from "../../policy/k8s";
import { portEnvMatchesContainerPort as policy } from "../../policy/rules/port-env-matches-container-port";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy port-env-matches-container-port [L18]", () => {
    it("[L18] passes the baseline (PORT=8080 on port 8080) and client ports like REDIS_PORT", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.template.spec.containers[0].env.push({ name: "REDIS_PORT", value: "6379" });
            }),
            [],
        );
    });

    it("[L18] warns about GRPC_PORT_PLANNING=50053 on a container listening on 50054", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                const c = o.spec.template.spec.containers[0];
                c.ports = [{ name: "grpc", containerPort: 50054 }];
                c.readinessProbe = c.livenessProbe = { grpc: { port: 50054 } };
                c.env = [{ name: "GRPC_PORT_PLANNING", value: "50053" }];
            }),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].env[0]): GRPC_PORT_PLANNING=50053 is not among the container's ports (50054). Fix: use the same port value for GRPC_PORT_PLANNING, containerPort, probes and the Service targetPort.`,
            ],
        );
    });

    it("[L18] a container that declares no ports (a migration Job sharing the API env) serves nothing and is skipped", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.job, "migrate", (o) => {
                delete o.spec.template.spec.containers[0].ports;
            }),
            [],
        );
    });

    it("[L18] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
