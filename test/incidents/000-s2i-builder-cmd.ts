// Postmortem 000 ISSUE-001 [L01]: the API built on the UBI9 python-311 S2I builder, deployed without a
// command, so the image's S2I run script started the Flask dev server on 8080 instead of gunicorn on 5000.
import * as k8s from "@pulumi/kubernetes";

const labels = { app: "north-api" };
new k8s.apps.v1.Deployment("north-api", {
    metadata: { name: "north-api", namespace: "qr-demo-qa" },
    spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                containers: [
                    {
                        name: "api",
                        image: "registry.access.redhat.com/ubi9/python-311:latest",
                        ports: [{ containerPort: 5000 }],
                        readinessProbe: { httpGet: { path: "/readyz", port: 5000 } },
                    },
                ],
            },
        },
    },
});
