// Api: explicit command (L01), one port everywhere (L18), secrets only by reference (L19), PDB/HPA (L21),
// migration Job before the Deployment (L13).
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Api, ApiArgs, apiProblems } from "../../components/api";
import { FieldProblem, HIDDEN } from "../../components/errors";
import { Redis } from "../../components/redis";
import {
    DEFAULT_SCHEMA_VERSION,
    SCHEMA_DOWNGRADE_ANNOTATION,
    SCHEMA_VERSION_ANNOTATION,
} from "../../components/schema-version";
import { recordResources } from "../../offline/run-program";
import { assertRestricted, assertSchemaValid, envOf, ofKind, one, stringsIn } from "./support";

const IMAGE = `quay.io/acme/api@sha256:${"c".repeat(64)}`;
const BASE: ApiArgs = { namespace: "demo", image: IMAGE, command: ["gunicorn", "app:app"] };

function api(args: Partial<ApiArgs> = {}) {
    return recordResources(() => {
        new Api("shop-api", { ...BASE, ...args });
    });
}

async function messageOf(build: Promise<unknown>): Promise<string> {
    return build.then(
        () => assert.fail("accepted"),
        (err: Error) => err.message,
    );
}

describe("Api (components/api.ts)", () => {
    it("defaults: 2 replicas, port 5000 everywhere, PDB, restricted pod, schema-valid (L18, L21, L30)", async () => {
        const resources = await api();
        assertSchemaValid(resources);
        const deployment = one(resources, "Deployment", "shop-api").obj;
        const c = deployment.spec.template.spec.containers[0];
        assert.strictEqual(deployment.spec.replicas, 2);
        assert.deepStrictEqual(
            [c.ports[0].containerPort, envOf(c, "PORT"), c.readinessProbe.httpGet.port, c.livenessProbe.httpGet.port],
            [5000, "5000", 5000, 5000],
        );
        assert.strictEqual(one(resources, "Service", "shop-api").obj.spec.ports[0].targetPort, 5000);
        assert.strictEqual(one(resources, "PodDisruptionBudget", "shop-api").obj.spec.maxUnavailable, 1);
        assert.ok(deployment.spec.template.spec.terminationGracePeriodSeconds > 0);
        assert.strictEqual(
            deployment.spec.template.spec.topologySpreadConstraints[0].topologyKey,
            "kubernetes.io/hostname",
        );
        assertRestricted("api", deployment.spec.template.spec);
    });

    it("L18 a different port moves containerPort, PORT, probes and Service targetPort together", async () => {
        const resources = await api({ port: 50054 });
        const c = one(resources, "Deployment", "shop-api").obj.spec.template.spec.containers[0];
        const ports = [
            c.ports[0].containerPort,
            Number(envOf(c, "PORT")),
            c.readinessProbe.httpGet.port,
            c.livenessProbe.httpGet.port,
            c.startupProbe.httpGet.port,
            one(resources, "Service", "shop-api").obj.spec.ports[0].targetPort,
        ];
        assert.deepStrictEqual(new Set(ports), new Set([50054]));
    });

    it("L01 rejects a missing command at construction", async () => {
        const message = await messageOf(api({ command: [] }));
        assert.match(
            message,
            /^command: the API container needs an explicit command.*\(got \[\]\)\. Fix: .*gunicorn.*\[L01\]$/m,
        );
    });

    it("L19 rejects a secret-looking env var with a literal value, without echoing it", async () => {
        const message = await messageOf(api({ env: { STRIPE_API_KEY: "sk_live_123" } }));
        assert.match(
            message,
            /^env\.STRIPE_API_KEY: looks like a secret.*\(got <secret, not shown>\)\. Fix: move it to secretEnv\.STRIPE_API_KEY.*\[L19\]$/m,
        );
        assert.doesNotMatch(message, /pulumi config/, "a TypeScript caller is told the argument, not a CLI command");
        assert.ok(!message.includes("sk_live_123"));
    });

    it("L19 secretEnv goes into a Secret and reaches the container only as secretKeyRef", async () => {
        const resources = await recordResources(() => {
            new Api("shop-api", { ...BASE, secretEnv: { FLASK_SECRET_KEY: pulumi.secret("very-secret-value") } });
        });
        const secret = one(resources, "Secret", "shop-api");
        assert.strictEqual(secret.resource.inputs.stringData.FLASK_SECRET_KEY, "very-secret-value");
        const deployment = one(resources, "Deployment", "shop-api").obj;
        assert.strictEqual(
            envOf(deployment.spec.template.spec.containers[0], "FLASK_SECRET_KEY"),
            `secretKeyRef:${secret.obj.metadata.name}/FLASK_SECRET_KEY`,
        );
        assert.ok(!stringsIn(deployment).some((s) => s.includes("very-secret-value")));
    });

    it("L21 autoscaling: HPA with the bounds, no fixed replicas on the Deployment, PDB from min ≥ 2", async () => {
        const resources = await api({ autoscaling: { min: 2, max: 6, cpuUtilization: 60 } });
        const hpa = one(resources, "HorizontalPodAutoscaler", "shop-api").obj;
        assert.deepStrictEqual(
            [hpa.spec.minReplicas, hpa.spec.maxReplicas, hpa.spec.metrics[0].resource.target.averageUtilization],
            [2, 6, 60],
        );
        assert.strictEqual(one(resources, "Deployment", "shop-api").obj.spec.replicas, undefined);
        assert.strictEqual(ofKind(resources, "PodDisruptionBudget").length, 1);
    });

    it("L15 pulumi up waits rolloutTimeoutSeconds for the rollout (customTimeouts; default 600 s or the deadline + 60 s), longer than the progress deadline or it is refused", async () => {
        const timeouts = async (args: Partial<ApiArgs>) =>
            one(await api(args), "Deployment", "shop-api").resource.options.customTimeouts;
        assert.deepStrictEqual(await timeouts({}), { create: "600s", update: "600s", delete: "5m" });
        // A progress deadline beyond the default timeout moves the default along (the deadline must come first).
        assert.deepStrictEqual(await timeouts({ progressDeadlineSeconds: 900 }), {
            create: "960s",
            update: "960s",
            delete: "5m",
        });
        assert.deepStrictEqual(await timeouts({ progressDeadlineSeconds: 30, rolloutTimeoutSeconds: 60 }), {
            create: "60s",
            update: "60s",
            delete: "5m",
        });
        assert.match(
            await messageOf(api({ progressDeadlineSeconds: 300, rolloutTimeoutSeconds: 240 })),
            /^rolloutTimeoutSeconds: must exceed progressDeadlineSeconds \(300\), or pulumi up gives up before the Deployment says why \(got 240\)\. Fix: set rolloutTimeoutSeconds to 360 or more \[L15\]$/m,
        );
    });

    it("L10/L21 rejects a single replica", async () => {
        assert.match(await messageOf(api({ replicas: 1 })), /^replicas: the API runs at least 2 replicas.*\(got 1\)/m);
    });

    it("L13 with a migration: the Job runs first (dependsOn), after Redis is up, with the same digest and env", async () => {
        const resources = await recordResources(() => {
            const redis = new Redis("shop-redis", { namespace: "demo" });
            new Api("shop-api", {
                ...BASE,
                redis: redis.connection,
                migration: { command: ["flask", "db", "upgrade"] },
            });
        });
        assertSchemaValid(resources);
        const job = one(resources, "Job", "shop-api-migrate");
        const deployment = one(resources, "Deployment", "shop-api");
        const record = one(resources, "ConfigMap", "shop-api-migrate-schema");
        assert.deepStrictEqual(deployment.resource.options.dependsOn, [record.resource.urn, job.resource.urn]);
        assert.deepStrictEqual(job.resource.options.dependsOn, [
            one(resources, "StatefulSet", "shop-redis").resource.urn,
            record.resource.urn,
        ]);
        const migrate = job.obj.spec.template.spec.containers[0];
        assert.strictEqual(migrate.image, IMAGE);
        assert.deepStrictEqual(migrate.env, deployment.obj.spec.template.spec.containers[0].env);
        assert.match(envOf(migrate, "REDIS_URL")!, /^redis:\/\/:\$\(REDIS_PASSWORD\)@shop-redis\.demo\.svc:6379\/0$/);
    });

    it("L13 a migration image override is used for the Job only", async () => {
        const other = `quay.io/acme/migrate@sha256:${"d".repeat(64)}`;
        const resources = await api({ migration: { command: ["migrate"], image: other } });
        assert.strictEqual(one(resources, "Job", "shop-api-migrate").obj.spec.template.spec.containers[0].image, other);
        assert.strictEqual(one(resources, "Deployment", "shop-api").obj.spec.template.spec.containers[0].image, IMAGE);
    });

    it("[L13, L23] the schema version is recorded on the ConfigMap <app>-schema (an annotation), before the migration Job and the API", async () => {
        const resources = await recordResources(() => {
            new Api("shop-api", { ...BASE, partOf: "shop", migration: { command: ["migrate"], schemaVersion: 7 } });
        });
        assertSchemaValid(resources);
        const record = one(resources, "ConfigMap", "shop-api-migrate-schema");
        assert.strictEqual(
            record.obj.metadata.name,
            "shop-schema",
            "a fixed name: each change is an update of one record",
        );
        assert.deepStrictEqual(record.obj.metadata.annotations, { [SCHEMA_VERSION_ANNOTATION]: "7" });
        // Data would make the provider replace the record (delete + create), which an UPDATE guard never sees.
        assert.strictEqual(record.obj.data, undefined);
        assert.strictEqual(record.obj.metadata.labels["app.kubernetes.io/part-of"], "shop");
        assert.ok(one(resources, "Job", "shop-api-migrate").resource.options.dependsOn?.includes(record.resource.urn));
        assert.ok(one(resources, "Deployment", "shop-api").resource.options.dependsOn?.includes(record.resource.urn));
    });

    it("[L13, L23] an undeclared schema version records 0; no migration, no record", async () => {
        const declared = await api({ migration: { command: ["migrate"] } });
        const record = one(declared, "ConfigMap", "shop-api-migrate-schema");
        assert.strictEqual(
            record.obj.metadata.name,
            "shop-api-migrate-schema",
            "named from the MigrationJob without partOf",
        );
        assert.strictEqual(record.obj.metadata.annotations[SCHEMA_VERSION_ANNOTATION], String(DEFAULT_SCHEMA_VERSION));
        assert.strictEqual(DEFAULT_SCHEMA_VERSION, 0);
        assert.deepStrictEqual(ofKind(await api(), "ConfigMap"), []);
    });

    it("[L13, L23] allowSchemaDowngradeTo annotates the record with the version it allows, and only the declared one", async () => {
        const resources = await api({
            migration: { command: ["migrate"], schemaVersion: 2, allowSchemaDowngradeTo: 2 },
        });
        assert.deepStrictEqual(one(resources, "ConfigMap", "shop-api-migrate-schema").obj.metadata.annotations, {
            [SCHEMA_VERSION_ANNOTATION]: "2",
            [SCHEMA_DOWNGRADE_ANNOTATION]: "2",
        });
        assert.match(
            await messageOf(api({ migration: { command: ["migrate"], schemaVersion: 3, allowSchemaDowngradeTo: 2 } })),
            /^allowSchemaDowngradeTo: only allows a downgrade to the declared schemaVersion \(3\).*\(got 2\)\. Fix: .*\[L13, L23\]/m,
        );
    });

    it("[L13, L23] rejects a schema version that is not an integer from 0 to 999999999", async () => {
        for (const bad of [-1, 1.5, 1_000_000_000]) {
            assert.match(
                await messageOf(api({ migration: { command: ["migrate"], schemaVersion: bad } })),
                new RegExp(`^schemaVersion: must be an integer from 0 to 999999999 \\(got ${bad}\\)`, "m"),
            );
        }
        const top = await api({ migration: { command: ["migrate"], schemaVersion: 999_999_999 } });
        assert.strictEqual(
            one(top, "ConfigMap", "shop-api-migrate-schema").obj.metadata.annotations[SCHEMA_VERSION_ANNOTATION],
            "999999999",
        );
    });

    it("L19 errors name the Api's own arguments (secretEnv, migration.image), or the caller's paths given as configPath", async () => {
        const asWebStack = { prefix: "api.", moved: { secretEnv: "apiSecrets", migration: "migration" } };
        const badSecret = { secretEnv: { "1BAD": "x" } };
        const badMigration = { migration: { command: ["migrate"], image: "Not An Image" } };
        assert.match(await messageOf(api(badSecret)), /^secretEnv\.1BAD: is not a usable environment variable name/);
        assert.match(await messageOf(api(badMigration)), /^migration\.image: /);
        assert.match(
            await messageOf(api({ ...badSecret, configPath: asWebStack })),
            /^apiSecrets\.1BAD: is not a usable environment variable name/,
        );
        assert.match(await messageOf(api({ ...badMigration, configPath: asWebStack })), /^migration\.image: /);
        assert.match(await messageOf(api({ ...badMigration, configPath: "api." })), /^api\.migration\.image: /);
    });
});

