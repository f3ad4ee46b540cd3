import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { noSecretValues as policy } from "../../policy/rules/no-secret-values";
import { entropy, secretKind } from "../../components/secret-values";
import { compliantStack, expectMessages, stackWith, violationsOf } from "./fixtures";

const FIX =
    "Fix: put the value in a Kubernetes Secret (from `pulumi config set --secret` or random.RandomPassword) and use valueFrom.secretKeyRef or a secret volume.";
const OPTIONS = { entropyThreshold: 4.5, minTokenLength: 24 };
const env = (name: string, value: string) =>
    stackWith(TYPES.deployment, "web", (o) => {
        o.spec.template.spec.containers[0].env.push({ name, value });
    });
const configMap = (data: Record<string, string>) =>
    stackWith(TYPES.configMap, "config", (o) => {
        Object.assign(o.data, data);
    });
// Assembled at run time so the repository holds no string a secret scanner would flag.
const PRIVATE_KEY = ["-----BEGIN", "RSA PRIVATE", "KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE", "KEY-----"].join(
    " ",
);
const AWS_KEY = ["AKIA", "Z7QX3R5T2WJ8KD4M"].join("");
const RANDOM_TOKEN = "q7Vd9XkR2mTz4LpW8sNc3HbY6fJg1ZeA";

describe("policy no-secret-values [L19]", () => {
    it("[L19] passes the compliant stack (ports, paths, URLs without credentials, a config file)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L19] rejects a private key under an innocent env name, without echoing it", async () => {
        const [v] = await expectMessages(policy, env("DATA", PRIVATE_KEY), [
            `Deployment "web" container "app" (spec.template.spec.containers[0].env[2].value): DATA contains a private key block as a literal value. ${FIX}`,
        ]);
        assert.ok(!v.message.includes("MIIE"));
    });

    it("[L19] rejects a password in a URL, and accepts $(VAR) / ${VAR} references and user-only URLs", async () => {
        await expectMessages(policy, env("DATABASE_URL", "postgres://app:s3cr3t@db:5432/app"), [
            `Deployment "web" container "app" (spec.template.spec.containers[0].env[2].value): DATABASE_URL contains a password in a URL (scheme://user:password@host) as a literal value. ${FIX}`,
        ]);
        for (const value of [
            "redis://:$(REDIS_PASSWORD)@redis:6379",
            "postgres://app:${DB_PASSWORD}@db/app",
            "https://user@example.com/x",
            "https://auth.example.com/oauth/token",
        ]) {
            assert.equal(secretKind(value, OPTIONS), undefined, value);
        }
    });

    it("[L19] rejects an AWS key and a random token in ConfigMap data", async () => {
        const messages = (
            await violationsOf(
                policy,
                configMap({
                    "aws.ini": `[default]\naws_access_key_id = ${AWS_KEY}\n`,
                    "app.json": `{"apiKey": "${RANDOM_TOKEN}"}`,
                }),
            )
        )
            .map((v) => v.message)
            .sort();
        assert.deepEqual(messages, [
            `ConfigMap "config" (data["app.json"]): contains a random-looking 32-character token (${entropy(RANDOM_TOKEN).toFixed(2)} bits/char >= 4.5); ConfigMaps are readable by anyone who can read the namespace. ${FIX}`,
            `ConfigMap "config" (data["aws.ini"]): contains an AWS access key id; ConfigMaps are readable by anyone who can read the namespace. ${FIX}`,
        ]);
    });

    it("[L19] does not flag digests, UUIDs, paths, words, certificates or short values", () => {
        const certificate = `-----BEGIN CERTIFICATE-----\n${"MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ".repeat(3)}\n-----END CERTIFICATE-----`;
        for (const value of [
            `quay.io/webstack/api@sha256:${"0123456789abcdef".repeat(4)}`,
            "123e4567-e89b-12d3-a456-426614174000",
            "/usr/share/nginx/html/assets/videos",
            "ThisIsAVeryLongCamelCaseIdentifierName",
            certificate,
            "Ab1Cd2Ef3Gh4",
            "listen 8080;\nserver_name _;",
        ]) {
            assert.equal(secretKind(value, OPTIONS), undefined, value);
        }
        assert.equal(secretKind(RANDOM_TOKEN, OPTIONS)?.startsWith("a random-looking"), true);
    });

    it("[L19] the entropy threshold and minimum length are configurable", async () => {
        const stack = env("SESSION", RANDOM_TOKEN);
        assert.equal((await violationsOf(policy, stack)).length, 1);
        await expectMessages(policy, stack, [], { packConfig: { "no-secret-values": { entropyThreshold: 5.5 } } });
        await expectMessages(policy, stack, [], { packConfig: { "no-secret-values": { minTokenLength: 40 } } });
    });
});
