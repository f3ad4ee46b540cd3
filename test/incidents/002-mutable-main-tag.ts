// Postmortem 002 Problem 1 [L12, L28]: csv-ingestion-worker deployed as :main with imagePullPolicy Always;
// a new build was pushed and all 3 pods kept running the old digest until a manual rollout restart.
import * as k8s from "@pulumi/kubernetes";

const labels = { app: "csv-ingestion-worker" };
new k8s.apps.v1.Deployment("csv-ingestion-worker", {
    metadata: { name: "csv-ingestion-worker", namespace: "apps" },
    spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                containers: [
                    {
                        name: "worker",
                        image: "ghcr.io/goldfish-inc/oceanid/csv-ingestion-worker:main",
                        imagePullPolicy: "Always",
                    },
                ],
            },
        },
    },
});
