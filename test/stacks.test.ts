// The real program (index.ts) run under the mock runtime with each stack file: every object schema-valid and
// every lesson this project prevents by construction visible in what would be applied.
import * as assert from "assert";
import * as path from "path";
import { runPolicies } from "../offline/policy-runner";
import { ProgramRun, RecordedResource, runProgram } from "../offline/run-program";
import { loadStackConfigFile, secretConfig, StackConfig, withConfigOverrides } from "../offline/stack-config";
import {
    assertRestricted,
    assertSchemaValid,
    containersOf,
    DIGEST_PINNED,
    envOf,
    kubeObjects,
    ofKind,
    one,
    podTemplates,
    RECOMMENDED_LABELS,
    selects,
    stringsIn,
} from "./components/support";

const ROOT = path.join(__dirname, "..");
const PROGRAM = path.join(ROOT, "index.ts");

function stackConfig(stack: string): StackConfig {
    return loadStackConfigFile(path.join(ROOT, `Pulumi.${stack}.yaml`), "webstack");
}

function configObject(config: StackConfig, key: string): Record<string, any> {
    return JSON.parse(config.config[`webstack:${key}`]);
}

function run(stack: string, config = stackConfig(stack)): Promise<ProgramRun> {
    return runProgram({ program: PROGRAM, stack, config });
}

function apiContainer(resources: RecordedResource[]): Record<string, any> {
    return one(resources, "Deployment", "north-api").obj.spec.template.spec.containers[0];
}

function nginxConf(resources: RecordedResource[]): { name: string; conf: string } {
    const cm = one(resources, "ConfigMap", "north-site").obj;
    return { name: cm.metadata.name, conf: cm.data["nginx.conf"] };
}

