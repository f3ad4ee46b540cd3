// Postmortem 000 ISSUE-002 [L02]: stock nginx:1.27-alpine under OpenShift's arbitrary UID:
// mkdir /var/cache/nginx/client_temp and open /run/nginx.pid failed (permission denied).
import * as k8s from "@pulumi/kubernetes";

const labels = { app: "nginx" };
new k8s.apps.v1.Deployment("nginx", {
    metadata: { name: "nginx", namespace: "qr-demo-dev" },
    spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                securityContext: { runAsNonRoot: true },
                containers: [{ name: "nginx", image: "nginx:1.27-alpine", ports: [{ containerPort: 80 }] }],
            },
        },
    },
});
