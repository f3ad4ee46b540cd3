import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { routeBackendSelectsPods as policy } from "../../policy/rules/route-backend-selects-pods";
import { compliantStack, expectMessages, kinds, record, selector, stackWith, violationsOf } from "./fixtures";

const fix = `Fix: target a Service in "shop" whose selector matches the pods that serve this route (or list a Service of another stack in externalNames).`;

describe("policy route-backend-selects-pods [L05] (stack)", () => {
    it("[L05] passes the baseline Route and Ingress to the selector Service of the web Deployment", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L05] rejects a Route to an ExternalName Service (the 503 cutover incident)", async () => {
        const v = await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.spec = { type: "ExternalName", externalName: "nginx.qr-demo-dev.svc.cluster.local" };
            }),
            [
                `Route "web" (spec.to.name): Service "web" is ExternalName, which has no endpoints, so the router answers 503. ${fix}`,
                `Ingress "web" (spec.rules[0].http.paths[0].backend.service.name): Service "web" is ExternalName, which has no endpoints, so the router answers 503. ${fix}`,
            ],
        );
        assert.deepEqual(v.map((x) => x.resource).sort(), [`${TYPES.ingress}::web`, `${TYPES.route}::web`]);
    });

    it("[L05] rejects a dangling backend and a Service in another namespace", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.route, "web", (o) => {
                o.spec.alternateBackends = [{ kind: "Service", name: "web-v2", weight: 10 }];
            }),
            [
                `Route "web" (spec.alternateBackends[0].name): Service "web-v2" does not exist in namespace "shop" of this stack (dangling backend). ${fix}`,
            ],
        );
        const moved = stackWith(TYPES.service, "web", (o) => {
            o.metadata.namespace = "qr-demo-dev";
        });
        const v = await violationsOf(policy, moved);
        assert.equal(v.length, 2);
        assert.match(v[0].message, /Service "web" does not exist in namespace "shop"/);
    });

    it("[L05] rejects a Service without selector and one whose selector matches no workload", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                delete o.spec.selector;
            }).filter((r) => r.type !== TYPES.ingress),
            [`Route "web" (spec.to.name): Service "web" has no selector, so it has no endpoints. ${fix}`],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.spec.selector = selector("nginx");
            }).filter((r) => r.type !== TYPES.ingress),
            [
                `Route "web" (spec.to.name): Service "web" selects ${JSON.stringify(selector("nginx"))}, which matches no workload in namespace "shop". ${fix}`,
            ],
        );
    });

    it("[L05] resolves auto-named Services through their outputs", async () => {
        const svc = kinds.service();
        delete svc.metadata.name;
        const route = kinds.route();
        route.spec.to.name = "web-9c1d2e3";
        const stack = [
            record(TYPES.deployment, "web", kinds.deployment()),
            record(TYPES.service, "web", svc, {
                outputs: { ...svc, metadata: { ...svc.metadata, name: "web-9c1d2e3" } },
            }),
            record(TYPES.route, "web", route),
        ];
        await expectMessages(policy, stack, []);
    });

    it("[L05] stacks without Routes or Ingresses have nothing to check", async () => {
        await expectMessages(
            policy,
            compliantStack().filter(
                (r) => r.type !== TYPES.route && r.type !== TYPES.ingress && r.type !== TYPES.service,
            ),
            [],
        );
    });

    it("[L18] rejects a Route or Ingress port the Service does not have (503); a port the Service has passes", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.route, "web", (o) => {
                o.spec.port.targetPort = "https";
            }),
            [
                `Route "web" (spec.port.targetPort): Service "web" has no port "https" (its ports: http/80), so the router has nowhere to send the traffic (503). Fix: name a port of the Service (derive both from one port value).`,
            ],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.ingress, "web", (o) => {
                o.spec.rules[0].http.paths[0].backend.service.port = { number: 8080 };
            }),
            [
                `Ingress "web" (spec.rules[0].http.paths[0].backend.service.port.number): Service "web" has no port 8080 (its ports: http/80), so the router has nowhere to send the traffic (503). Fix: name a port of the Service (derive both from one port value).`,
            ],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.ingress, "web", (o) => {
                o.spec.rules[0].http.paths[0].backend.service.port = { number: 80 };
            }),
            [],
        );
    });

    it("[L18] matches ports the way each router does: any port of the Service, a Route's number also by targetPort", async () => {
        // The Service "web" with three ports: "http" 80 → 8080, "metrics" 9090 → "metrics", and an unnamed 9443 → 8443.
        const twoPorts = (type: string, change: (o: Record<string, any>) => void) => {
            const router = stackWith(type, "web", change).find((r) => r.type === type && r.name === "web")!;
            return stackWith(TYPES.service, "web", (o) => {
                o.spec.ports = [
                    { name: "http", port: 80, targetPort: 8080 },
                    { name: "metrics", port: 9090, targetPort: "metrics" },
                    { port: 9443, targetPort: 8443 },
                ];
            }).map((r) => (r.type === type && r.name === "web" ? router : r));
        };
        const noPort = (where: string, port: string) =>
            `${where}: Service "web" has no port ${port} (its ports: http/80, metrics/9090, 9443), so the router has nowhere to send the traffic (503). Fix: name a port of the Service (derive both from one port value).`;
        const route = (targetPort: string | number) =>
            twoPorts(TYPES.route, (o) => (o.spec.port.targetPort = targetPort));
        const ingress = (port: Record<string, string | number>) =>
            twoPorts(TYPES.ingress, (o) => (o.spec.rules[0].http.paths[0].backend.service.port = port));
        // A Route's number is where the endpoints listen: a targetPort, or any number when a targetPort is a name.
        await expectMessages(policy, route("metrics"), []);
        await expectMessages(policy, route(8080), []);
        await expectMessages(policy, route(9100), []);
        // An Ingress number is a Service port, never a targetPort; a name is a port's name.
        await expectMessages(policy, ingress({ number: 9090 }), []);
        await expectMessages(policy, ingress({ number: 8080 }), [
            noPort(`Ingress "web" (spec.rules[0].http.paths[0].backend.service.port.number)`, "8080"),
        ]);
        await expectMessages(policy, ingress({ name: "https" }), [
            noPort(`Ingress "web" (spec.rules[0].http.paths[0].backend.service.port.name)`, `"https"`),
        ]);
        // With no named targetPort to fall back on, a Route number that is no targetPort has nowhere to go.
        const numbered = stackWith(TYPES.service, "web", (o) => {
            o.spec.ports = [{ name: "http", port: 80, targetPort: 8080 }];
        }).map((r) => (r.type === TYPES.route ? route(9100).find((x) => x.type === TYPES.route)! : r));
        await expectMessages(
            policy,
            numbered.map((r) => (r.type === TYPES.route ? route(8080).find((x) => x.type === TYPES.route)! : r)),
            [],
        );
        await expectMessages(policy, numbered, [
            `Route "web" (spec.port.targetPort): Service "web" has no port 9100 (its ports: http/80), so the router has nowhere to send the traffic (503). Fix: name a port of the Service (derive both from one port value).`,
        ]);
        // A Service without ports says so.
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.spec.ports = [];
            }),
            [
                `Route "web" (spec.port.targetPort): Service "web" has no port "http" (its ports: none), so the router has nowhere to send the traffic (503). Fix: name a port of the Service (derive both from one port value).`,
                `Ingress "web" (spec.rules[0].http.paths[0].backend.service.port.name): Service "web" has no port "http" (its ports: none), so the router has nowhere to send the traffic (503). Fix: name a port of the Service (derive both from one port value).`,
            ],
        );
    });

    it("[L05] follows a Route's to (kind defaults to Service; none at all is no backend) and an Ingress defaultBackend", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.route, "web", (o) => {
                o.spec.to = { name: "web-v2" };
            }),
            [
                `Route "web" (spec.to.name): Service "web-v2" does not exist in namespace "shop" of this stack (dangling backend). ${fix}`,
            ],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.route, "web", (o) => {
                delete o.spec.to;
            }),
            [],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.ingress, "web", (o) => {
                o.spec.defaultBackend = { service: { name: "fallback", port: { number: 80 } } };
            }),
            [
                `Ingress "web" (spec.defaultBackend.service.name): Service "fallback" does not exist in namespace "shop" of this stack (dangling backend). ${fix}`,
            ],
        );
    });

    it("[L05] takes Services of other stacks from externalNames (globs): no dangling-backend report for them", async () => {
        const withoutService = compliantStack().filter((r) => !(r.type === TYPES.service && r.name === "web"));
        await expectMessages(policy, withoutService, [], {
            packConfig: { "route-backend-selects-pods": { externalNames: ["we*"] } },
        });
    });
});
