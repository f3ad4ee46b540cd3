// Postmortem 003 [L18]: planning listened on 50054 (Dockerfile EXPOSE, code default) while the ConfigMap
// said GRPC_PORT_PLANNING=50053 and the probes and Service used 50053: Running, never Ready.
import * as k8s from "@pulumi/kubernetes";

const ns = "swe-ai-fleet";
const labels = { app: "planning" };
new k8s.apps.v1.Deployment("planning", {
    metadata: { name: "planning", namespace: ns },
    spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                containers: [
                    {
                        name: "planning",
                        image: "registry.example.com/swe-ai-fleet/planning:v3.0.0-20251108-193228",
                        ports: [{ name: "grpc", containerPort: 50054 }],
                        env: [{ name: "GRPC_PORT_PLANNING", value: "50053" }],
                        readinessProbe: { tcpSocket: { port: 50053 } },
                        livenessProbe: { tcpSocket: { port: 50053 } },
                    },
                ],
            },
        },
    },
});
new k8s.core.v1.Service("planning", {
    metadata: { name: "planning", namespace: ns },
    spec: { selector: labels, ports: [{ name: "grpc", port: 50053, targetPort: 50053 }] },
});
