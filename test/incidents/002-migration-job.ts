// Postmortem 002 Problem 2 [L13]: the proposed migration Job (flyway migrate) with unbounded retries and no
// deadline, cleaned up by TTL: a failing migration retries for a long time, and a deleted Job re-runs.
import * as k8s from "@pulumi/kubernetes";

new k8s.batch.v1.Job("db-migrate", {
    metadata: { name: "db-migrate", namespace: "apps" },
    spec: {
        ttlSecondsAfterFinished: 300,
        template: {
            spec: {
                restartPolicy: "Never",
                containers: [{ name: "migrate", image: "flyway/flyway:latest", command: ["flyway", "migrate"] }],
            },
        },
    },
});
