import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ApiImageBuild, ApiImageBuildArgs } from "../../components/api-image-build";
import { parseStackConfig } from "../../program/config";
import { outputValue, problemsOf } from "../components/support";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

/**
 * Runs the build under mocks where the docker provider "pushes": repoDigest = repository@sha256 of the
 * context's Dockerfile, as a registry would answer (the offline harness echoes inputs, which have no repoDigest).
 */
async function build(
    args: ApiImageBuildArgs,
    push: (imageName: string, dockerfile: string) => string | undefined = pushed,
): Promise<{ registered: Registered[]; imageRef: string }> {
    const registered: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                registered.push({ type: a.type, name: a.name, inputs: a.inputs });
                const state =
                    a.type === "docker:index/image:Image"
                        ? { ...a.inputs, repoDigest: push(a.inputs.imageName, a.inputs.build.dockerfile) }
                        : a.inputs;
                return { id: `${a.name}-id`, state };
            },
            call: () => ({}),
        },
        "webstack",
        "dev",
        false,
    );
    const component = new ApiImageBuild("shop-api-build", args);
    const imageRef = await outputValue(component.imageRef);
    return { registered, imageRef };
}

function pushed(imageName: string, dockerfile: string): string {
    const digest = crypto.createHash("sha256").update(fs.readFileSync(dockerfile)).digest("hex");
    return `${imageName.replace(/:[^:/]+$/, "")}@sha256:${digest}`;
}

