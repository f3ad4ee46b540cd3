// Postmortem 003 [L20]: most manifests pulled from swe-fleet, the build script pushed to swe-ai-fleet: two
// registry namespaces at once, and a manual apply reverts to the other path.
import * as k8s from "@pulumi/kubernetes";

for (const [service, registryNamespace] of [
    ["context", "swe-fleet"],
    ["workflow", "swe-ai-fleet"],
]) {
    const labels = { app: service };
    new k8s.apps.v1.Deployment(service, {
        metadata: { name: service, namespace: "swe-ai-fleet" },
        spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    containers: [
                        { name: service, image: `registry.example.com/${registryNamespace}/${service}:v3.0.0` },
                    ],
                },
            },
        },
    });
}
