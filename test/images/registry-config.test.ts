import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { REGISTRY_LOOKUP_TOKEN } from "../../components/images";
import { imageRegistryArgs } from "../../program/registry-config";
import { ProgramRun, runProgram } from "../../offline/run-program";
import { loadStackConfigFile, secretConfig, withConfigOverrides } from "../../offline/stack-config";
import type { LooseRecordedResource } from "../support/recorded";

const ROOT = path.join(__dirname, "..", "..");
const DIGEST = `sha256:${"7".repeat(64)}`;
const INTERNAL = "image-registry.openshift-image-registry.svc:5000";

describe("image registry config: registryAuth, verifyImageDigests, registryLookupHosts (L17, L19)", () => {
    it("L19: credentials stored with --secret come out as a Pulumi secret", async () => {
        const args = imageRegistryArgs({
            registryAuth: [{ address: "ghcr.io", username: "bot", password: "tok" }],
            registryAuthIsSecret: true,
            verifyImageDigests: false,
            registryLookupHosts: { [INTERNAL]: "default-route-openshift-image-registry.apps.example.com" },
        });
        assert.ok(pulumi.Output.isInstance(args.registryAuth));
        assert.strictEqual(await pulumi.isSecret(args.registryAuth as pulumi.Output<unknown>), true);
        assert.strictEqual(args.verifyDigests, false);
        assert.deepStrictEqual(args.lookupHosts, {
            [INTERNAL]: "default-route-openshift-image-registry.apps.example.com",
        });
    });

    it("L19: credentials in plain text in the stack file are rejected without showing them", () => {
        assert.throws(
            () =>
                imageRegistryArgs({
                    registryAuth: [{ address: "ghcr.io", username: "bot", password: "hunter2" }],
                    registryAuthIsSecret: false,
                }),
            (err: Error) => {
                assert.match(
                    err.message,
                    /^registryAuth: holds registry credentials in plain text in the stack file \(got <secret, not shown>\)\. Fix: .*pulumi config set --secret --path 'registryAuth\[0\]\.password' <token> \[L19\]$/,
                );
                assert.doesNotMatch(err.message, /hunter2/);
                return true;
            },
        );
    });

    it("L19: an incomplete credential names the missing part and how to set it", () => {
        assert.throws(
            () =>
                imageRegistryArgs({
                    registryAuth: [{ address: "ghcr.io", username: "bot" }],
                    registryAuthIsSecret: true,
                }),
            /registryAuth\[0\]\.password: is required: a non-empty string \(got <secret, not shown>\)\. Fix: pulumi config set --secret --path 'registryAuth\[0\]\.password' <password> \[L19\]/,
        );
    });

    it("L17: rejects a non-boolean verifyImageDigests and a malformed registryLookupHosts, all at once", () => {
        assert.throws(
            () =>
                imageRegistryArgs({
                    verifyImageDigests: "no",
                    registryLookupHosts: { [INTERNAL]: "https://route" },
                    registryAuthIsSecret: false,
                }),
            (err: Error) => {
                assert.match(err.message, /^verifyImageDigests: must be true or false \(got "no"\)/m);
                assert.match(
                    err.message,
                    /^registryLookupHosts: must map registry hosts to registry hosts \(got \{"image-registry\.openshift-image-registry\.svc:5000":"https:\/\/route"\}\)/m,
                );
                return true;
            },
        );
    });

    it("L17: defaults: no credentials, digests verified, no lookup hosts", () => {
        assert.deepStrictEqual(imageRegistryArgs({ registryAuthIsSecret: false }), {
            registryAuth: undefined,
            verifyDigests: undefined,
            lookupHosts: undefined,
        });
    });
});

describe("image registry config in the real program (L12, L17, L19)", function () {
    // On a loaded 2-core machine a program run can take tens of seconds.
    this.timeout(300_000);

    function devConfig(overrides: Record<string, unknown>) {
        return withConfigOverrides(loadStackConfigFile(path.join(ROOT, "Pulumi.dev.yaml"), "webstack"), overrides);
    }
    const devApi = () =>
        JSON.parse(loadStackConfigFile(path.join(ROOT, "Pulumi.dev.yaml"), "webstack").config["webstack:api"]);

    it("L12: a tag in dev's config is resolved through the stack's one registry provider and deployed by digest", async () => {
        const lookups: string[] = [];
        const run: ProgramRun = await runProgram({
            program: path.join(ROOT, "index.ts"),
            stack: "dev",
            config: devConfig({
                "webstack:api": { ...devApi(), image: `${INTERNAL}/qr-demo-dev/north-api:latest` },
                "webstack:registryAuth": secretConfig([{ address: "ghcr.io", username: "bot", password: "tok-123" }]),
                "webstack:registryLookupHosts": {
                    [INTERNAL]: "default-route-openshift-image-registry.apps.example.com",
                },
            }),
            invoke: (token, inputs) => {
                assert.strictEqual(token, REGISTRY_LOOKUP_TOKEN);
                const name = String(inputs.name);
                lookups.push(name);
                return name.endsWith(":latest") ? { id: name, name, sha256Digest: DIGEST } : undefined;
            },
        });
        const api: LooseRecordedResource = run.resources.find(
            (r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "north-api",
        )!;
        assert.strictEqual(
            api.inputs.spec.template.spec.containers[0].image,
            `${INTERNAL}/qr-demo-dev/north-api@${DIGEST}`,
        );
        assert.ok(
            lookups.includes("default-route-openshift-image-registry.apps.example.com/qr-demo-dev/north-api:latest"),
            lookups.join(", "),
        );
        const providers = run.resources.filter((r) => r.type === "pulumi:providers:docker");
        assert.deepStrictEqual(
            providers.map((p) => p.name),
            ["north-registry"],
        );
        assert.ok(run.secretValues.includes("tok-123"), "the registry password is tracked as a secret");
    });

    it("L17: verifyImageDigests false skips the lookups of pinned images", async () => {
        const lookups: string[] = [];
        await runProgram({
            program: path.join(ROOT, "index.ts"),
            stack: "dev",
            config: devConfig({ "webstack:verifyImageDigests": false }),
            invoke: (_token, inputs) => {
                lookups.push(String(inputs.name));
                return undefined;
            },
        });
        assert.deepStrictEqual(lookups, []);
    });

    it("L19: plain-text registry credentials fail the program before anything is created", async () => {
        await assert.rejects(
            runProgram({
                program: path.join(ROOT, "index.ts"),
                stack: "dev",
                config: devConfig({
                    "webstack:registryAuth": [{ address: "ghcr.io", username: "bot", password: "tok-123" }],
                }),
            }),
            (err: Error) => {
                assert.match(err.message, /registryAuth: holds registry credentials in plain text/);
                assert.doesNotMatch(err.message, /tok-123/);
                return true;
            },
        );
    });
});
