// Postmortem 004 [L12, L26, L27, L30]: the relay DaemonSet ran sha-39a4e17 as a tag with imagePullPolicy
// Always, had no probes, cloned its data into the container filesystem, and the proposed fix mounted a
// hostPath.
import * as k8s from "@pulumi/kubernetes";

const labels = { app: "relay" };
new k8s.apps.v1.DaemonSet("relay", {
    metadata: { name: "relay", namespace: "relay" },
    spec: {
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                containers: [
                    {
                        name: "relay",
                        image: "ghcr.io/clevertree/relay:sha-39a4e17",
                        imagePullPolicy: "Always",
                        ports: [{ containerPort: 5001 }],
                        volumeMounts: [
                            { name: "letsencrypt", mountPath: "/etc/letsencrypt" },
                            { name: "relay-data", mountPath: "/srv/relay/data" },
                        ],
                    },
                ],
                volumes: [
                    { name: "letsencrypt", secret: { secretName: "letsencrypt" } },
                    { name: "relay-data", hostPath: { path: "/srv/relay/data", type: "DirectoryOrCreate" } },
                ],
            },
        },
    },
});
