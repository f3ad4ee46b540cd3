import { TYPES } from "../../policy/k8s";
import { probePortsDeclared as policy } from "../../policy/rules/probe-ports-declared";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy probe-ports-declared [L18]", () => {
    it("[L18] passes the baseline (probes by name and by number)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L18] rejects a readiness probe on 50053 when the container declares 50054", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                const c = o.spec.template.spec.containers[0];
                c.ports = [{ name: "grpc", containerPort: 50054 }];
                c.readinessProbe = { tcpSocket: { port: 50053 } };
                c.livenessProbe = { grpc: { port: 50054 } };
            }),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].readinessProbe.tcpSocket.port): probe port 50053 is not a declared container port (declared: 50054 (grpc)). Fix: probe the port the server listens on and declare it in ports.`,
            ],
        );
    });

    it("[L18] any declared port will do: probes on the second of two ports pass; the message lists every port, or none", async () => {
        const twoPorts = (probePort: number | string) =>
            stackWith(TYPES.deployment, "web", (o) => {
                const c = o.spec.template.spec.containers[0];
                c.ports = [{ name: "http", containerPort: 8080 }, { containerPort: 9090 }];
                c.readinessProbe = { httpGet: { path: "/readyz", port: probePort } };
                c.livenessProbe = { tcpSocket: { port: 9090 } };
            });
        await expectMessages(policy, twoPorts("http"), []);
        await expectMessages(
            policy,
            stackWith(TYPES.pod, "debug", (o) => {
                delete o.spec.containers[0].ports;
                o.spec.containers[0].readinessProbe = { tcpSocket: { port: 8080 } };
            }),
            [
                `Pod "debug" container "app" (spec.containers[0].readinessProbe.tcpSocket.port): probe port 8080 is not a declared container port (declared: none). Fix: probe the port the server listens on and declare it in ports.`,
                `Pod "debug" container "app" (spec.containers[0].livenessProbe.httpGet.port): probe port 8080 is not a declared container port (declared: none). Fix: probe the port the server listens on and declare it in ports.`,
            ],
        );
        await expectMessages(policy, twoPorts(9091), [
            `Deployment "web" container "app" (spec.template.spec.containers[0].readinessProbe.httpGet.port): probe port 9091 is not a declared container port (declared: 8080 (http), 9090). Fix: probe the port the server listens on and declare it in ports.`,
        ]);
    });

    it("[L18] rejects a probe naming an undeclared port", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.pod, "debug", (o) => {
                o.spec.containers[0].livenessProbe = { httpGet: { path: "/", port: "metrics" } };
            }),
            [
                `Pod "debug" container "app" (spec.containers[0].livenessProbe.httpGet.port): probe port "metrics" is not a declared container port (declared: 8080 (http)). Fix: probe the port the server listens on and declare it in ports.`,
            ],
        );
    });

    it("[L18] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
