// Stack config validation (L22): every bad value fails before anything is created, naming the key, the value
// and the fix. Cases are incidents or near-misses from the postmortems, cited by lesson id.
import * as assert from "assert";
import * as path from "path";
import { parseStackConfig } from "../program/config";
import { WebStackArgError } from "../components/errors";
import { loadStackConfigFile } from "../offline/stack-config";

const ROOT = path.join(__dirname, "..");
const DIGEST = "a".repeat(64);
const DEV_API_IMAGE = `image-registry.openshift-image-registry.svc:5000/qr-demo-dev/north-api@sha256:${DIGEST}`;

/** A valid dev-like config, fresh for every case. */
function validConfig(): Record<string, any> {
    return {
        namespace: "qr-demo-dev",
        appName: "north",
        api: { image: DEV_API_IMAGE, command: ["gunicorn", "-b", "0.0.0.0:5000", "app:app"], port: 5000, replicas: 2 },
        migration: { command: ["flask", "db", "upgrade"] },
        site: { replicas: 1, content: { volume: { accessMode: "ReadWriteOnce", size: "5Gi" } } },
        route: { timeout: "1h" },
    };
}

/** The stack file as the program sees it: unqualified keys, objects decoded. */
function rawStackConfig(stack: string): Record<string, unknown> {
    const loaded = loadStackConfigFile(path.join(ROOT, `Pulumi.${stack}.yaml`), "webstack");
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(loaded.config)) {
        let decoded: unknown = value;
        try {
            decoded = JSON.parse(value);
        } catch {
            // plain string value
        }
        raw[key.replace(/^webstack:/, "")] = decoded;
    }
    return raw;
}

function rejection(raw: Record<string, unknown>): WebStackArgError {
    try {
        parseStackConfig(raw);
    } catch (err) {
        if (err instanceof WebStackArgError) return err;
        throw err;
    }
    assert.fail("config was accepted");
}

interface BadCase {
    title: string;
    change: (c: Record<string, any>) => void;
    /** Key named at the start of the message line. */
    field: string;
    /** The value as shown after "got". */
    got: string;
    /** Text the fix must contain. */
    fix: string;
    /** Lesson id the message must cite, when the rule comes from one. */
    lesson?: string;
}

