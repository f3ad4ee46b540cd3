// Postmortem 000 ISSUE-006 [L06]: the qr-demo-dev manifest applied to qr-demo-qa kept the internal registry
// path of qr-demo-dev: ImagePullBackOff.
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
                        image: "image-registry.openshift-image-registry.svc:5000/qr-demo-dev/north-api:latest",
                        command: ["gunicorn", "-b", "0.0.0.0:5000", "app:app"],
                        ports: [{ containerPort: 5000 }],
                    },
                ],
            },
        },
    },
});
