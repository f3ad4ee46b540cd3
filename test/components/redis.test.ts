// Redis: StatefulSet of 1 with its own claim and AOF (L10, L26), generated secret password (L19), probes that
// authenticate.
import * as assert from "assert";
import * as crypto from "crypto";
import { Redis } from "../../components/redis";
import { Platform, WebStack } from "../../components/web-stack";
import { runPolicies } from "../../offline/policy-runner";
import { RecordedResource, recordResources } from "../../offline/run-program";
import { assertRestricted, assertSchemaValid, containersOf, envOf, one, pinned } from "./support";

function stackOn(platform: Platform): Promise<RecordedResource[]> {
    return recordResources(() => {
        new WebStack("shop", {
            namespace: "demo",
            platform,
            api: { image: pinned("quay.io/acme/api", "a"), command: ["gunicorn", "app:app"] },
            site: { content: { image: pinned("quay.io/acme/site", "b") } },
            // With TLS on the Ingress, so the pack's zero-violation check below is about the pods (ingress-tls would flag a
            // plain-HTTP Ingress); an OpenShift Route terminates TLS at the router and takes no TLS Secret.
            route:
                platform === "kubernetes"
                    ? { host: "shop.example.com", tlsSecretName: "shop-tls" }
                    : { host: "shop.example.com" },
        });
    });
}

describe("Redis (components/redis.ts)", () => {
    it("[L19] valkey by default: valkey-server with the generated config and the ACL file mounted from a Secret (0440), no secret on its command line", async () => {
        const resources = await recordResources(() => {
            new Redis("cache", { namespace: "demo", storageSize: "2Gi" });
        });
        assertSchemaValid(resources);
        const sts = one(resources, "StatefulSet", "cache").obj;
        const server = sts.spec.template.spec.containers[0];
        assert.match(server.image, /^docker\.io\/valkey\/valkey(:[^@]+)?@sha256:a038175878d66b9d/);
        assert.deepStrictEqual(server.command, [
            "valkey-server",
            "/etc/webstack-redis/redis.conf",
            "--aclfile",
            "/etc/webstack-redis-acl/users.acl",
        ]);
        const secretName = one(resources, "Secret", "cache").obj.metadata.name;
        // Only the probe's CLI reads the password, from its environment.
        assert.deepStrictEqual(
            server.env.map((e: { name: string }) => e.name),
            ["REDISCLI_AUTH"],
        );
        assert.strictEqual(envOf(server, "REDISCLI_AUTH"), `secretKeyRef:${secretName}/password`);
        const aclSecret = one(resources, "Secret", "cache-acl").obj.metadata.name;
        const aclVolume = sts.spec.template.spec.volumes.find((v: { name: string }) => v.name === "acl");
        assert.deepStrictEqual(aclVolume.secret, { secretName: aclSecret, defaultMode: 0o440 });
        assert.deepStrictEqual(
            server.volumeMounts.find((m: { name: string }) => m.name === "acl"),
            { name: "acl", mountPath: "/etc/webstack-redis-acl", readOnly: true },
        );
        assert.strictEqual(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "2Gi");
        assert.strictEqual(one(resources, "Service", "cache").obj.spec.clusterIP, "None");
        assertRestricted("redis", sts.spec.template.spec);
    });

    it("L19 the password comes from random.RandomPassword and is never in the ConfigMap; the ACL file holds only its SHA-256", async () => {
        const resources = await recordResources(() => {
            new Redis("cache", { namespace: "demo" });
        });
        const password: string = one(resources, "Secret", "cache").resource.inputs.stringData.password;
        const generated = resources.find((r) => r.type === "random:index/randomPassword:RandomPassword");
        assert.strictEqual(password, generated?.outputs.result);
        assert.ok(!one(resources, "ConfigMap", "cache").obj.data["redis.conf"].includes(password));
        const acl: string = one(resources, "Secret", "cache-acl").resource.inputs.stringData["users.acl"];
        const sha256 = crypto.createHash("sha256").update(password).digest("hex");
        assert.strictEqual(acl, `user default on #${sha256} ~* &* +@all\n`);
    });

    it("[L19] a redis image uses redis-cli in its authenticating probes, with the password from REDISCLI_AUTH (no -a)", async () => {
        const resources = await recordResources(() => {
            new Redis("cache", {
                namespace: "demo",
                image: `docker.io/library/redis:7-alpine@sha256:${"e".repeat(64)}`,
            });
        });
        const server = one(resources, "StatefulSet", "cache").obj.spec.template.spec.containers[0];
        assert.strictEqual(server.command[0], "redis-server");
        assert.match(server.readinessProbe.exec.command[2], /^redis-cli -p 6379 ping \| grep -q PONG$/);
    });

    it("L30 plain Kubernetes runs valkey as its non-root user (runAsUser 999, fsGroup for the claim); OpenShift gets no fixed UID anywhere", async () => {
        const kubernetes = await stackOn("kubernetes");
        assertSchemaValid(kubernetes);
        const pod = one(kubernetes, "StatefulSet", "shop-redis").obj.spec.template.spec;
        // The image's USER is root, so without a numeric UID the kubelet refuses runAsNonRoot.
        assert.deepStrictEqual(
            [
                pod.securityContext.runAsNonRoot,
                pod.securityContext.runAsUser,
                pod.securityContext.runAsGroup,
                pod.securityContext.fsGroup,
            ],
            [true, 999, 1000, 1000],
        );
        assert.deepStrictEqual(await runPolicies(kubernetes), [], "policy pack flags the fixed non-root UID");

        const openshift = await stackOn("openshift");
        const ocPod = one(openshift, "StatefulSet", "shop-redis").obj.spec.template.spec;
        assertRestricted("redis on openshift", ocPod);
        const fixedIds = [ocPod.securityContext, ...containersOf(ocPod).map((c) => c.securityContext)].flatMap((sc) =>
            ["runAsUser", "runAsGroup", "fsGroup"].filter((k) => sc?.[k] !== undefined),
        );
        assert.deepStrictEqual(fixedIds, []);
    });

    it("L30 runAsUser 0 or a runAsGroup without runAsUser is rejected, naming the field and the fix", async () => {
        await assert.rejects(
            recordResources(() => {
                new Redis("cache", { namespace: "demo", runAsUser: 0 });
            }),
            /runAsUser: must be a positive integer.*\(got 0\)\. Fix: set runAsUser: 999/,
        );
        await assert.rejects(
            recordResources(() => {
                new Redis("cache", { namespace: "demo", runAsGroup: 1000 });
            }),
            /runAsGroup: only applies with runAsUser.*\(got 1000\)\. Fix: remove runAsGroup/,
        );
    });
});

