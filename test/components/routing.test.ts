// Route/Ingress to the stack's own Service (L05, L11) and the NetworkPolicies on both platforms (L31).
import * as assert from "assert";
import { MigrationJob } from "../../components/migration-job";
import { NetworkPolicies } from "../../components/network-policies";
import { Route, SSE_TIMEOUT_ANNOTATION } from "../../components/route";
import { recordResources } from "../../offline/run-program";
import { assertSchemaValid, one } from "./support";

const TARGET = { serviceName: "shop-site", portName: "http", port: 8080 };

describe("Route, NetworkPolicies, MigrationJob", () => {
    it("L05/L11 OpenShift Route: own Service, edge TLS + Redirect, SSE timeout annotation, host → url", async () => {
        let url: Promise<string> | undefined;
        const resources = await recordResources(() => {
            const route = new Route("shop", {
                namespace: "demo",
                target: TARGET,
                host: "shop.apps.example.com",
                timeout: "2h",
            });
            url = new Promise((resolve) => route.url.apply(resolve));
        });
        assertSchemaValid(resources);
        const route = one(resources, "Route", "shop").obj;
        assert.deepStrictEqual(route.spec.to, { kind: "Service", name: "shop-site", weight: 100 });
        assert.strictEqual(route.metadata.annotations["haproxy.router.openshift.io/timeout"], "2h");
        assert.strictEqual(route.spec.tls.insecureEdgeTerminationPolicy, "Redirect");
        assert.strictEqual(await url, "https://shop.apps.example.com");
    });

    it("L05 Ingress variant: backend is the own Service by port name, TLS for the host", async () => {
        const resources = await recordResources(() => {
            new Route("shop", {
                namespace: "demo",
                target: TARGET,
                kind: "ingress",
                host: "shop.example.com",
                tlsSecretName: "shop-tls",
                ingressClassName: "nginx",
            });
        });
        assertSchemaValid(resources);
        const ingress = one(resources, "Ingress", "shop").obj;
        assert.deepStrictEqual(ingress.spec.rules[0].http.paths[0].backend, {
            service: { name: "shop-site", port: { name: "http" } },
        });
        assert.deepStrictEqual(ingress.spec.tls, [{ hosts: ["shop.example.com"], secretName: "shop-tls" }]);
    });

    it("L11 without a timeout the Route still outlives an SSE stream: at least an hour, never the router's 30 s", async () => {
        const resources = await recordResources(() => {
            new Route("shop", { namespace: "demo", target: TARGET });
        });
        const timeout: string = one(resources, "Route", "shop").obj.metadata.annotations[SSE_TIMEOUT_ANNOTATION];
        const match = /^(\d+)(ms|s|m|h|d)$/.exec(timeout);
        assert.ok(match, `not a router duration: ${timeout}`);
        const seconds = Number(match[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "s"];
        assert.ok(seconds >= 3600, `the default Route timeout is ${timeout} (${seconds} s): SSE streams would be cut`);
    });

    it("L11 rejects a timeout the router cannot parse", async () => {
        await assert.rejects(
            recordResources(() => {
                new Route("shop", { namespace: "demo", target: TARGET, timeout: "soon" });
            }),
            /^.*timeout: is not a duration.*\(got "soon"\)\. Fix: .*1h.*\[L11\]/m,
        );
    });

    it("L31 Kubernetes: nginx admitted from the configured ingress namespace only", async () => {
        const resources = await recordResources(() => {
            new NetworkPolicies("shop", {
                namespace: "demo",
                platform: "kubernetes",
                ingressNamespace: "traefik",
                stackSelector: { app: "shop" },
                site: { selector: { c: "site" }, port: 8080 },
                api: { selector: { c: "api" }, port: 5000 },
            });
        });
        assertSchemaValid(resources);
        const fromIngress = one(resources, "NetworkPolicy", "shop-site-from-ingress").obj.spec.ingress[0];
        assert.deepStrictEqual(fromIngress, {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } } }],
            ports: [{ protocol: "TCP", port: 8080 }],
        });
        assert.strictEqual(
            resources.filter((r) => r.name === "shop-redis-from-api").length,
            0,
            "no Redis, no Redis policy",
        );
    });

    it("L13 MigrationJob: bounded retries and deadline, no TTL, replaceOnChanges on the template, fail-fast timeouts", async () => {
        const resources = await recordResources(() => {
            new MigrationJob("migrate", {
                namespace: "demo",
                image: `quay.io/acme/api@sha256:${"f".repeat(64)}`,
                command: ["flask", "db", "upgrade"],
                activeDeadlineSeconds: 300,
            });
        });
        assertSchemaValid(resources);
        const job = one(resources, "Job", "migrate");
        assert.deepStrictEqual(
            [job.obj.spec.backoffLimit, job.obj.spec.activeDeadlineSeconds, job.obj.spec.ttlSecondsAfterFinished],
            [1, 300, undefined],
        );
        assert.deepStrictEqual(job.resource.options.replaceOnChanges, ["spec.template"]);
        assert.strictEqual(job.resource.options.customTimeouts?.create, "7m");
    });

    it("L13 MigrationJob rejects an empty command", async () => {
        await assert.rejects(
            recordResources(() => {
                new MigrationJob("migrate", { namespace: "demo", image: "x", command: [] });
            }),
            /command: the migration needs an explicit, non-empty command \(got \[\]\)\. Fix: .*\[L13, L01\]/m,
        );
    });
});
