import { TYPES } from "../../policy/k8s";
import { noLiteralSecretEnv as policy } from "../../policy/rules/no-literal-secret-env";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith, webWithEnv } from "./fixtures";

const fix =
    "looks like a secret and is set as a literal value (readable in the spec and the state). Fix: put it in a Kubernetes Secret (from `pulumi config set --secret`) and use valueFrom.secretKeyRef.";

describe("policy no-literal-secret-env [L19]", () => {
    it("[L19] passes the baseline (API_TOKEN from secretKeyRef) and *_FILE paths", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(policy, webWithEnv({ name: "DB_PASSWORD_FILE", value: "/run/secrets/db" }), []);
    });

    it('[L19] an empty value carries no secret: PASSWORD="" passes', async () => {
        await expectMessages(policy, webWithEnv({ name: "NEO4J_PASSWORD", value: "" }), []);
    });

    it("[L19] rejects a literal NEO4J_PASSWORD (the committed secrets file)", async () => {
        await expectMessages(policy, webWithEnv({ name: "NEO4J_PASSWORD", value: "hunter2" }), [
            `Deployment "web" container "app" (spec.template.spec.containers[0].env[2].value): NEO4J_PASSWORD ${fix}`,
        ]);
    });

    it("[L19] names that point at a secret or a service are not secrets: TOKEN_URL, SECRET_NAME, API_KEY_PREFIX, AUTH_TOKEN_ENDPOINT", async () => {
        await expectMessages(
            policy,
            webWithEnv(
                { name: "TOKEN_URL", value: "https://auth.example.com/oauth/token" },
                { name: "DB_SECRET_NAME", value: "db" },
                { name: "API_KEY_PREFIX", value: "sk_" },
                { name: "AUTH_TOKEN_ENDPOINT", value: "https://auth.example.com" },
                { name: "PASSWORD_URI", value: "vault://db" },
            ),
            [],
        );
    });

    it("[L19] checks initContainers and matches names case-insensitively", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                o.spec.template.spec.initContainers = [
                    { name: "init", image: "x", env: [{ name: "hf_token", value: "abc" }] },
                ];
            }),
            [
                `StatefulSet "redis" initContainer "init" (spec.template.spec.initContainers[0].env[0].value): hf_token ${fix}`,
            ],
        );
    });

    it("[L19] secret-like names are configurable", async () => {
        const stack = stackWith(TYPES.pod, "debug", (o) => {
            o.spec.containers[0].env.push({ name: "PASSPHRASE", value: "x" });
        });
        await expectMessages(policy, stack, []);
        await expectMessages(
            policy,
            stack,
            [`Pod "debug" container "app" (spec.containers[0].env[2].value): PASSPHRASE ${fix}`],
            { packConfig: { "no-literal-secret-env": { secretEnvNames: ["*PASSPHRASE*"] } } },
        );
    });

    it("[L19] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
