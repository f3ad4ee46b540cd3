// Postmortem 002 Problem 3 [L14, L15, L16]: hand edits tolerated by ignoring the pod template (updates
// "sometimes apply"), no readiness probe (a CrashLoopBackOff rollout hung 12 minutes), and no ownership
// labels (stale ReplicaSets/Secrets nobody could attribute).
import * as k8s from "@pulumi/kubernetes";

const labels = { app: "csv-ingestion-worker" };
new k8s.apps.v1.Deployment(
    "csv-ingestion-worker",
    {
        metadata: { name: "csv-ingestion-worker", namespace: "apps", labels },
        spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    containers: [
                        {
                            name: "worker",
                            image: `ghcr.io/goldfish-inc/oceanid/csv-ingestion-worker@sha256:${"8f54f5f9".repeat(8)}`,
                            ports: [{ containerPort: 8080 }],
                        },
                    ],
                },
            },
        },
    },
    { ignoreChanges: ["spec.template"] },
);
