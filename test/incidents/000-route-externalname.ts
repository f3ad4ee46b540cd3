// Postmortem 000 ISSUE-005 [L05]: the cutover plan's Route north-v2-test pointed at an ExternalName Service
// (nginx-v2 -> nginx.qr-demo-dev): HTTP 503, the router has no endpoints for it.
import * as k8s from "@pulumi/kubernetes";

const ns = "qr-demo-qa";
const svc = new k8s.core.v1.Service("nginx-v2", {
    metadata: { name: "nginx-v2", namespace: ns },
    spec: { type: "ExternalName", externalName: "nginx.qr-demo-dev.svc.cluster.local", ports: [{ port: 8080 }] },
});
new k8s.apiextensions.CustomResource("north-v2-test", {
    apiVersion: "route.openshift.io/v1",
    kind: "Route",
    metadata: { name: "north-v2-test", namespace: ns },
    spec: { to: { kind: "Service", name: svc.metadata.name }, port: { targetPort: 8080 } },
});