// The component names its own arguments in errors ("repository"); the program passes configPath "api.build.".
describe("ApiImageBuild: dev builds deploy the pushed digest (L12, L28)", () => {
    let context: string;
    before(() => {
        context = fs.mkdtempSync(path.join(os.tmpdir(), "api-build-"));
        fs.writeFileSync(
            path.join(context, "Dockerfile"),
            'FROM registry.access.redhat.com/ubi9/python-311\nCMD ["gunicorn"]\n',
        );
        fs.writeFileSync(path.join(context, "Containerfile.prod"), "FROM scratch\n");
    });
    after(() => fs.rmSync(context, { recursive: true, force: true }));

    it("L12: deploys repository@sha256 of the push, never the tag", async () => {
        const { registered, imageRef } = await build({ context, repository: "ghcr.io/org/shop-api" });
        assert.strictEqual(imageRef, pushed("ghcr.io/org/shop-api:dev", path.join(context, "Dockerfile")));
        assert.doesNotMatch(imageRef, /:dev/);
        const image = registered.find((r) => r.type === "docker:index/image:Image");
        assert.ok(image);
        assert.strictEqual(image.name, "shop-api-build-image");
        assert.strictEqual(image.inputs.imageName, "ghcr.io/org/shop-api:dev");
        assert.deepStrictEqual(image.inputs.build, {
            context,
            dockerfile: path.join(context, "Dockerfile"),
            platform: "linux/amd64",
        });
        assert.strictEqual(image.inputs.skipPush, false);
    });

    it("L22: passes the Dockerfile (relative to the context), tag and target to the build", async () => {
        const { registered, imageRef } = await build({
            context,
            repository: "ghcr.io/org/shop-api",
            dockerfile: "Containerfile.prod",
            tag: "feature-x",
            target: "runtime",
        });
        const image = registered.find((r) => r.type === "docker:index/image:Image")!;
        assert.strictEqual(image.inputs.imageName, "ghcr.io/org/shop-api:feature-x");
        assert.strictEqual(image.inputs.build.dockerfile, path.join(context, "Containerfile.prod"));
        assert.strictEqual(image.inputs.build.target, "runtime");
        assert.match(imageRef, /^ghcr\.io\/org\/shop-api@sha256:[0-9a-f]{64}$/);
    });

    it("L19: the credential for the repository's registry goes to the push, as a secret", async () => {
        const { registered } = await build({
            context,
            repository: "ghcr.io/org/shop-api",
            registryAuth: pulumi.secret([
                { address: "registry.example.com", username: "other", password: "nope" },
                { address: "ghcr.io", username: "bot", password: "tok" },
            ]),
        });
        const image = registered.find((r) => r.type === "docker:index/image:Image")!;
        // The whole registry block reaches the provider wrapped as a secret (Pulumi's secret signature).
        assert.deepStrictEqual(image.inputs.registry, {
            [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
            value: { server: "ghcr.io", username: "bot", password: "tok" },
        });
    });

    it("L17: a push that reports no digest fails instead of deploying the tag", async () => {
        await assert.rejects(
            build({ context, repository: "ghcr.io/org/shop-api" }, () => undefined),
            /(?<!\.)repository: the build of ghcr\.io\/org\/shop-api produced no pushed digest \(got nothing\)/,
        );
    });

    it("L12: rejects a repository written with a tag, naming the field and the fix", async () => {
        await assert.rejects(
            build({ context, repository: "ghcr.io/org/shop-api:main" }),
            /(?<!\.)repository: must name the repository only, without tag or digest \(got "ghcr\.io\/org\/shop-api:main"\)\. Fix: set repository to ghcr\.io\/org\/shop-api/,
        );
    });

    it("L22: rejects a missing context or Dockerfile before any build", async () => {
        await assert.rejects(
            build({ context: path.join(context, "nope"), repository: "ghcr.io/org/shop-api" }),
            /(?<!\.)context: is not a directory/,
        );
        await assert.rejects(
            build({ context, dockerfile: "Dockerfile.missing", repository: "ghcr.io/org/shop-api" }),
            /(?<!\.)dockerfile: does not exist in .* \(got "Dockerfile\.missing"\)/,
        );
    });
});

describe("ApiImageBuild: each rejection names the field in the caller's terms, the value, the fix and the lessons", () => {
    let context: string;
    let noDockerfile: string;
    before(() => {
        context = fs.mkdtempSync(path.join(os.tmpdir(), "api-build-"));
        fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\n");
        noDockerfile = fs.mkdtempSync(path.join(os.tmpdir(), "api-build-empty-"));
    });
    after(() => [context, noDockerfile].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
    const configPath = "api.build.";

    it("L12: a repository with a tag or a digest is refused, the fix naming the bare repository and the tag argument", async () => {
        const digest = `sha256:${"a".repeat(64)}`;
        for (const [repository, got] of [
            ["ghcr.io/org/shop-api:main", "ghcr.io/org/shop-api:main"],
            [`ghcr.io/org/shop-api@${digest}`, `ghcr.io/org/shop-api@${digest}`],
        ]) {
            assert.deepStrictEqual(await problemsOf(build({ context, repository, configPath })), [
                {
                    field: "api.build.repository",
                    problem: "must name the repository only, without tag or digest",
                    got,
                    fix: "set api.build.repository to ghcr.io/org/shop-api (and api.build.tag for the tag)",
                    lessons: ["L12"],
                },
            ]);
        }
    });

    it("L12: a repository that is no image reference at all is refused under its own field", async () => {
        const [problem] = await problemsOf(build({ context, repository: "ghcr.io/Org/Shop API", configPath }));
        assert.strictEqual(problem.field, "api.build.repository");
        assert.strictEqual(problem.got, "ghcr.io/Org/Shop API");
    });

    it("L22: a context that is not a directory, and a context without the (default) Dockerfile", async () => {
        const missing = path.join(context, "nope");
        assert.deepStrictEqual(
            await problemsOf(build({ context: missing, repository: "ghcr.io/org/shop-api", configPath })),
            [
                {
                    field: "api.build.context",
                    problem: "is not a directory (relative to the Pulumi project)",
                    got: missing,
                    fix: "point api.build.context at the API's source directory, e.g. ./api",
                    lessons: ["L22"],
                },
            ],
        );
        assert.deepStrictEqual(
            await problemsOf(build({ context: noDockerfile, repository: "ghcr.io/org/shop-api", configPath })),
            [
                {
                    field: "api.build.dockerfile",
                    problem: `does not exist in ${noDockerfile}`,
                    got: "Dockerfile",
                    fix: "set api.build.dockerfile to the Dockerfile's path inside the context",
                    lessons: ["L22"],
                },
            ],
        );
    });

    it("L12, L17: a push without a digest names the repository to check, not the tag to deploy", async () => {
        assert.deepStrictEqual(
            await problemsOf(build({ context, repository: "ghcr.io/org/shop-api", configPath }, () => undefined)),
            [
                {
                    field: "api.build.repository",
                    problem: "the build of ghcr.io/org/shop-api produced no pushed digest",
                    got: undefined,
                    fix: "check that the push to ghcr.io/org/shop-api succeeded (credentials, repository exists)",
                    lessons: ["L12", "L17"],
                },
            ],
        );
    });
});

describe("api.build in stack config (L12, L22, L23)", () => {
    /** A stack file's config as the program reads it: unqualified keys, structured values. */
    function rawConfig(stack: string): Record<string, any> {
        const file = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "..", `Pulumi.${stack}.yaml`), "utf8"))
            .config as Record<string, unknown>;
        return Object.fromEntries(Object.entries(file).map(([k, v]) => [k.replace(/^webstack:/, ""), v]));
    }
    const build = { context: "./api", repository: "ghcr.io/org/north-api", tag: "feature-x" };

    it("L12: a dev stack may build the API instead of naming an image; the build's repository stands in until the push", () => {
        const raw = rawConfig("dev");
        delete raw.api.image;
        raw.api.build = build;
        const parsed = parseStackConfig(raw);
        assert.deepStrictEqual(parsed.apiBuild, build);
        assert.strictEqual(parsed.api.image, "ghcr.io/org/north-api");
        assert.ok(!("build" in parsed.api), "the Api component never sees the build settings");
    });

    it("L23: a stack that requires digests (qa) refuses to build: it deploys what dev built and promote wrote", () => {
        const raw = rawConfig("qa");
        delete raw.api.image;
        raw.api.build = build;
        assert.throws(
            () => parseStackConfig(raw),
            /api\.build: builds in a stack that only deploys promoted digests \(requireImageDigests is true\) .*Fix: pulumi config rm --path api\.build and promote the digest dev built: npm run promote -- --from dev --to <this stack> \[L12, L23\]/,
        );
    });

    it("L12: api.image and api.build together are ambiguous, and neither is an error", () => {
        const both = rawConfig("dev");
        both.api.build = build;
        assert.throws(() => parseStackConfig(both), /api\.image: needs exactly one of api\.image or api\.build/);
        const neither = rawConfig("dev");
        delete neither.api.image;
        assert.throws(() => parseStackConfig(neither), /api\.image: needs exactly one of api\.image or api\.build/);
    });

    it("L22: a build without a context fails naming the key", () => {
        const raw = rawConfig("dev");
        delete raw.api.image;
        raw.api.build = { repository: "ghcr.io/org/north-api" };
        assert.throws(() => parseStackConfig(raw), /api\.build\.context: is required/);
    });
});
