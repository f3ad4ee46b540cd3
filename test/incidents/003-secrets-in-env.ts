// Postmortem 003 [L19]: the secrets file committed to git ended up as literal env values.
import * as k8s from "@pulumi/kubernetes";

const labels = { app: "orchestrator" };
new k8s.apps.v1.Deployment("orchestrator", {
    metadata: { name: "orchestrator", namespace: "swe-ai-fleet" },
    spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
            metadata: { labels },
            spec: {
                containers: [
                    {
                        name: "orchestrator",
                        image: "registry.example.com/swe-ai-fleet/orchestrator:v3.0.0",
                        env: [
                            { name: "NEO4J_URI", value: "bolt://neo4j:7687" },
                            { name: "NEO4J_PASSWORD", value: "committed-to-git" },
                            { name: "HF_TOKEN", value: "hf_committed" },
                        ],
                    },
                ],
            },
        },
    },
});
