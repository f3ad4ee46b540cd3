// Postmortem 001 [L10]: state lived in memory and was lost on restart; the plan's Redis must persist, but a
// Redis with nothing mounted at /data loses it just the same.
import * as k8s from "@pulumi/kubernetes";

const labels = { app: "redis" };
new k8s.apps.v1.Deployment("redis", {
    metadata: { name: "redis", namespace: "qr-demo-qa" },
    spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                containers: [
                    {
                        name: "redis",
                        image: "redis:7-alpine",
                        args: ["--appendonly", "yes"],
                        ports: [{ containerPort: 6379 }],
                    },
                ],
            },
        },
    },
});