describe("stacks (index.ts under mocks)", function () {
    // Both stacks run in the before hook; on a loaded machine that can take minutes.
    this.timeout(600_000);
    const runs: Record<string, ProgramRun> = {};
    before(async () => {
        const [dev, qa] = await Promise.all([run("dev"), run("qa")]);
        runs.dev = dev;
        runs.qa = qa;
    });

    for (const stack of ["dev", "qa"]) {
        describe(`${stack}`, () => {
            const resources = () => runs[stack].resources;

            it("the policy pack (every policy at its default level) finds no violation", async () => {
                assert.deepStrictEqual(await runPolicies(resources()), []);
            });

            it("every Kubernetes object is schema-valid (kubernetes-models; Route schema)", () => {
                assert.ok(assertSchemaValid(resources()) >= 15, "too few objects validated");
            });

            it("exports url, namespace, every deployed image by role (digest-pinned) and the version (L23, L24)", () => {
                const out = runs[stack].stackOutputs as Record<string, any>;
                assert.strictEqual(out.namespace, `qr-demo-${stack}`);
                assert.deepStrictEqual(Object.keys(out.images).sort(), ["api", "migration", "nginx", "redis"]);
                for (const ref of Object.values(out.images)) assert.match(String(ref), DIGEST_PINNED);
                assert.match(out.version, /^[0-9a-f]{16}$/);
                assert.strictEqual(typeof out.url, "string");
                const deployed = new Set(
                    podTemplates(resources()).flatMap((p) => containersOf(p.template.spec).map((c) => c.image)),
                );
                assert.deepStrictEqual([...deployed].sort(), [...new Set(Object.values<string>(out.images))].sort());
            });

            it("L24 exports a podSelector that selects every pod template of this stack, and only its own (instance = app-stack)", () => {
                const selector = (runs[stack].stackOutputs as Record<string, any>).podSelector as string;
                const required = Object.fromEntries(selector.split(",").map((pair) => pair.split("=")));
                assert.strictEqual(required["app.kubernetes.io/instance"], `north-${stack}`);
                const templates = podTemplates(resources());
                assert.ok(templates.length >= 3);
                for (const { template } of templates) {
                    const labels = template.metadata?.labels ?? {};
                    for (const [key, value] of Object.entries(required))
                        assert.strictEqual(labels[key], value, `${key} of ${JSON.stringify(labels)}`);
                }
            });

            it("L12/L28 every container and initContainer image is digest-pinned, pulled IfNotPresent", () => {
                const all = podTemplates(resources()).flatMap((p) =>
                    containersOf(p.template.spec).map((c) => ({ where: `${p.where}/${c.name}`, c })),
                );
                assert.ok(all.length >= 4);
                for (const { where, c } of all) {
                    assert.match(c.image, DIGEST_PINNED, where);
                    assert.strictEqual(c.imagePullPolicy, "IfNotPresent", where);
                }
            });

            it("L30/L26 Pod Security restricted on every pod, no fixed runAsUser, read-only root filesystem", () => {
                const templates = podTemplates(resources());
                assert.deepStrictEqual(templates.map((t) => t.where).sort(), [
                    "Deployment north-api",
                    "Deployment north-site",
                    "Job north-api-migrate",
                    "StatefulSet north-redis",
                ]);
                for (const { where, template } of templates) assertRestricted(where, template.spec);
            });

            it("L15/L27 every long-running container has readiness, liveness and startup probes; rollouts fail fast", () => {
                for (const { where, template, workload } of podTemplates(resources()).filter(
                    (t) => t.workload.obj.kind !== "Job",
                )) {
                    for (const c of template.spec.containers) {
                        assert.ok(c.readinessProbe && c.livenessProbe && c.startupProbe, `${where}/${c.name}`);
                    }
                    if (workload.obj.kind === "Deployment") {
                        assert.ok(workload.obj.spec.progressDeadlineSeconds <= 600, where);
                        assert.ok(workload.resource.options.customTimeouts?.update, `${where}: customTimeouts`);
                    }
                }
            });

            it("L18 one API port feeds containerPort, PORT, every probe and the Service targetPort", () => {
                const c = apiContainer(resources());
                const port = configObject(stackConfig(stack), "api").port;
                assert.deepStrictEqual(c.ports, [{ name: "http", containerPort: port }]);
                assert.strictEqual(envOf(c, "PORT"), String(port));
                for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe])
                    assert.strictEqual(probe.httpGet.port, port);
                const svc = one(resources(), "Service", "north-api").obj;
                assert.deepStrictEqual(
                    svc.spec.ports.map((p: any) => p.targetPort),
                    [port],
                );
                assert.ok(
                    selects(
                        svc.spec.selector,
                        one(resources(), "Deployment", "north-api").obj.spec.template.metadata.labels,
                    ),
                );
            });

            it("L18 nginx: probes and Service target the port nginx.conf listens on", () => {
                const site = one(resources(), "Deployment", "north-site").obj;
                const nginx = site.spec.template.spec.containers[0];
                const port = nginx.ports[0].containerPort;
                assert.match(nginxConf(resources()).conf, new RegExp(`listen\\s+${port}\\b`));
                for (const probe of [nginx.readinessProbe, nginx.livenessProbe])
                    assert.strictEqual(probe.httpGet.port, port);
                assert.deepStrictEqual(
                    one(resources(), "Service", "north-site").obj.spec.ports.map((p: any) => p.targetPort),
                    [port],
                );
            });

            it("L01 the API container always has an explicit command", () => {
                assert.deepStrictEqual(
                    apiContainer(resources()).command,
                    configObject(stackConfig(stack), "api").command,
                );
            });

            it("L32 the content PVC is protected; Redis's claim is retained", () => {
                const pvc = one(resources(), "PersistentVolumeClaim", "north-content");
                assert.strictEqual(pvc.resource.options.protect, true);
                const redis = one(resources(), "StatefulSet", "north-redis").obj;
                assert.deepStrictEqual(redis.spec.persistentVolumeClaimRetentionPolicy, {
                    whenDeleted: "Retain",
                    whenScaled: "Retain",
                });
            });

            it("L13 the migration Job runs the API's digest and env before the API Deployment (dependsOn), is re-created on change, never TTL-deleted", () => {
                const job = one(resources(), "Job", "north-api-migrate");
                const api = one(resources(), "Deployment", "north-api");
                assert.ok(
                    api.resource.options.dependsOn.includes(job.resource.urn),
                    "API Deployment must depend on the Job",
                );
                assert.deepStrictEqual(job.resource.options.replaceOnChanges, ["spec.template"]);
                assert.strictEqual(job.resource.options.deleteBeforeReplace, undefined);
                assert.strictEqual(
                    job.resource.inputs.metadata.name,
                    undefined,
                    "auto-named: new Job created before the old is deleted",
                );
                assert.strictEqual(job.obj.spec.ttlSecondsAfterFinished, undefined);
                assert.ok(job.obj.spec.backoffLimit >= 0 && job.obj.spec.activeDeadlineSeconds > 0);
                const migrate = job.obj.spec.template.spec.containers[0];
                assert.strictEqual(migrate.image, apiContainer(resources()).image);
                assert.deepStrictEqual(migrate.command, configObject(stackConfig(stack), "migration").command);
                assert.deepStrictEqual(migrate.env, apiContainer(resources()).env);
                assert.strictEqual(job.obj.spec.template.spec.restartPolicy, "Never");
            });

            it("L14 no resource ignores changes", () => {
                for (const r of resources()) assert.ok(!r.options.ignoreChanges?.length, `${r.type} ${r.name}`);
            });

            it("L16 every object carries the recommended labels; revision history bounded", () => {
                for (const { resource, obj } of kubeObjects(resources())) {
                    for (const label of RECOMMENDED_LABELS)
                        assert.ok(obj.metadata.labels?.[label], `${obj.kind} ${resource.name}: ${label}`);
                    assert.strictEqual(obj.metadata.labels["app.kubernetes.io/managed-by"], "pulumi");
                    assert.strictEqual(obj.metadata.labels["app.kubernetes.io/part-of"], "north");
                }
                for (const { obj } of [...ofKind(resources(), "Deployment"), ...ofKind(resources(), "StatefulSet")]) {
                    assert.ok(obj.spec.revisionHistoryLimit >= 1 && obj.spec.revisionHistoryLimit <= 10);
                }
            });

            it("L29 every RollingUpdate Deployment keeps maxUnavailable 0", () => {
                for (const { resource, obj } of ofKind(resources(), "Deployment")) {
                    if (obj.spec.strategy.type === "RollingUpdate")
                        assert.strictEqual(obj.spec.strategy.rollingUpdate.maxUnavailable, 0, resource.name);
                }
            });

            it("L05/L11/L29 the Route targets the stack's own selector Service, edge TLS with redirect, SSE timeout", () => {
                const route = one(resources(), "Route", "north-route").obj;
                assert.deepStrictEqual(route.spec.to, { kind: "Service", name: "north-site", weight: 100 });
                assert.deepStrictEqual(route.spec.tls, {
                    termination: "edge",
                    insecureEdgeTerminationPolicy: "Redirect",
                });
                assert.strictEqual(route.metadata.annotations["haproxy.router.openshift.io/timeout"], "1h");
                const svc = one(resources(), "Service", route.spec.to.name).obj;
                assert.strictEqual(svc.metadata.namespace, route.metadata.namespace);
                assert.notStrictEqual(svc.spec.type, "ExternalName");
                assert.ok(svc.spec.ports.some((p: any) => p.name === route.spec.port.targetPort));
                assert.ok(
                    selects(
                        svc.spec.selector,
                        one(resources(), "Deployment", "north-site").obj.spec.template.metadata.labels,
                    ),
                );
            });

            it("L10/L26 Redis: StatefulSet of 1, append-only persistence on its own claim at the data dir", () => {
                const sts = one(resources(), "StatefulSet", "north-redis").obj;
                assert.strictEqual(sts.spec.replicas, 1);
                const [claim] = sts.spec.volumeClaimTemplates;
                const server = sts.spec.template.spec.containers[0];
                const dataMount = server.volumeMounts.find((m: any) => m.name === claim.metadata.name);
                assert.strictEqual(dataMount.mountPath, "/data");
                const conf = one(resources(), "ConfigMap", "north-redis").obj.data["redis.conf"];
                assert.match(conf, /^appendonly yes$/m);
                assert.match(conf, /^dir \/data$/m);
            });

            it("L19 the Redis password is generated, secret, and only ever a Secret reference", () => {
                const secrets = runs[stack].secretValues;
                const secret = one(resources(), "Secret", "north-redis");
                const password = secret.resource.inputs.stringData.password;
                assert.ok(typeof password === "string" && password.length >= 32);
                assert.ok(secrets.includes(password), "the password must be a Pulumi secret");
                const server = one(resources(), "StatefulSet", "north-redis").obj.spec.template.spec.containers[0];
                // The server reads the ACL file; only its probe's CLI gets the password, from the environment.
                assert.deepStrictEqual(server.command.slice(-2), ["--aclfile", "/etc/webstack-redis-acl/users.acl"]);
                assert.strictEqual(envOf(server, "REDISCLI_AUTH"), `secretKeyRef:${secret.obj.metadata.name}/password`);
                const acl = one(resources(), "Secret", "north-redis-acl").resource.inputs.stringData["users.acl"];
                assert.ok(secrets.includes(acl), "the ACL file must be a Pulumi secret");
                const api = apiContainer(resources());
                assert.strictEqual(envOf(api, "REDIS_PASSWORD"), `secretKeyRef:${secret.obj.metadata.name}/password`);
                assert.strictEqual(
                    envOf(api, "REDIS_URL"),
                    "redis://:$(REDIS_PASSWORD)@north-redis.qr-demo-" + stack + ".svc:6379/0",
                );
                // No ConfigMap, env literal, command or probe anywhere holds a secret value.
                for (const { resource, obj } of kubeObjects(resources())) {
                    if (obj.kind === "Secret") continue;
                    const texts = stringsIn(obj);
                    for (const s of secrets)
                        assert.ok(!texts.some((t) => t.includes(s)), `${obj.kind} ${resource.name} contains a secret`);
                }
            });

            it("L19 the Redis probes authenticate from the environment (REDISCLI_AUTH), never with -a", () => {
                const server = one(resources(), "StatefulSet", "north-redis").obj.spec.template.spec.containers[0];
                for (const probe of [server.readinessProbe, server.livenessProbe]) {
                    assert.deepStrictEqual(probe.exec.command, ["sh", "-c", "valkey-cli -p 6379 ping | grep -q PONG"]);
                }
            });

            it("L31 NetworkPolicies: default deny for all stack pods; Redis only from API (+migration), API only from nginx, nginx from the router", () => {
                const policies = Object.fromEntries(
                    ofKind(resources(), "NetworkPolicy").map((k) => [
                        k.resource.name.replace("north-netpol-", ""),
                        k.obj.spec,
                    ]),
                );
                const labelsOf = (kind: string, name: string) =>
                    one(resources(), kind, name).obj.spec.template.metadata.labels;
                const site = labelsOf("Deployment", "north-site");
                const api = labelsOf("Deployment", "north-api");
                const redis = labelsOf("StatefulSet", "north-redis");
                const migration = labelsOf("Job", "north-api-migrate");
                for (const { where, template } of podTemplates(resources())) {
                    assert.ok(
                        selects(policies["default-deny"].podSelector.matchLabels, template.metadata.labels),
                        `${where} not covered by default deny`,
                    );
                }
                assert.deepStrictEqual(policies["default-deny"].ingress, undefined);
                const peers = (name: string) => policies[name].ingress.flatMap((rule: any) => rule.from);
                assert.ok(selects(policies["redis-from-api"].podSelector.matchLabels, redis));
                const redisPeers = peers("redis-from-api").map((p: any) => p.podSelector.matchLabels);
                assert.ok(
                    redisPeers.some((sel: any) => selects(sel, api)) &&
                        redisPeers.some((sel: any) => selects(sel, migration)),
                );
                assert.ok(!redisPeers.some((sel: any) => selects(sel, site)), "nginx must not reach Redis");
                assert.deepStrictEqual(policies["redis-from-api"].ingress[0].ports, [{ protocol: "TCP", port: 6379 }]);
                const apiPeers = peers("api-from-site").map((p: any) => p.podSelector?.matchLabels);
                // Non-empty first: every() over no peers is true, and `from: []` admits every source (L31).
                assert.ok(apiPeers.length > 0, "the API admits nginx by name, not everything");
                assert.ok(
                    selects(policies["api-from-site"].podSelector.matchLabels, api) &&
                        apiPeers.every((sel: any) => sel !== undefined && selects(sel, site)),
                );
                assert.deepStrictEqual(peers("site-from-ingress"), [
                    { namespaceSelector: { matchLabels: { "policy-group.network.openshift.io/ingress": "" } } },
                ]);
            });
        });
    }

    it("L03 dev: ReadWriteOnce content ⇒ 1 nginx replica with strategy Recreate", () => {
        const site = one(runs.dev.resources, "Deployment", "north-site").obj;
        const pvc = one(runs.dev.resources, "PersistentVolumeClaim", "north-content").obj;
        assert.deepStrictEqual(pvc.spec.accessModes, ["ReadWriteOnce"]);
        assert.strictEqual(site.spec.replicas, 1);
        assert.deepStrictEqual(site.spec.strategy, { type: "Recreate" });
        const volume = site.spec.template.spec.volumes.find((v: any) => v.persistentVolumeClaim);
        assert.strictEqual(volume.persistentVolumeClaim.claimName, pvc.metadata.name);
    });

    it("L03 qa: ReadWriteMany content ⇒ 2 nginx replicas rolling with maxUnavailable 0", () => {
        const site = one(runs.qa.resources, "Deployment", "north-site").obj;
        assert.deepStrictEqual(one(runs.qa.resources, "PersistentVolumeClaim", "north-content").obj.spec.accessModes, [
            "ReadWriteMany",
        ]);
        assert.strictEqual(site.spec.replicas, 2);
        assert.deepStrictEqual(site.spec.strategy, {
            type: "RollingUpdate",
            rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
        });
    });

    it("L21 PDBs: dev API (2 replicas) only; qa API (HPA min 2) and nginx (2 replicas)", () => {
        const pdbs = (r: ProgramRun) =>
            ofKind(r.resources, "PodDisruptionBudget")
                .map((k) => k.resource.name)
                .sort();
        assert.deepStrictEqual(pdbs(runs.dev), ["north-api"]);
        assert.deepStrictEqual(pdbs(runs.qa), ["north-api", "north-site"]);
        for (const r of [runs.dev, runs.qa]) {
            const pdb = one(r.resources, "PodDisruptionBudget", "north-api").obj;
            assert.ok(
                selects(
                    pdb.spec.selector.matchLabels,
                    one(r.resources, "Deployment", "north-api").obj.spec.template.metadata.labels,
                ),
            );
            assert.strictEqual(pdb.spec.maxUnavailable, 1);
        }
    });

    it("qa: the API HPA (2–4) owns the replica count; dev has a fixed 2 and no HPA", () => {
        const hpa = one(runs.qa.resources, "HorizontalPodAutoscaler", "north-api").obj;
        assert.deepStrictEqual(
            [hpa.spec.minReplicas, hpa.spec.maxReplicas, hpa.spec.scaleTargetRef.name],
            [2, 4, "north-api"],
        );
        assert.strictEqual(one(runs.qa.resources, "Deployment", "north-api").obj.spec.replicas, undefined);
        assert.strictEqual(one(runs.dev.resources, "Deployment", "north-api").obj.spec.replicas, 2);
        assert.deepStrictEqual(ofKind(runs.dev.resources, "HorizontalPodAutoscaler"), []);
    });

    describe("changes between runs", () => {
        const digestB = "b".repeat(64);
        let corsChanged: ProgramRun;
        let apiChanged: ProgramRun;
        before(async () => {
            const base = stackConfig("dev");
            const site = configObject(base, "site");
            const api = configObject(base, "api");
            [corsChanged, apiChanged] = await Promise.all([
                run(
                    "dev",
                    withConfigOverrides(base, {
                        "webstack:site": { ...site, corsOrigins: ["https://labs.example.com"] },
                    }),
                ),
                run(
                    "dev",
                    withConfigOverrides(base, {
                        "webstack:api": { ...api, image: api.image.replace(/[0-9a-f]{64}$/, digestB) },
                    }),
                ),
            ]);
        });

        it("nginx config change ⇒ new ConfigMap name ⇒ new pod template (rolls the pods), new version (L24)", () => {
            const before = nginxConf(runs.dev.resources);
            const after = nginxConf(corsChanged.resources);
            assert.notStrictEqual(after.conf, before.conf);
            assert.notStrictEqual(after.name, before.name);
            const confVolume = (r: ProgramRun) =>
                one(r.resources, "Deployment", "north-site").obj.spec.template.spec.volumes.find(
                    (v: any) => v.name === "conf",
                ).configMap.name;
            assert.strictEqual(confVolume(runs.dev), before.name);
            assert.strictEqual(confVolume(corsChanged), after.name);
            assert.notStrictEqual(corsChanged.stackOutputs.version, runs.dev.stackOutputs.version);
        });

        it("L24 the version header nginx sends is the exported version", () => {
            for (const r of [runs.dev, runs.qa, corsChanged]) {
                assert.match(
                    nginxConf(r.resources).conf,
                    new RegExp(`X-Webstack-Version\\W+${String(r.stackOutputs.version)}`),
                );
            }
        });

        it("L12/L13/L23 a new API digest changes the API and migration pod templates (re-running the Job) but not nginx's version", () => {
            const newImage = apiContainer(apiChanged.resources).image;
            assert.ok(newImage.endsWith(digestB));
            assert.strictEqual(
                one(apiChanged.resources, "Job", "north-api-migrate").obj.spec.template.spec.containers[0].image,
                newImage,
            );
            assert.strictEqual((apiChanged.stackOutputs.images as any).api, newImage);
            assert.strictEqual(apiChanged.stackOutputs.version, runs.dev.stackOutputs.version);
            assert.strictEqual(nginxConf(apiChanged.resources).name, nginxConf(runs.dev.resources).name);
        });
    });

    it("plain Kubernetes, content image, secret API env: Ingress, ingress-namespace policy, content role, secrets by reference only (L05, L08, L19, L31)", async () => {
        const base = stackConfig("dev");
        const contentImage = `quay.io/acme/north-site@sha256:${"9".repeat(64)}`;
        const secretValue = "flask-secret-never-in-plain-text";
        const r = await run(
            "dev",
            withConfigOverrides(base, {
                "webstack:platform": "kubernetes",
                "webstack:route": {
                    host: "north.example.com",
                    tlsSecretName: "north-tls",
                    ingressNamespace: "traefik",
                },
                "webstack:site": { replicas: 3, content: { image: contentImage } },
                "webstack:apiSecrets": secretConfig({ FLASK_SECRET_KEY: secretValue }),
            }),
        );
        assertSchemaValid(r.resources);
        assert.strictEqual(ofKind(r.resources, "Route").length, 0);
        const ingress = one(r.resources, "Ingress", "north-route").obj;
        assert.strictEqual(ingress.spec.rules[0].http.paths[0].backend.service.name, "north-site");
        assert.strictEqual(r.stackOutputs.url, "https://north.example.com");
        const fromIngress = one(r.resources, "NetworkPolicy", "north-netpol-site-from-ingress").obj.spec.ingress[0]
            .from;
        assert.deepStrictEqual(fromIngress, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } } },
        ]);
        assert.strictEqual((r.stackOutputs.images as any).content, contentImage);
        assert.strictEqual(ofKind(r.resources, "PersistentVolumeClaim").length, 0);
        assert.strictEqual(one(r.resources, "Deployment", "north-site").obj.spec.replicas, 3);
        const secret = one(r.resources, "Secret", "north-api");
        assert.strictEqual(secret.resource.inputs.stringData.FLASK_SECRET_KEY, secretValue);
        assert.ok(r.secretValues.includes(secretValue));
        assert.strictEqual(
            envOf(apiContainer(r.resources), "FLASK_SECRET_KEY"),
            `secretKeyRef:${secret.obj.metadata.name}/FLASK_SECRET_KEY`,
        );
        for (const { resource, obj } of kubeObjects(r.resources)) {
            if (obj.kind !== "Secret")
                assert.ok(!stringsIn(obj).some((t) => t.includes(secretValue)), `${obj.kind} ${resource.name}`);
        }
        assert.ok(!JSON.stringify(r.stackOutputs).includes(secretValue));
    });

    it("L22 a stack without the API image fails before creating anything, saying how to set it", async () => {
        const base = stackConfig("dev");
        const { image: _image, ...api } = configObject(base, "api");
        await assert.rejects(
            run("dev", withConfigOverrides(base, { "webstack:api": api })),
            /api\.image: .*\(got nothing\)\. Fix: pulumi config set --path api\.image <repo>@sha256:<digest>/,
        );
    });
});
