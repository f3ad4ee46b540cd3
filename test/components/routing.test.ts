// Route/Ingress to the stack's own Service (L05, L11) and the NetworkPolicies on both platforms (L31).
import * as assert from "assert";
import {
    DEFAULT_RESOURCES,
    MIGRATION_DEFAULT_BACKOFF_LIMIT,
    MIGRATION_DEFAULT_DEADLINE_SECONDS,
    MigrationJob,
    migrationProblems,
} from "../../components/migration-job";
import { MAX_SCHEMA_VERSION, SCHEMA_VERSION_ANNOTATION } from "../../components/schema-version";
import {
    DEFAULT_INGRESS_NAMESPACE,
    NetworkPolicies,
    NetworkPoliciesArgs,
    OPENSHIFT_INGRESS_NAMESPACE_LABEL,
} from "../../components/network-policies";
import { Route, RouteArgs, routeProblems, SSE_TIMEOUT_ANNOTATION } from "../../components/route";
import { recordResources } from "../../offline/run-program";
import { assertRestricted, assertSchemaValid, one, pinned } from "./support";

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

    it("L05 a Route's url: https and the host; an Ingress's: http without a TLS Secret, none without a host", async () => {
        const urlOf = async (args: Partial<RouteArgs>) => {
            let url: Promise<string> | undefined;
            await recordResources(() => {
                const route = new Route("shop", { namespace: "demo", target: TARGET, ...args });
                url = new Promise((resolve) => route.url.apply(resolve));
            });
            return url;
        };
        assert.strictEqual(await urlOf({ kind: "ingress", host: "shop.example.com" }), "http://shop.example.com");
        assert.strictEqual(
            await urlOf({ kind: "ingress", host: "shop.example.com", tlsSecretName: "shop-tls" }),
            "https://shop.example.com",
        );
        assert.strictEqual(await urlOf({ kind: "ingress" }), "");
        assert.strictEqual(await urlOf({}), "", "no host until the router assigns one");
    });

    it("L05/L11 the Route sends the Service's named port, edge TLS, no wildcard; extra annotations join the timeout", async () => {
        const resources = await recordResources(() => {
            new Route("shop", {
                namespace: "demo",
                target: TARGET,
                host: "shop.apps.example.com",
                annotations: { "haproxy.router.openshift.io/balance": "roundrobin" },
            });
        });
        const route = one(resources, "Route", "shop").obj;
        assert.deepStrictEqual(route.spec.port, { targetPort: "http" });
        assert.deepStrictEqual(route.spec.tls, { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" });
        assert.strictEqual(route.spec.wildcardPolicy, "None");
        assert.deepStrictEqual(route.metadata.annotations, {
            [SSE_TIMEOUT_ANNOTATION]: "1h",
            "haproxy.router.openshift.io/balance": "roundrobin",
        });
        assert.strictEqual(route.metadata.labels["app.kubernetes.io/component"], "route");
    });

    it("L05 an Ingress matches every path of its host by prefix; without a TLS Secret it has no TLS section", async () => {
        const resources = await recordResources(() => {
            new Route("shop", { namespace: "demo", target: TARGET, kind: "ingress", host: "shop.example.com" });
        });
        const ingress = one(resources, "Ingress", "shop").obj;
        assert.strictEqual(ingress.spec.tls, undefined);
        assert.strictEqual(ingress.spec.rules[0].host, "shop.example.com");
        assert.deepStrictEqual(
            [ingress.spec.rules[0].http.paths[0].path, ingress.spec.rules[0].http.paths[0].pathType],
            ["/", "Prefix"],
        );
    });

    it("L05 Ingress-only settings on an OpenShift Route are refused, and TLS on an Ingress needs a host", () => {
        const fieldsOf = (args: Parameters<typeof routeProblems>[0]) =>
            routeProblems(args, "route.").map((p) => `${p.field}: ${p.problem}`);
        const ingressOnly = "only applies to an Ingress (an OpenShift Route terminates TLS at the router)";
        assert.deepStrictEqual(fieldsOf({ ingressClassName: "nginx" }), [`route.ingressClassName: ${ingressOnly}`]);
        assert.deepStrictEqual(fieldsOf({ kind: "openshift", tlsSecretName: "tls" }), [
            `route.tlsSecretName: ${ingressOnly}`,
        ]);
        assert.deepStrictEqual(fieldsOf({ tlsSecretName: "tls", ingressClassName: "nginx" }), [
            `route.ingressClassName: ${ingressOnly}`,
        ]);
        assert.deepStrictEqual(fieldsOf({ kind: "ingress", tlsSecretName: "tls" }), [
            "route.tlsSecretName: TLS on an Ingress needs a host",
        ]);
        assert.deepStrictEqual(
            fieldsOf({ kind: "ingress", tlsSecretName: "tls", ingressClassName: "nginx", host: "shop.example.com" }),
            [],
        );
        const [problem] = routeProblems({ kind: "ingress", tlsSecretName: "tls" }, "route.");
        assert.deepStrictEqual(
            [problem.got, problem.fix],
            ["tls", "set route.host too, or remove route.tlsSecretName"],
        );
        const [openshift] = routeProblems({ tlsSecretName: "tls" }, "");
        assert.deepStrictEqual([openshift.got, openshift.fix], ["tls", "remove it, or set kind to ingress"]);
    });

    it("L29 a host must be a lowercase DNS name", () => {
        const [problem, ...more] = routeProblems({ host: "Shop.example.com" }, "route.");
        assert.deepStrictEqual(more, []);
        assert.deepStrictEqual(
            [problem.field, problem.got, problem.suggested, problem.lessons],
            ["route.host", "Shop.example.com", "north.apps.example.com", ["L29"]],
        );
        assert.strictEqual(problem.problem, "is not a lowercase DNS host name");
        assert.strictEqual(
            problem.fix,
            "set route.host to a lowercase host name such as north.apps.example.com, or leave it unset to let OpenShift generate one",
        );
        assert.deepStrictEqual(routeProblems({ host: "shop.example.com", timeout: "90s" }, "route."), []);
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

    it("L31 OpenShift by default: deny all, then router → nginx → API → Redis (API and the migration), each on its port", async () => {
        const args: NetworkPoliciesArgs = {
            namespace: "demo",
            stackSelector: { app: "shop" },
            site: { selector: { c: "site" }, port: 8080 },
            api: { selector: { c: "api" }, port: 5000 },
            redis: { selector: { c: "redis" }, port: 6379 },
            redisClients: [{ c: "migrate" }],
        };
        const resources = await recordResources(() => {
            new NetworkPolicies("shop", args);
        });
        assertSchemaValid(resources);
        const spec = (name: string) => one(resources, "NetworkPolicy", `shop-${name}`).obj.spec;
        assert.deepStrictEqual(spec("default-deny"), {
            podSelector: { matchLabels: { app: "shop" } },
            policyTypes: ["Ingress"],
        });
        assert.deepStrictEqual(spec("site-from-ingress"), {
            podSelector: { matchLabels: { c: "site" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ namespaceSelector: { matchLabels: { [OPENSHIFT_INGRESS_NAMESPACE_LABEL]: "" } } }],
                    ports: [{ protocol: "TCP", port: 8080 }],
                },
            ],
        });
        assert.deepStrictEqual(spec("api-from-site"), {
            podSelector: { matchLabels: { c: "api" } },
            policyTypes: ["Ingress"],
            ingress: [
                { from: [{ podSelector: { matchLabels: { c: "site" } } }], ports: [{ protocol: "TCP", port: 5000 }] },
            ],
        });
        assert.deepStrictEqual(spec("redis-from-api"), {
            podSelector: { matchLabels: { c: "redis" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        { podSelector: { matchLabels: { c: "api" } } },
                        { podSelector: { matchLabels: { c: "migrate" } } },
                    ],
                    ports: [{ protocol: "TCP", port: 6379 }],
                },
            ],
        });
        const policy = one(resources, "NetworkPolicy", "shop-default-deny").obj;
        assert.deepStrictEqual([policy.metadata.name, policy.metadata.namespace], ["shop-default-deny", "demo"]);
        assert.strictEqual(policy.metadata.labels["app.kubernetes.io/component"], "network-policy");
    });

    it("L31 Kubernetes without an ingress namespace admits ingress-nginx's; Redis without other clients admits the API only", async () => {
        const resources = await recordResources(() => {
            new NetworkPolicies("shop", {
                namespace: "demo",
                platform: "kubernetes",
                stackSelector: { app: "shop" },
                site: { selector: { c: "site" }, port: 8080 },
                api: { selector: { c: "api" }, port: 5000 },
                redis: { selector: { c: "redis" }, port: 6379 },
            });
        });
        const spec = (name: string) => one(resources, "NetworkPolicy", `shop-${name}`).obj.spec;
        assert.deepStrictEqual(spec("site-from-ingress").ingress[0].from, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": DEFAULT_INGRESS_NAMESPACE } } },
        ]);
        assert.deepStrictEqual(spec("redis-from-api").ingress[0].from, [
            { podSelector: { matchLabels: { c: "api" } } },
        ]);
    });

    it("L13 MigrationJob: bounded retries and deadline, no TTL, replaceOnChanges on the template, fail-fast timeouts", async () => {
        const resources = await recordResources(() => {
            new MigrationJob("migrate", {
                namespace: "demo",
                image: pinned("quay.io/acme/api", "f"),
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

    it("L13/L15 MigrationJob settings: each range accepted at both ends, refused one beyond; the command must have no blank part", () => {
        const command = ["flask", "db", "upgrade"];
        const ranges: ["schemaVersion" | "backoffLimit" | "activeDeadlineSeconds", number, number, string][] = [
            ["schemaVersion", 0, MAX_SCHEMA_VERSION, ""],
            ["backoffLimit", 0, 6, ""],
            ["activeDeadlineSeconds", 30, 3600, " seconds"],
        ];
        for (const [setting, lo, hi, unit] of ranges) {
            for (const value of [lo, hi]) {
                assert.deepStrictEqual(
                    migrationProblems({ command, [setting]: value }, "migration."),
                    [],
                    `${setting} ${value}`,
                );
            }
            for (const value of [lo - 1, hi + 1, lo + 0.5]) {
                assert.deepStrictEqual(
                    migrationProblems({ command, [setting]: value }, "migration.").map((p) => [
                        p.field,
                        p.problem,
                        p.got,
                    ]),
                    [[`migration.${setting}`, `must be an integer from ${lo} to ${hi}${unit}`, value]],
                    `${setting} ${value}`,
                );
            }
        }
        const fixOf = (args: Parameters<typeof migrationProblems>[0]) => migrationProblems(args, "migration.")[0].fix;
        assert.strictEqual(
            fixOf({ command, schemaVersion: -1 }),
            "set migration.schemaVersion to the number of the newest migration the image carries, e.g. 3",
        );
        assert.strictEqual(
            fixOf({ command, backoffLimit: 7 }),
            "use 0 or 1: a migration that fails twice will not pass a third time",
        );
        assert.strictEqual(
            fixOf({ command, activeDeadlineSeconds: 5 }),
            "set the longest a migration may take, e.g. 600",
        );
        assert.strictEqual(
            fixOf({ command: [] }),
            'give the whole command as migration.command, e.g. ["flask", "db", "upgrade"]',
        );
        for (const bad of [undefined, [], ["flask", " "]]) {
            assert.deepStrictEqual(
                migrationProblems({ command: bad }, "migration.").map((p) => [p.field, p.suggested]),
                [["migration.command", { field: "migration.command[0]", value: "flask" }]],
                JSON.stringify(bad),
            );
        }
    });

    it("L13/L23 a downgrade to another version than the declared one is reported after a bad schemaVersion", () => {
        const fields = (args: Parameters<typeof migrationProblems>[0]) =>
            migrationProblems(args, "migration.").map((p) => p.field);
        assert.deepStrictEqual(fields({ command: ["m"], schemaVersion: 3, allowSchemaDowngradeTo: 2 }), [
            "migration.allowSchemaDowngradeTo",
        ]);
        assert.deepStrictEqual(
            fields({ command: ["m"], schemaVersion: -3, allowSchemaDowngradeTo: 2, backoffLimit: 9 }),
            ["migration.schemaVersion", "migration.allowSchemaDowngradeTo", "migration.backoffLimit"],
        );
        assert.deepStrictEqual(fields({ command: [], schemaVersion: 3, allowSchemaDowngradeTo: 2 }), [
            "migration.allowSchemaDowngradeTo",
            "migration.command",
        ]);
    });

    it("L13 MigrationJob defaults: one retry, the default deadline, its pod restricted and writing only to /tmp, after the schema record", async () => {
        const env = [{ name: "REDIS_HOST", value: "redis" }];
        const resources = await recordResources(() => {
            new MigrationJob("migrate", {
                namespace: "demo",
                image: pinned("quay.io/acme/api", "f"),
                command: ["flask", "db", "upgrade"],
                env,
                schemaVersion: 4,
                partOf: "shop",
            });
        });
        assertSchemaValid(resources);
        const job = one(resources, "Job", "migrate");
        assert.deepStrictEqual(
            [job.obj.spec.backoffLimit, job.obj.spec.activeDeadlineSeconds],
            [MIGRATION_DEFAULT_BACKOFF_LIMIT, MIGRATION_DEFAULT_DEADLINE_SECONDS],
        );
        const deadlineMinutes = Math.ceil(MIGRATION_DEFAULT_DEADLINE_SECONDS / 60) + 2;
        assert.deepStrictEqual(job.resource.options.customTimeouts, {
            create: `${deadlineMinutes}m`,
            update: `${deadlineMinutes}m`,
            delete: "2m",
        });
        assert.strictEqual(
            job.resource.inputs.metadata.name,
            undefined,
            "auto-named: the new Job is created before the old goes",
        );
        const pod = job.obj.spec.template.spec;
        assertRestricted("migrate", pod);
        assert.deepStrictEqual([pod.restartPolicy, pod.automountServiceAccountToken], ["Never", false]);
        const [container] = pod.containers;
        assert.deepStrictEqual(
            [container.name, container.imagePullPolicy, container.env, container.resources],
            ["migrate", "IfNotPresent", env, DEFAULT_RESOURCES],
        );
        assert.deepStrictEqual(container.volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
        assert.deepStrictEqual(pod.volumes, [{ name: "tmp", emptyDir: {} }]);
        const record = one(resources, "ConfigMap", "migrate-schema");
        assert.deepStrictEqual(
            [record.obj.metadata.name, record.obj.metadata.annotations],
            ["shop-schema", { [SCHEMA_VERSION_ANNOTATION]: "4" }],
        );
        assert.strictEqual(record.obj.metadata.labels["app.kubernetes.io/component"], "schema");
        assert.strictEqual(job.obj.metadata.labels["app.kubernetes.io/component"], "migration");
        assert.deepStrictEqual(job.resource.options.dependsOn, [record.resource.urn]);
    });

    it("L11 a Route's own arguments are named as such in its problems (no config path before them)", async () => {
        const message = await recordResources(() => {
            new Route("shop", { namespace: "demo", target: TARGET, timeout: "soon" });
        }).then(
            () => assert.fail("accepted"),
            (err: Error) => err.message,
        );
        assert.match(
            message,
            /^timeout: is not a duration the router understands \(got "soon"\)\. Fix: set timeout to /,
        );
    });
});
