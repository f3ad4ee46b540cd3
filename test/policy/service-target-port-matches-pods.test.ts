import { TYPES } from "../../policy/k8s";
import { serviceTargetPortMatchesPods as policy } from "../../policy/rules/service-target-port-matches-pods";
import { compliantStack, expectMessages, kinds, record, stackWith } from "./fixtures";

describe("policy service-target-port-matches-pods [L18] (stack)", () => {
    it("[L18] passes the baseline (targetPort by name) and a numeric targetPort of the pods", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.spec.ports[0].targetPort = 8080;
            }),
            [],
        );
    });

    it("[L18] rejects targetPort 50053 when the selected pods declare 50054", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.spec.ports[0].targetPort = 50053;
            }),
            [
                `Service "web" (spec.ports[0].targetPort): 50053 is not a port of the selected pods of Deployment "web" (declared: 8080 (http)). Fix: set targetPort to the port the container declares and listens on.`,
            ],
        );
    });

    it("[L18] without targetPort the port itself must be a pod port", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                delete o.spec.ports[0].targetPort;
            }),
            [
                `Service "web" (spec.ports[0].port): 80 is not a port of the selected pods of Deployment "web" (declared: 8080 (http)). Fix: set targetPort to the port the container declares and listens on.`,
            ],
        );
    });

    it("[L18] any serving container of the pod may declare the port; an init container's port serves nothing", async () => {
        const web = (change: (spec: Record<string, any>) => void) =>
            stackWith(TYPES.deployment, "web", (o) => change(o.spec.template.spec));
        // A sidecar without ports beside the container that declares "http".
        await expectMessages(
            policy,
            web((spec) => spec.containers.push({ name: "log-shipper", image: "busybox" })),
            [],
        );
        await expectMessages(
            policy,
            web((spec) => {
                spec.initContainers = [{ name: "warm", image: "busybox", ports: [{ containerPort: 9090 }] }];
                spec.containers[0].ports.push({ containerPort: 8443 });
            }).map((r) =>
                r.type === TYPES.service && r.name === "web"
                    ? record(TYPES.service, r.name, {
                          ...r.inputs,
                          spec: { ...r.inputs.spec, ports: [{ port: 80, targetPort: 9090 }] },
                      })
                    : r,
            ),
            [
                `Service "web" (spec.ports[0].targetPort): 9090 is not a port of the selected pods of Deployment "web" (declared: 8080 (http), 8443). Fix: set targetPort to the port the container declares and listens on.`,
            ],
        );
        await expectMessages(
            policy,
            web((spec) => delete spec.containers[0].ports).map((r) =>
                r.type === TYPES.service && r.name === "web"
                    ? record(TYPES.service, r.name, {
                          ...r.inputs,
                          spec: { ...r.inputs.spec, ports: [{ port: 80, targetPort: 8080 }] },
                      })
                    : r,
            ),
            [
                `Service "web" (spec.ports[0].targetPort): 8080 is not a port of the selected pods of Deployment "web" (declared: none). Fix: set targetPort to the port the container declares and listens on.`,
            ],
        );
    });

    it("[L18] ExternalName and selector-less Services, and other types, are not checked", async () => {
        // Neither when the ExternalName Service keeps a stale selector, nor when a selector-less one names a port no
        // pod around declares.
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.spec = { type: "ExternalName", externalName: "x", selector: o.spec.selector, ports: [{ port: 1 }] };
            }),
            [],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.spec = { ports: [{ port: 1 }] };
            }),
            [],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.spec = { type: "ExternalName", externalName: "x", ports: [{ port: 1 }] };
            }),
            [],
        );
        await expectMessages(
            policy,
            [record(TYPES.deployment, "web", kinds.deployment()), record(TYPES.configMap, "c", kinds.configMap())],
            [],
        );
    });
});