const BAD: BadCase[] = [
    {
        title: "L12/L22 API image missing: says exactly how to set it",
        change: (c) => delete c.api.image,
        field: "api.image",
        got: "nothing",
        fix: "pulumi config set --path api.image <repo>@sha256:<digest>",
        lesson: "L12",
    },
    {
        title: "L22 whole api section missing",
        change: (c) => delete c.api,
        field: "api.image",
        got: "nothing",
        fix: "pulumi config set --path api.image",
        lesson: "L12",
    },
    {
        title: "L01 API command missing",
        change: (c) => delete c.api.command,
        field: "api.command",
        got: "nothing",
        fix: "pulumi config set --path 'api.command'",
        lesson: "L01",
    },
    {
        title: "L01 API command empty (S2I CMD would run)",
        change: (c) => (c.api.command = []),
        field: "api.command",
        got: "[]",
        fix: "api.command[0]' gunicorn",
        lesson: "L01",
    },
    {
        title: "L01 API command with a blank word",
        change: (c) => (c.api.command = ["gunicorn", " "]),
        field: "api.command",
        got: '["gunicorn"," "]',
        fix: "gunicorn",
        lesson: "L01",
    },
    {
        title: "L12 API image not a reference",
        change: (c) => (c.api.image = "Not An Image"),
        field: "api.image",
        got: '"Not An Image"',
        fix: "<repo>@sha256:<digest>",
        lesson: "L12",
    },
    {
        title: "L12 tag-only image where digests are required (qa)",
        change: (c) => {
            c.requireImageDigests = true;
            c.api.image = "image-registry.openshift-image-registry.svc:5000/qr-demo-dev/north-api:main";
        },
        field: "api.image",
        got: '"image-registry.openshift-image-registry.svc:5000/qr-demo-dev/north-api:main"',
        fix: "north-api@sha256:<digest>",
        lesson: "L12",
    },
    {
        title: "L24 version header name starting with '-': refused by the schema, before nginx.conf is rendered",
        change: (c) => (c.site.versionHeaderName = "-X-Version"),
        field: "site.versionHeaderName",
        got: '"-X-Version"',
        fix: "site.versionHeaderName",
    },
    {
        title: "L12 tag-only redis image where digests are required",
        change: (c) => {
            c.requireImageDigests = true;
            c.redis = { image: "docker.io/valkey/valkey:8" };
        },
        field: "redis.image",
        got: '"docker.io/valkey/valkey:8"',
        fix: "docker.io/valkey/valkey@sha256:<digest>",
        lesson: "L12",
    },
    {
        title: "L06 qa image from dev's internal registry",
        change: (c) => (c.namespace = "qr-demo-qa"),
        field: "api.image",
        got: `"${DEV_API_IMAGE}"`,
        fix: "oc tag qr-demo-dev/",
        lesson: "L06",
    },
    {
        title: "L06 migration image from another namespace's registry",
        change: (c) =>
            (c.migration.image = `image-registry.openshift-image-registry.svc:5000/other/migrate@sha256:${DIGEST}`),
        field: "migration.image",
        got: '"image-registry.openshift-image-registry.svc:5000/other/migrate@sha256:',
        fix: "use image-registry.openshift-image-registry.svc:5000/qr-demo-dev/",
        lesson: "L06",
    },
    {
        title: "L18 API port given as a string",
        change: (c) => (c.api.port = "5000"),
        field: "api.port",
        got: '"5000"',
        fix: "pulumi config set --path 'api.port' 5000",
        lesson: "L18",
    },
    {
        title: "L02 API port below 1024 (non-root)",
        change: (c) => (c.api.port = 80),
        field: "api.port",
        got: "80",
        fix: "pulumi config set --path api.port 5000",
        lesson: "L02",
    },
    {
        title: "L18 PORT also set in api.env (two sources of truth)",
        change: (c) => (c.api.env = { PORT: "50054" }),
        field: "api.env.PORT",
        got: '"50054"',
        fix: "set api.port instead",
        lesson: "L18",
    },
    {
        title: "L19 secret-looking env var with a literal value (value not echoed)",
        change: (c) => (c.api.env = { DB_PASSWORD: "hunter2" }),
        field: "api.env.DB_PASSWORD",
        got: "<secret, not shown>",
        fix: "pulumi config set --secret --path 'apiSecrets.DB_PASSWORD'",
        lesson: "L19",
    },
    {
        title: "L19 REDIS_URL given by hand",
        change: (c) => (c.api.env = { REDIS_URL: "redis://redis:6379" }),
        field: "api.env.REDIS_URL",
        got: '"redis://redis:6379"',
        fix: "REDIS_URL is built from the Redis component",
        lesson: "L19",
    },
    {
        title: "L19 empty secret value (value not echoed)",
        change: (c) => (c.apiSecrets = { FLASK_SECRET_KEY: "" }),
        field: "apiSecrets.FLASK_SECRET_KEY",
        got: "<secret, not shown>",
        fix: "pulumi config set --secret --path",
        lesson: "L19",
    },
    {
        title: "L10 API with a single replica",
        change: (c) => (c.api.replicas = 1),
        field: "api.replicas",
        got: "1",
        fix: "pulumi config set --path api.replicas 2",
        lesson: "L10",
    },
    {
        title: "L21 API autoscaling min 1",
        change: (c) => {
            delete c.api.replicas;
            c.api.autoscaling = { min: 1, max: 4 };
        },
        field: "api.autoscaling.min",
        got: "1",
        fix: "pulumi config set --path api.autoscaling.min 2",
        lesson: "L21",
    },
    {
        title: "API autoscaling max below min",
        change: (c) => {
            delete c.api.replicas;
            c.api.autoscaling = { min: 4, max: 2 };
        },
        field: "api.autoscaling.max",
        got: "2",
        fix: "pulumi config set --path api.autoscaling.max 8",
    },
    {
        title: "API autoscaling CPU target out of range",
        change: (c) => {
            delete c.api.replicas;
            c.api.autoscaling = { min: 2, max: 4, cpuUtilization: 99 };
        },
        field: "api.autoscaling.cpuUtilization",
        got: "99",
        fix: "pulumi config set --path api.autoscaling.cpuUtilization 70",
    },
    {
        title: "API replicas and autoscaling both set",
        change: (c) => (c.api.autoscaling = { min: 2, max: 4 }),
        field: "api.replicas",
        got: "2",
        fix: "pulumi config rm --path api.replicas",
    },
    {
        title: "L03 ReadWriteOnce content with 3 nginx replicas (the Multi-Attach incident)",
        change: (c) => (c.site.replicas = 3),
        field: "site.replicas",
        got: "3",
        fix: "set site.content.volume.accessMode to ReadWriteMany",
        lesson: "L03",
    },
    {
        title: "L03 ReadWriteOnce content with an HPA that may scale out",
        change: (c) => {
            delete c.site.replicas;
            c.site.autoscaling = { min: 1, max: 3 };
        },
        field: "site.autoscaling.max",
        got: "3",
        fix: "ReadWriteMany",
        lesson: "L03",
    },
    {
        title: "L03 unknown access mode",
        change: (c) => (c.site.content.volume.accessMode = "RWX"),
        field: "site.content.volume.accessMode",
        got: '"RWX"',
        fix: "ReadWriteMany",
        lesson: "L03",
    },
    {
        title: "L08 content both from a volume and an image",
        change: (c) => (c.site.content.image = `quay.io/acme/site@sha256:${DIGEST}`),
        field: "site.content",
        got: '{"volume"',
        fix: "not both",
        lesson: "L08",
    },
    {
        title: "L08 content from nowhere",
        change: (c) => (c.site.content = {}),
        field: "site.content",
        got: "{}",
        fix: "site.content.volume.accessMode ReadWriteMany",
        lesson: "L08",
    },
    {
        title: "content volume size not a quantity",
        change: (c) => (c.site.content.volume.size = "5 gigs"),
        field: "site.content.volume.size",
        got: '"5 gigs"',
        fix: '"1Gi"',
    },
    {
        title: "L22 typo in a top-level key suggests the right one",
        change: (c) => (c.namspace = "qr-demo-dev"),
        field: "namspace",
        got: '"qr-demo-dev"',
        fix: "did you mean namespace?",
        lesson: "L22",
    },
    {
        title: "L22 typo in a nested key suggests the right one",
        change: (c) => (c.api.replica = 2),
        field: "api.replica",
        got: "2",
        fix: "did you mean api.replicas?",
        lesson: "L22",
    },
    {
        title: "namespace not a DNS label",
        change: (c) => (c.namespace = "QR_Demo"),
        field: "namespace",
        got: '"QR_Demo"',
        fix: "pulumi config set --path 'namespace' qr-demo",
    },
    {
        title: "L13 migration without a command",
        change: (c) => (c.migration = {}),
        field: "migration.command",
        got: "nothing",
        fix: "pulumi config set --path 'migration.command'",
        lesson: "L13",
    },
    {
        title: "L13 migration deadline out of range",
        change: (c) => (c.migration.activeDeadlineSeconds = 5),
        field: "migration.activeDeadlineSeconds",
        got: "5",
        fix: "e.g. 600",
        lesson: "L13",
    },
    {
        title: "L13 migration retries out of range",
        change: (c) => (c.migration.backoffLimit = 9),
        field: "migration.backoffLimit",
        got: "9",
        fix: "use 0 or 1",
        lesson: "L13",
    },
    {
        title: "L23 schema version given as a string",
        change: (c) => (c.migration.schemaVersion = "3"),
        field: "migration.schemaVersion",
        got: '"3"',
        fix: "pulumi config set --path 'migration.schemaVersion' 3",
        lesson: "L23",
    },
    {
        title: "L23 schema downgrade allowed to another version than the declared one",
        change: (c) => ((c.migration.schemaVersion = 3), (c.migration.allowSchemaDowngradeTo = 2)),
        field: "migration.allowSchemaDowngradeTo",
        got: "2",
        fix: "pulumi config rm --path migration.allowSchemaDowngradeTo",
        lesson: "L23",
    },
    {
        title: "L15 progress deadline too long to fail fast",
        change: (c) => (c.api.progressDeadlineSeconds = 7200),
        field: "api.progressDeadlineSeconds",
        got: "7200",
        fix: "pulumi config set --path api.progressDeadlineSeconds 180",
        lesson: "L15",
    },
    {
        title: "L15 rollout timeout too short to see a rollout through",
        change: (c) => (c.api.rolloutTimeoutSeconds = 30),
        field: "api.rolloutTimeoutSeconds",
        got: "30",
        fix: "pulumi config set --path api.rolloutTimeoutSeconds 600",
        lesson: "L15",
    },
    {
        title: "L15 rollout timeout not beyond the progress deadline",
        change: (c) => ((c.site.progressDeadlineSeconds = 600), (c.site.rolloutTimeoutSeconds = 600)),
        field: "site.rolloutTimeoutSeconds",
        got: "600",
        fix: "pulumi config set --path site.rolloutTimeoutSeconds 660",
        lesson: "L15",
    },
    {
        title: "L16 unbounded revision history",
        change: (c) => (c.api.revisionHistoryLimit = 50),
        field: "api.revisionHistoryLimit",
        got: "50",
        fix: "pulumi config set --path api.revisionHistoryLimit 3",
        lesson: "L16",
    },
    {
        title: "L21 no grace period",
        change: (c) => (c.site.terminationGracePeriodSeconds = 0),
        field: "site.terminationGracePeriodSeconds",
        got: "0",
        fix: "pulumi config set --path site.terminationGracePeriodSeconds 30",
        lesson: "L21",
    },
    {
        title: "L27 API health path not a path",
        change: (c) => (c.api.healthPath = "healthz"),
        field: "api.healthPath",
        got: '"healthz"',
        fix: "pulumi config set --path api.healthPath /healthz",
        lesson: "L27",
    },
    {
        title: "L11 route timeout not a duration",
        change: (c) => (c.route.timeout = "one hour"),
        field: "route.timeout",
        got: '"one hour"',
        fix: "pulumi config set --path route.timeout 1h",
        lesson: "L11",
    },
    {
        title: "route host not a DNS name",
        change: (c) => (c.route.host = "https://north.example.com"),
        field: "route.host",
        got: '"https://north.example.com"',
        fix: "north.apps.example.com",
    },
    {
        title: "L05 OpenShift Route on plain Kubernetes",
        change: (c) => {
            c.platform = "kubernetes";
            c.route.kind = "openshift";
        },
        field: "route.kind",
        got: '"openshift"',
        fix: "pulumi config set --path route.kind ingress",
        lesson: "L05",
    },
    {
        title: "L25 CORS origin without a scheme",
        change: (c) => (c.site.corsOrigins = ["north.example.com"]),
        field: "site.corsOrigins[0]",
        got: '"north.example.com"',
        fix: "https://",
        lesson: "L25",
    },
    {
        title: "L04 declared API route without a leading slash",
        change: (c) => (c.site.apiRouting = { mode: "routes", routes: ["telemetry"] }),
        field: "site.apiRouting.routes[0]",
        got: '"telemetry"',
        fix: "/telemetry",
        lesson: "L04",
    },
    {
        title: "SSE path without a leading slash",
        change: (c) => (c.site.ssePaths = ["events"]),
        field: "site.ssePaths[0]",
        got: '"events"',
        fix: "/events",
    },
    {
        title: "redis maxmemory without a unit",
        change: (c) => (c.redis = { conf: { maxmemory: "256" } }),
        field: "redis.conf.maxmemory",
        got: '"256"',
        fix: '"256mb"',
    },
    {
        title: "L10 redis eviction policy that drops state",
        change: (c) => (c.redis = { conf: { maxmemoryPolicy: "allkeys-random" } }),
        field: "redis.conf.maxmemoryPolicy",
        got: '"allkeys-random"',
        fix: "noeviction",
        lesson: "L10",
    },
    {
        title: "L21 a fractional grace period is refused by the schema with the workload rule's own words and default",
        change: (c) => (c.site.terminationGracePeriodSeconds = 1.5),
        field: "site.terminationGracePeriodSeconds",
        got: "1.5",
        fix: "pulumi config set --path site.terminationGracePeriodSeconds 30",
        lesson: "L21",
    },
    {
        title: "L10 redis eviction policy with a typo: the component's rule, its command naming the policy meant",
        change: (c) => (c.redis = { conf: { maxmemoryPolicy: "allkeys-lfv" } }),
        field: "redis.conf.maxmemoryPolicy",
        got: '"allkeys-lfv"',
        fix: "pulumi config set --path redis.conf.maxmemoryPolicy allkeys-lfu",
        lesson: "L10",
    },
    {
        title: "L22 renamed key site.apiRoutes names its new key and the commands",
        change: (c) => (c.site.apiRoutes = ["/telemetry"]),
        field: "site.apiRoutes",
        got: '["/telemetry"]',
        fix: "pulumi config set --path site.apiRouting.mode routes",
        lesson: "L22",
    },
    {
        title: "L22 renamed key redis.maxmemory names redis.conf.maxmemory",
        change: (c) => (c.redis = { maxmemory: "128mb" }),
        field: "redis.maxmemory",
        got: '"128mb"',
        fix: "pulumi config set --path redis.conf.maxmemory",
        lesson: "L22",
    },
    {
        title: "L08 content path with a volume",
        change: (c) => (c.site.content.path = "/site"),
        field: "site.content.path",
        got: '"/site"',
        fix: "pulumi config rm --path site.content.path",
        lesson: "L08",
    },
    {
        title: "L31 ingress namespace on OpenShift (routers are found by label)",
        change: (c) => (c.route.ingressNamespace = "ingress-nginx"),
        field: "route.ingressNamespace",
        got: '"ingress-nginx"',
        fix: "pulumi config rm --path route.ingressNamespace",
        lesson: "L31",
    },
];