describe("Redis: the objects around the server (components/redis.ts)", () => {
    async function cache(args: Partial<ConstructorParameters<typeof Redis>[1]> = {}): Promise<RecordedResource[]> {
        return recordResources(() => {
            new Redis("cache", { namespace: "demo", ...args });
        });
    }

    it("L19 a 32-character password of letters and digits only (it sits in a redis:// URL), in an Opaque Secret", async () => {
        const resources = await cache();
        const password = resources.find((r) => r.type === "random:index/randomPassword:RandomPassword");
        assert.ok(password);
        assert.strictEqual(password.name, "cache");
        assert.deepStrictEqual([password.inputs.length, password.inputs.special], [32, false]);
        assert.strictEqual(one(resources, "Secret", "cache").obj.type, "Opaque");
        assert.strictEqual(one(resources, "Secret", "cache-acl").obj.type, "Opaque");
    });

    it("L26/L32 the config is mounted read-only, the port is named, and the data claim outlives the StatefulSet", async () => {
        const resources = await cache();
        const sts = one(resources, "StatefulSet", "cache");
        const server = sts.obj.spec.template.spec.containers[0];
        assert.deepStrictEqual(server.ports, [{ name: "redis", containerPort: 6379 }]);
        const conf = server.volumeMounts.find((m: { name: string }) => m.name === "conf");
        assert.strictEqual(conf.readOnly, true);
        assert.deepStrictEqual(sts.obj.spec.persistentVolumeClaimRetentionPolicy, {
            whenDeleted: "Retain",
            whenScaled: "Retain",
        });
        assert.deepStrictEqual(sts.resource.options.customTimeouts, { create: "5m", update: "5m", delete: "2m" });
        assert.deepStrictEqual(one(resources, "Service", "cache").obj.spec.ports, [
            { name: "redis", port: 6379, targetPort: 6379 },
        ]);
        assert.match(one(resources, "ConfigMap", "cache").obj.data["redis.conf"], /^port 6379$/m);
    });

    it("[L19] a valkey image runs valkey-server and probes with valkey-cli", async () => {
        const sts = one(await cache({ image: pinned("docker.io/valkey/valkey", "c") }), "StatefulSet", "cache").obj;
        const server = sts.spec.template.spec.containers[0];
        assert.strictEqual(server.command[0], "valkey-server");
        assert.match(JSON.stringify(server.readinessProbe), /valkey-cli/);
    });

    it("L30 errors name the Redis arguments in the caller's terms (configPath)", async () => {
        await assert.rejects(
            cache({ configPath: "redis.", runAsGroup: 1000 }),
            /(?<![\w.])redis\.runAsGroup: only applies with runAsUser .*\[L30\]$/,
        );
        await assert.rejects(
            cache({ configPath: "redis.", image: "docker.io/org/App" }),
            /(?<![\w.])redis\.image: image reference /,
        );
        await assert.rejects(
            cache({ runAsGroup: 1000 }),
            /(?<![\w.])runAsGroup: only applies with runAsUser .*\[L30\]$/,
        );
    });
});
