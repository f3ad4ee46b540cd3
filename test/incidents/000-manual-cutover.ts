// Postmortem 000 [L29, L30, L31, L32]: 2 nginx replicas with the default rolling update (route cutover and
// rollback by hand), containers running with default (root-capable) security, Redis reachable from the whole
// cluster, and the static-files PVC created without protection (replaced = deleted when its access mode changed).
import * as k8s from "@pulumi/kubernetes";

const ns = "qr-demo-qa";
new k8s.core.v1.PersistentVolumeClaim("static-files", {
    metadata: { name: "static-files", namespace: ns },
    spec: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "5Gi" } } },
});
for (const [name, image, port] of [
    ["nginx", "nginxinc/nginx-unprivileged:1.27-alpine", 8080],
    ["redis", "redis:7-alpine", 6379],
] as const) {
    const labels = { app: name };
    new k8s.apps.v1.Deployment(name, {
        metadata: { name, namespace: ns },
        spec: {
            replicas: name === "nginx" ? 2 : 1,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: { containers: [{ name, image, ports: [{ containerPort: port }] }] },
            },
        },
    });
}