describe("Api: the user's own environment (components/api.ts)", () => {
    it("L18 env reaches the container as plain variables, beside the PORT the component sets", async () => {
        const container = one(await api({ env: { LOG_LEVEL: "debug", FEATURE_X: "on" } }), "Deployment", "shop-api").obj
            .spec.template.spec.containers[0];
        assert.deepStrictEqual(
            [envOf(container, "LOG_LEVEL"), envOf(container, "FEATURE_X"), envOf(container, "PORT")],
            ["debug", "on", "5000"],
        );
    });
});

describe("apiProblems (components/api.ts): each bad setting's whole problem, as the stack config reports it", () => {
    const ok: Partial<ApiArgs> = { image: IMAGE, command: ["gunicorn", "app:app"] };
    const secretFix = (name: string) => ({
        fix: `move it to stacks.north.api.secretEnv.${name} as a secret value`,
        suggested: { field: `stacks.north.api.secretEnv.${name}`, value: "<value>", secret: true as const },
        lessons: ["L19"],
    });
    const cases: [string, Partial<ApiArgs>, FieldProblem][] = [
        [
            "L01 a blank part in the command",
            { command: ["gunicorn", " "] },
            {
                field: "stacks.north.api.command",
                problem:
                    "the API container needs an explicit command (an S2I builder image would otherwise run its own script)",
                got: ["gunicorn", " "],
                fix: 'give the whole command as stacks.north.api.command, e.g. ["gunicorn", "-b", "0.0.0.0:5000", "app:app"]',
                suggested: { field: "stacks.north.api.command[0]", value: "gunicorn" },
                lessons: ["L01"],
            },
        ],
        [
            "L02 a privileged port",
            { port: 80 },
            {
                field: "stacks.north.api.port",
                problem: "must be an integer from 1024 to 65535 (non-root containers cannot bind lower ports)",
                got: 80,
                fix: "set stacks.north.api.port to 5000 or another port from 1024 up",
                suggested: "5000",
                lessons: ["L02", "L18"],
            },
        ],
        [
            "L27 a relative health path",
            { healthPath: "healthz" },
            {
                field: "stacks.north.api.healthPath",
                problem: "must be an absolute HTTP path",
                got: "healthz",
                fix: 'start stacks.north.api.healthPath with "/", e.g. "/healthz"',
                suggested: "/healthz",
                lessons: ["L27"],
            },
        ],
        [
            "L10/L21 one replica: the fix names the autoscaling settings beside it",
            { replicas: 1 },
            {
                field: "stacks.north.api.replicas",
                problem: "the API runs at least 2 replicas so a lost pod does not take it down",
                got: 1,
                fix: "set stacks.north.api.replicas to 2 or more (or set stacks.north.api.autoscaling.min/stacks.north.api.autoscaling.max)",
                suggested: "2",
                lessons: ["L10", "L21"],
            },
        ],
        [
            "L21 replicas beside autoscaling",
            { replicas: 3, autoscaling: { min: 2, max: 4 } },
            {
                field: "stacks.north.api.replicas",
                problem: "conflicts with stacks.north.api.autoscaling (the HPA owns the replica count)",
                got: 3,
                fix: "remove stacks.north.api.replicas",
                remove: true,
            },
        ],
        [
            "an env name no shell can use",
            { env: { "1BAD": "x" } },
            {
                field: "stacks.north.api.env.1BAD",
                problem: "is not a valid environment variable name",
                got: "1BAD",
                fix: "use letters, digits and _ (not starting with a digit)",
            },
        ],
        [
            "L18 PORT in env would contradict port",
            { env: { PORT: "5000" } },
            {
                field: "stacks.north.api.env.PORT",
                problem: "is set by the component from port/redis and must not be given twice",
                got: "5000",
                fix: "remove it and set stacks.north.api.port instead",
                lessons: ["L18", "L19"],
            },
        ],
        [
            "L19 REDIS_URL in env would bypass the Redis Secret",
            { env: { REDIS_URL: "redis://x" } },
            {
                field: "stacks.north.api.env.REDIS_URL",
                problem: "is set by the component from port/redis and must not be given twice",
                got: "redis://x",
                fix: "remove it: REDIS_URL is built from the Redis component and its Secret",
                lessons: ["L18", "L19"],
            },
        ],
        [
            "L19 a secret by its name",
            { env: { STRIPE_API_KEY: "sk_live_123" } },
            {
                field: "stacks.north.api.env.STRIPE_API_KEY",
                problem: "looks like a secret by its name but is a plain value",
                got: HIDDEN,
                ...secretFix("STRIPE_API_KEY"),
            },
        ],
        [
            "L19 a secret by its value",
            { env: { NOTES: "postgres://u:hunter2@db/x" } },
            {
                field: "stacks.north.api.env.NOTES",
                problem: "contains a password in a URL (scheme://user:password@host) as a plain value",
                got: HIDDEN,
                ...secretFix("NOTES"),
            },
        ],
    ];
    for (const [what, args, problem] of cases) {
        it(what, () => {
            assert.deepStrictEqual(apiProblems({ ...ok, ...args }, "stacks.north.api."), [problem]);
        });
    }

    it("a valid Api has no problem", () => {
        assert.deepStrictEqual(apiProblems(ok, "stacks.north.api."), []);
    });
});
