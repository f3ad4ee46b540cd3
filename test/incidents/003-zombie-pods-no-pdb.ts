// Postmortem 003 issue F [L21]: after a node reboot pods went ContainerStatusUnknown; 2-replica services had
// no PodDisruptionBudget.
import * as k8s from "@pulumi/kubernetes";

const labels = { app: "context" };
new k8s.apps.v1.Deployment("context", {
    metadata: { name: "context", namespace: "swe-ai-fleet" },
    spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                containers: [
                    {
                        name: "context",
                        image: "registry.example.com/swe-ai-fleet/context:v3.0.0",
                        ports: [{ containerPort: 50054 }],
                    },
                ],
            },
        },
    },
});
