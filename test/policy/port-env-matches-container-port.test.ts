import { TYPES } from "../../policy/k8s";
import { portEnvMatchesContainerPort as policy } from "../../policy/rules/port-env-matches-container-port";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith, webWithEnv } from "./fixtures";

describe("policy port-env-matches-container-port [L18]", () => {
    it("[L18] passes the baseline (PORT=8080 on port 8080) and client ports like REDIS_PORT", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(policy, webWithEnv({ name: "REDIS_PORT", value: "6379" }), []);
    });

    it("[L18] reads only whole numbers in port-named vars: not a service link's tcp://host:port, not 8080/tcp, not WORKERS=4", async () => {
        await expectMessages(
            policy,
            webWithEnv(
                { name: "WEB_PORT", value: "tcp://10.96.0.12:80" },
                { name: "METRICS_PORT", value: "9090/tcp" },
                { name: "WORKERS", value: "4" },
            ),
            [],
        );
    });

    it("[L18] warns about GRPC_PORT_PLANNING=50053 on a container listening on 50054 (and 9090 for metrics)", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                const c = o.spec.template.spec.containers[0];
                c.ports = [
                    { name: "grpc", containerPort: 50054 },
                    { name: "metrics", containerPort: 9090 },
                ];
                c.readinessProbe = c.livenessProbe = { grpc: { port: 50054 } };
                c.env = [{ name: "GRPC_PORT_PLANNING", value: "50053" }];
            }),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].env[0]): GRPC_PORT_PLANNING=50053 is not among the container's ports (50054, 9090). Fix: use the same port value for GRPC_PORT_PLANNING, containerPort, probes and the Service targetPort.`,
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
