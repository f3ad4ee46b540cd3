// Redis: StatefulSet of 1 with its own claim and AOF (L10, L26), generated secret password (L19), probes that
// authenticate.
import * as assert from "assert";
import { Redis } from "../../components/redis";
import { recordResources } from "../../offline/runProgram";
import { assertRestricted, assertSchemaValid, envOf, one } from "./support";

describe("Redis (components/redis.ts)", () => {
  it("valkey by default: valkey-server with the generated config and --requirepass from the Secret", async () => {
    const resources = await recordResources(() => {
      new Redis("cache", { namespace: "demo", storageSize: "2Gi" });
    });
    assertSchemaValid(resources);
    const sts = one(resources, "StatefulSet", "cache").obj;
    const server = sts.spec.template.spec.containers[0];
    assert.match(server.image, /^docker\.io\/valkey\/valkey(:[^@]+)?@sha256:a038175878d66b9d/);
    assert.deepStrictEqual(server.command, ["valkey-server", "/etc/webstack-redis/redis.conf", "--requirepass", "$(REDIS_PASSWORD)"]);
    const secretName = one(resources, "Secret", "cache").obj.metadata.name;
    assert.strictEqual(envOf(server, "REDIS_PASSWORD"), `secretKeyRef:${secretName}/password`);
    assert.strictEqual(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "2Gi");
    assert.strictEqual(one(resources, "Service", "cache").obj.spec.clusterIP, "None");
    assertRestricted("redis", sts.spec.template.spec);
  });

  it("L19 the password comes from random.RandomPassword and is never in the ConfigMap", async () => {
    const resources = await recordResources(() => {
      new Redis("cache", { namespace: "demo" });
    });
    const password = one(resources, "Secret", "cache").resource.inputs.stringData.password;
    const generated = resources.find((r) => r.type === "random:index/randomPassword:RandomPassword");
    assert.strictEqual(password, generated?.outputs.result);
    assert.ok(!one(resources, "ConfigMap", "cache").obj.data["redis.conf"].includes(password));
  });

  it("a redis image uses redis-cli in its authenticating probes", async () => {
    const resources = await recordResources(() => {
      new Redis("cache", { namespace: "demo", image: `docker.io/library/redis:7-alpine@sha256:${"e".repeat(64)}` });
    });
    const server = one(resources, "StatefulSet", "cache").obj.spec.template.spec.containers[0];
    assert.strictEqual(server.command[0], "redis-server");
    assert.match(server.readinessProbe.exec.command[2], /^redis-cli --no-auth-warning -a "\$REDIS_PASSWORD" -p 6379 ping/);
  });
});
