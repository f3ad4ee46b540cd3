// Postmortem 000 ISSUE-003 [L03]: PVC static-files (ReadWriteOnce) mounted by 3 nginx replicas; the third
// pod stuck in ContainerCreating with a Multi-Attach error.
import * as k8s from "@pulumi/kubernetes";

const ns = "qr-demo-dev";
const pvc = new k8s.core.v1.PersistentVolumeClaim("static-files", {
    metadata: { name: "static-files", namespace: ns },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } },
});
const labels = { app: "nginx" };
new k8s.apps.v1.Deployment("nginx", {
    metadata: { name: "nginx", namespace: ns },
    spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                containers: [
                    {
                        name: "nginx",
                        image: "nginxinc/nginx-unprivileged:1.27-alpine",
                        ports: [{ containerPort: 8080 }],
                        volumeMounts: [{ name: "static", mountPath: "/usr/share/nginx/html" }],
                    },
                ],
                volumes: [{ name: "static", persistentVolumeClaim: { claimName: pvc.metadata.name } }],
            },
        },
    },
});