describe("stack config (program/config.ts)", () => {
    describe("rejects bad configurations with key, value and fix [L22]", () => {
        for (const bad of BAD) {
            it(bad.title, () => {
                const config = validConfig();
                bad.change(config);
                const err = rejection(config);
                const line = err.message.split("\n").find((l) => l.startsWith(`${bad.field}: `));
                assert.ok(line, `no message line for ${bad.field} in:\n${err.message}`);
                assert.ok(line.includes(`(got ${bad.got}`), `value ${bad.got} not shown in: ${line}`);
                const fix = line.slice(line.indexOf(". Fix: "));
                assert.ok(fix.includes(bad.fix), `fix "${bad.fix}" not in: ${line}`);
                if (bad.lesson) {
                    assert.match(
                        line,
                        new RegExp(`\\[[^\\]]*${bad.lesson}[^\\]]*\\]$`),
                        `lesson ${bad.lesson} not cited in: ${line}`,
                    );
                }
            });
        }
    });

    it("has at least 25 distinct bad configurations, each naming a different problem", () => {
        assert.ok(BAD.length >= 25);
        assert.strictEqual(new Set(BAD.map((b) => b.title)).size, BAD.length);
    });

    it("L19 never prints a secret value in an error", () => {
        const config = validConfig();
        config.apiSecrets = { "BAD NAME": "s3cr3t-value-xyz" };
        config.api.env = { API_TOKEN: "t0ken-value-xyz" };
        const err = rejection(config);
        assert.ok(err.problems.length >= 2, err.message);
        assert.ok(!err.message.includes("s3cr3t-value-xyz") && !err.message.includes("t0ken-value-xyz"), err.message);
    });

    it("L22 reports every problem at once, not only the first", () => {
        const config = validConfig();
        config.site.replicas = 3;
        config.api.port = 80;
        config.route.timeout = "forever";
        const fields = rejection(config)
            .problems.map((p) => p.field)
            .sort();
        assert.deepStrictEqual(fields, ["api.port", "route.timeout", "site.replicas"]);
    });

    it("L03 ReadWriteMany content allows several nginx replicas and an HPA", () => {
        const config = validConfig();
        config.site.content.volume.accessMode = "ReadWriteMany";
        config.site.replicas = 3;
        assert.strictEqual(parseStackConfig(config).site.replicas, 3);
        delete config.site.replicas;
        config.site.autoscaling = { min: 2, max: 5 };
        assert.deepStrictEqual(parseStackConfig(config).site.autoscaling, { min: 2, max: 5 });
    });

    it("L08 content image mode allows any replica count", () => {
        const config = validConfig();
        config.site.content = { image: `quay.io/acme/north-site@sha256:${DIGEST}`, path: "/site" };
        config.site.replicas = 3;
        const args = parseStackConfig(config);
        assert.deepStrictEqual(args.site.content, { image: `quay.io/acme/north-site@sha256:${DIGEST}`, path: "/site" });
    });

    it("config keys are WebStackArgs' own names (routes, redis conf), app name default", () => {
        const config = validConfig();
        delete config.appName;
        config.site.apiRouting = { mode: "routes", routes: ["/telemetry", "/scenario/"] };
        config.redis = { conf: { maxmemory: "128mb" }, storageSize: "2Gi" };
        const args = parseStackConfig(config);
        assert.strictEqual(args.appName, "web");
        assert.deepStrictEqual(args.site.apiRouting, { mode: "routes", routes: ["/telemetry", "/scenario/"] });
        assert.deepStrictEqual(args.redis?.conf, { maxmemory: "128mb" });
        assert.strictEqual(args.redis?.storageSize, "2Gi");
    });

    for (const stack of ["dev", "qa"]) {
        it(`Pulumi.${stack}.yaml parses, has the API image of its own namespace by digest and no plain secret (L06, L12, L19)`, () => {
            const raw = rawStackConfig(stack);
            const args = parseStackConfig(raw);
            assert.strictEqual(args.namespace, `qr-demo-${stack}`);
            assert.match(
                args.api.image,
                new RegExp(
                    `^image-registry\\.openshift-image-registry\\.svc:5000/qr-demo-${stack}/north-api@sha256:[0-9a-f]{64}$`,
                ),
            );
            assert.deepStrictEqual(args.api.command.slice(0, 1), ["gunicorn"]);
            assert.strictEqual(args.api.port, 5000);
            assert.strictEqual(
                raw.apiSecrets,
                undefined,
                "secrets belong in `pulumi config set --secret`, not in the file",
            );
        });
    }

    it("dev: RWO content, 1 nginx replica, API 2 replicas, OpenShift Route; qa: RWX, 2 nginx, API HPA 2–4", () => {
        const dev = parseStackConfig(rawStackConfig("dev"));
        assert.deepStrictEqual(
            [dev.site.content, dev.site.replicas, dev.api.replicas, dev.platform],
            [{ volume: { accessMode: "ReadWriteOnce", size: "5Gi" } }, 1, 2, "openshift"],
        );
        const qa = parseStackConfig(rawStackConfig("qa"));
        assert.deepStrictEqual(
            [qa.site.content, qa.site.replicas, qa.api.autoscaling, qa.requireImageDigests],
            [{ volume: { accessMode: "ReadWriteMany", size: "5Gi" } }, 2, { min: 2, max: 4 }, true],
        );
    });
});
