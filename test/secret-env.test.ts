// One secret-name rule (components/secret-env.ts, L19, issue 23): the Api's config check and the pack must give the
// same verdict on every literal env var. Each row of one table is run through both sides; neither may drift.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseStackConfig } from "../program/config";
import { WebStackArgError } from "../components/errors";
import { TYPES } from "../policy/k8s";
import { noLiteralSecretEnv } from "../policy/rules/no-literal-secret-env";
import { noSecretValues } from "../policy/rules/no-secret-values";
import { checkInProcess, ROOT } from "./support/check";
import { stackWith, violationsOf } from "./policy/fixtures";

/** A literal `api.env` entry and whether it is a secret (so must be refused by both sides). */
const SECRET_ENV_TABLE: { name: string; value: string; secret: boolean; why: string }[] = [
    { name: "AWS_ACCESS_KEY_ID", value: "AKIAIOSFODNN7EXAMPLE", secret: true, why: "by name and by format" },
    { name: "AWS_ACCESS_KEY", value: "not-a-key-format", secret: true, why: "by name (*ACCESS_KEY*)" },
    { name: "DB_PASSWORD", value: "hunter2", secret: true, why: "by name" },
    { name: "db_password", value: "hunter2", secret: true, why: "names are case-insensitive" },
    { name: "API_KEY", value: "key-abc", secret: true, why: "by name" },
    { name: "STRIPE_APIKEY", value: "key-abc", secret: true, why: "by name" },
    { name: "HF_TOKEN", value: "hf-abc", secret: true, why: "by name" },
    { name: "GCP_CREDENTIALS", value: '{"type":1}', secret: true, why: "by name" },
    { name: "SSH_PRIVATE_KEY", value: "not-a-pem-block", secret: true, why: "by name" },
    { name: "FLASK_SECRET_KEY", value: "dev-key-123", secret: true, why: "by name" },
    { name: "DB_PASSWORD_FILE", value: "/run/secrets/db/password", secret: false, why: "points at a mounted file" },
    { name: "TOKEN_URL", value: "https://auth.example.com/oauth/token", secret: false, why: "a service URL" },
    { name: "DB_SECRET_NAME", value: "db", secret: false, why: "names a Secret" },
    { name: "API_KEY_PREFIX", value: "sk_", secret: false, why: "a prefix, not a key" },
    { name: "DATABASE_URL", value: "postgres://app:Sup3rS3cret@db:5432/app", secret: true, why: "password in a URL" },
    { name: "DATABASE_URL", value: "postgres://app:$(DB_PASSWORD)@db:5432/app", secret: false, why: "a reference" },
    { name: "CONFIG", value: "ghp_0123456789abcdefghijABCDEFGHIJ012345", secret: true, why: "GitHub token format" },
    { name: "SESSION_SALT", value: "q8Zt3Lx9Vb2Nw7Rk4Ym6Hp1Dc5Fg0Js8", secret: true, why: "high-entropy token" },
    { name: "LOG_LEVEL", value: "info", secret: false, why: "plain setting" },
    { name: "PASSWORD_POLICY", value: "", secret: false, why: "empty value holds nothing" },
];

const DIGEST = "a".repeat(64);
function configWithEnv(name: string, value: string): Record<string, unknown> {
    return {
        namespace: "qr-demo-dev",
        appName: "north",
        api: {
            image: `image-registry.openshift-image-registry.svc:5000/qr-demo-dev/north-api@sha256:${DIGEST}`,
            command: ["gunicorn", "-b", "0.0.0.0:5000", "app:app"],
            port: 5000,
            replicas: 2,
            env: { [name]: value },
        },
        migration: { command: ["flask", "db", "upgrade"] },
        site: { replicas: 1, content: { volume: { accessMode: "ReadWriteOnce", size: "5Gi" } } },
    };
}

/** The config check's verdict on api.env.<name>: refused (with the value never shown) or accepted. */
function configRefuses(name: string, value: string): boolean {
    try {
        parseStackConfig(configWithEnv(name, value), { stack: "dev", secretKeys: [] });
        return false;
    } catch (err) {
        if (!(err instanceof WebStackArgError)) throw err;
        const mine = err.problems.filter((p) => p.field === `api.env.${name}`);
        assert.deepEqual(
            err.problems.filter((p) => p.field !== `api.env.${name}`),
            [],
            "only the env var may be refused",
        );
        if (value !== "") assert.ok(!err.message.includes(value), `the value of ${name} was echoed`);
        return mine.length > 0;
    }
}

/** The pack's verdict with its default settings: a mandatory violation of either secret policy. */
async function packRefuses(name: string, value: string): Promise<boolean> {
    const stack = stackWith(TYPES.deployment, "web", (o) => {
        o.spec.template.spec.containers[0].env.push({ name, value });
    });
    const found = [...(await violationsOf(noLiteralSecretEnv, stack)), ...(await violationsOf(noSecretValues, stack))];
    assert.ok(found.every((v) => v.level === "mandatory"));
    return found.length > 0;
}

describe("one secret-name rule for the config check and the pack [L19] (issue 23)", function () {
    this.timeout(300_000);

    for (const row of SECRET_ENV_TABLE) {
        const verdict = row.secret ? "refused" : "accepted";
        it(`[L19] ${row.name}=${row.value === "" ? '""' : "…"} (${row.why}): ${verdict} by the config check and by the pack`, async () => {
            assert.equal(configRefuses(row.name, row.value), row.secret, "config check");
            assert.equal(await packRefuses(row.name, row.value), row.secret, "policy pack");
        });
    }

    it("[L19] npm run check --stack dev: AWS_ACCESS_KEY_ID is an input error on api.env (exit 2), DB_PASSWORD_FILE passes the pack", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webstack-secret-env-"));
        try {
            const stackFile = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
            const api = JSON.parse(JSON.stringify(stackFile.config["webstack:api"]));
            const run = async (env: Record<string, string>) => {
                const file = path.join(dir, "Pulumi.dev.yaml");
                const config = { ...stackFile.config, "webstack:api": { ...api, env: { ...api.env, ...env } } };
                fs.writeFileSync(file, YAML.stringify({ ...stackFile, config }));
                return checkInProcess(["--stack", "dev", "--config", file]);
            };
            const secret = await run({ AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" });
            assert.equal(secret.status, 2, secret.stdout + secret.stderr);
            assert.match(secret.stderr, /api\.env\.AWS_ACCESS_KEY_ID: looks like a secret by its name/);
            assert.doesNotMatch(secret.stdout + secret.stderr, /AKIAIOSFODNN7EXAMPLE/);

            const pointer = await run({ DB_PASSWORD_FILE: "/run/secrets/db/password" });
            assert.equal(pointer.status, 0, pointer.stdout + pointer.stderr);
            assert.doesNotMatch(pointer.stdout, /no-literal-secret-env|no-secret-values/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
