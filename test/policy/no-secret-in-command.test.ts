import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { expandedNames, noSecretInCommand as policy } from "../../policy/rules/no-secret-in-command";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

const fix =
    "on the process's command line, readable in /proc/<pid>/cmdline by every process that can see the pod's. Fix: give the program the secret as a file mounted from the Secret (an included config, an ACL file) or let it read the environment variable itself (e.g. REDISCLI_AUTH), never through command/args.";

describe("policy no-secret-in-command [L19]", () => {
    it("[L19] passes the baseline: API_TOKEN comes from a Secret and no command or args expand it", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L19] rejects --token $(API_TOKEN) in args: the kubelet expands the Secret's value onto the command line", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.template.spec.containers[0].args = ["--token", "$(API_TOKEN)"];
            }),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].args[1]): $(API_TOKEN) puts the value of Secret "api" key "token" ${fix}`,
            ],
        );
    });

    it("[L19] rejects the old Redis shape (--requirepass $(REDIS_PASSWORD) in command) and a var built from a secret one", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                const redis = o.spec.template.spec.containers[0];
                redis.env = [
                    { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis", key: "password" } } },
                    { name: "REDIS_URL", value: "redis://:$(REDIS_PASSWORD)@localhost:6379/0" },
                ];
                redis.command = ["redis-server", "/etc/redis.conf", "--requirepass", "$(REDIS_PASSWORD)"];
                redis.args = ["--replicaof-url=$(REDIS_URL)"];
            }),
            [
                `StatefulSet "redis" container "redis" (spec.template.spec.containers[0].command[3]): $(REDIS_PASSWORD) puts the value of Secret "redis" key "password" ${fix}`,
                `StatefulSet "redis" container "redis" (spec.template.spec.containers[0].args[0]): $(REDIS_URL) puts the value of Secret "redis" key "password" ${fix}`,
            ],
        );
    });

    it("[L19] rejects a key of an envFrom secretRef (with its prefix) in an initContainer", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.job, "migrate", (o) => {
                o.spec.template.spec.initContainers = [
                    {
                        name: "wait",
                        image: "x",
                        envFrom: [{ prefix: "DB_", secretRef: { name: "db" } }],
                        command: ["psql", "--password=$(DB_PASSWORD)"],
                    },
                ];
            }),
            [
                `Job "migrate" initContainer "wait" (spec.template.spec.initContainers[0].command[1]): $(DB_PASSWORD) puts the value of Secret "db" (envFrom) ${fix}`,
            ],
        );
    });

    it("[L19] not a secret: $$(API_TOKEN) (escaped, stays literal), a plain env shadowing it, an undefined name, a ConfigMap value", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                const app = o.spec.template.spec.containers[0];
                app.args = ["--literal=$$(API_TOKEN)", "--port=$(PORT)", "--unset=$(NOT_DEFINED)", "--mode=$(MODE)"];
                app.env.push({ name: "MODE", valueFrom: { configMapKeyRef: { name: "config", key: "mode" } } });
            }),
            [],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                const app = o.spec.template.spec.containers[0];
                app.env.push({ name: "API_TOKEN", value: "/run/secrets/token-path" });
                app.args = ["--token-file=$(API_TOKEN)"];
            }),
            [],
        );
    });

    it("[L19] a plain env var shadows an envFrom secret key of its name; a var built from a plain one and a secret one carries the secret", async () => {
        const withEnv = (env: Record<string, unknown>[], args: string[]) =>
            stackWith(TYPES.deployment, "web", (o) => {
                const app = o.spec.template.spec.containers[0];
                app.envFrom = [{ secretRef: { name: "db" } }];
                app.env = env;
                app.args = args;
            });
        // envFrom without prefix would supply HOST from the Secret "db"; the plain definition comes later and wins.
        await expectMessages(policy, withEnv([{ name: "HOST", value: "db.internal" }], ["--host=$(HOST)"]), []);
        // Other names still come from the Secret.
        await expectMessages(policy, withEnv([{ name: "HOST", value: "db.internal" }], ["--password=$(PASSWORD)"]), [
            `Deployment "web" container "app" (spec.template.spec.containers[0].args[0]): $(PASSWORD) puts the value of Secret "db" (envFrom) ${fix}`,
        ]);
        await expectMessages(
            policy,
            withEnv(
                [
                    { name: "HOST", value: "db.internal" },
                    { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
                    { name: "DSN", value: "postgres://app:$(HOST)@$(PASSWORD)/app" },
                ],
                ["--dsn=$(DSN)"],
            ),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].args[0]): $(DSN) puts the value of Secret "db" key "password" ${fix}`,
            ],
        );
    });

    it("reads names the way the kubelet's expansion does", () => {
        assert.deepEqual(expandedNames("a$(X)b$$(Y)$(Z"), ["X"]);
        assert.deepEqual(expandedNames("$$$(X)$"), ["X"]);
        assert.deepEqual(expandedNames("$(A)$(B)"), ["A", "B"]);
    });

    it("[L19] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
