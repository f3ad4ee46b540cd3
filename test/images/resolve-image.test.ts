import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ImageRegistry, ImageRegistryArgs, REGISTRY_LOOKUP_TOKEN, resolveImage } from "../../components/images";
import { formatProblem } from "../../components/errors";
import { InvokeHandler, recordResources } from "../../offline/run-program";
import type { LooseRecordedResource } from "../support/recorded";
import { outputValue, problemsOf as rejectionProblems } from "../components/support";

const MAIN_DIGEST = `sha256:${"1".repeat(64)}`;
const OLD_DIGEST = `sha256:${"0".repeat(64)}`;

interface Lookup {
    name: string;
}

/** A fake registry: known "repo:tag" → digest; knows every digest it serves by content. */
function fakeRegistry(tags: Record<string, string>, lookups: Lookup[] = []): InvokeHandler {
    return (token, inputs) => {
        assert.strictEqual(token, REGISTRY_LOOKUP_TOKEN);
        const name = String(inputs.name);
        lookups.push({ name });
        const pinned = /@(sha256:[0-9a-f]{64})$/.exec(name);
        const served = pinned ? Object.values(tags).find((d) => d === pinned[1]) : tags[name];
        if (served === undefined) {
            // What the docker provider reports for a build that was never pushed (postmortem 003).
            throw new Error(
                `Got error when attempting to fetch image version ${name} from registry: Got bad response from registry: 404 Not Found: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`,
            );
        }
        return { id: name, name, sha256Digest: served };
    };
}

/**
 * Resolves one image in a bare mocked program and returns how the Output settled. The offline harness stops a
 * recording at the first failed invoke with the provider's raw message; the engine instead hands the failure
 * to the program, which is where resolveImage turns it into an error naming the config key, so these cases
 * install their own mocks.
 */
/** requireDigest as the components pass it; `registry` set → an ImageRegistry given to the parent component. */
interface Settings {
    requireDigest?: boolean;
    registry?: ImageRegistryArgs;
}

function resolveInComponent(ref: string, settings: Settings): pulumi.Output<string> {
    const providers = settings.registry ? [new ImageRegistry("stack-registry", settings.registry)] : [];
    const parent = new pulumi.ComponentResource("webstack:index:ImageTest", "shop", {}, { providers });
    return resolveImage({ ref, field: "api.image" }, { requireDigest: settings.requireDigest, parent });
}

async function settleUnderMocks(ref: string, settings: Settings, invoke: InvokeHandler): Promise<string> {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: async (args) => {
                try {
                    return (await invoke(args.token, args.inputs)) ?? {};
                } catch (err) {
                    // The engine answers a failed invoke with a gRPC error whose `details` carry the provider's message.
                    throw Object.assign(new Error((err as Error).message), { details: (err as Error).message });
                }
            },
        },
        "webstack",
        "dev",
        true,
    );
    const deployed = resolveInComponent(ref, settings);
    return outputValue(deployed);
}

/** Resolves one image inside a component, as WebStack does, and returns the deployed ref plus what was registered. */
async function resolveUnderMocks(
    ref: string,
    settings: Settings,
    invoke: InvokeHandler,
): Promise<{ deployed?: string; resources: LooseRecordedResource[] }> {
    let deployed: string | undefined;
    const resources = await recordResources(
        () => {
            resolveInComponent(ref, settings).apply((value) => (deployed = value));
        },
        { invoke },
    );
    return { deployed, resources };
}

describe("resolveImage: tags are resolved to digests at preview (L12, L28)", () => {
    it("L12: a tag-only reference deploys repo@sha256 of what the tag points to now", async () => {
        const lookups: Lookup[] = [];
        const { deployed, resources } = await resolveUnderMocks(
            "ghcr.io/org/api:main",
            {},
            fakeRegistry({ "ghcr.io/org/api:main": MAIN_DIGEST }, lookups),
        );
        assert.strictEqual(deployed, `ghcr.io/org/api@${MAIN_DIGEST}`);
        assert.deepStrictEqual(lookups, [{ name: "ghcr.io/org/api:main" }]);
        const provider = resources.find((r) => r.type === "pulumi:providers:docker");
        assert.ok(provider, "an explicit docker provider is registered");
        assert.strictEqual(provider.name, "shop-registry");
        assert.match(provider.parent ?? "", /ImageTest::shop$/);
        assert.ok(
            [true, "true"].includes(provider.inputs.disableDockerDaemonCheck),
            "no Docker daemon needed at preview",
        );
    });

    it("L12: after the tag moves, the next preview deploys the new digest", async () => {
        const before = await resolveUnderMocks(
            "ghcr.io/org/api:main",
            {},
            fakeRegistry({ "ghcr.io/org/api:main": OLD_DIGEST }),
        );
        const after = await resolveUnderMocks(
            "ghcr.io/org/api:main",
            {},
            fakeRegistry({ "ghcr.io/org/api:main": MAIN_DIGEST }),
        );
        assert.strictEqual(before.deployed, `ghcr.io/org/api@${OLD_DIGEST}`);
        assert.strictEqual(after.deployed, `ghcr.io/org/api@${MAIN_DIGEST}`);
    });

    it("L12: requireDigest (qa) rejects a tag outright, before any registry lookup", async () => {
        const lookups: Lookup[] = [];
        await assert.rejects(
            resolveUnderMocks(
                "ghcr.io/org/api:main",
                { requireDigest: true },
                fakeRegistry({ "ghcr.io/org/api:main": MAIN_DIGEST }, lookups),
            ),
            /api\.image: has no digest, and this stack requires digests \(a tag, "main", can move\) \(got "ghcr\.io\/org\/api:main"\)\. Fix: promote the digest dev deployed \(npm run promote -- --from dev --to <stack>\)/,
        );
        assert.deepStrictEqual(lookups, []);
    });

    it("L12: requireDigest accepts a pinned digest", async () => {
        const { deployed } = await resolveUnderMocks(
            `ghcr.io/org/api@${MAIN_DIGEST}`,
            { requireDigest: true },
            fakeRegistry({ "ghcr.io/org/api:main": MAIN_DIGEST }),
        );
        assert.strictEqual(deployed, `ghcr.io/org/api@${MAIN_DIGEST}`);
    });

    it("L12: a malformed reference fails the preview naming the config key", async () => {
        await assert.rejects(
            resolveUnderMocks("ghcr.io/Org/api:main", {}, fakeRegistry({})),
            /api\.image: image reference has path segment "Org" with upper-case letters/,
        );
    });
});

describe("resolveImage: pinned digests are verified against the registry (L17)", () => {
    it("L17: a pinned digest the registry serves deploys as pinned (tag dropped)", async () => {
        const lookups: Lookup[] = [];
        const { deployed } = await resolveUnderMocks(
            `ghcr.io/org/api:main@${MAIN_DIGEST}`,
            {},
            fakeRegistry({ "ghcr.io/org/api:main": MAIN_DIGEST }, lookups),
        );
        assert.strictEqual(deployed, `ghcr.io/org/api@${MAIN_DIGEST}`);
        assert.deepStrictEqual(lookups, [{ name: `ghcr.io/org/api:main@${MAIN_DIGEST}` }]);
    });

    it("L17: a tag whose build failed (manifest unknown) fails the preview naming the image and the key", async () => {
        await assert.rejects(
            settleUnderMocks("ghcr.io/org/api:sha-39a4e17", {}, fakeRegistry({ "ghcr.io/org/api:main": MAIN_DIGEST })),
            (err: Error) => {
                assert.match(
                    err.message,
                    /api\.image: the image does not exist in registry ghcr\.io \(.*manifest unknown.*\) \(got "ghcr\.io\/org\/api:sha-39a4e17"\)/,
                );
                assert.match(
                    err.message,
                    /Fix: push it first \(a failed build leaves no manifest\) or correct the tag\/digest in api\.image; nothing was deployed \[L17\]/,
                );
                return true;
            },
        );
    });

    it("L17: a pinned digest that was never pushed fails the preview", async () => {
        await assert.rejects(
            settleUnderMocks(
                `ghcr.io/org/api@${OLD_DIGEST}`,
                {},
                fakeRegistry({ "ghcr.io/org/api:main": MAIN_DIGEST }),
            ),
            /api\.image: the image does not exist in registry ghcr\.io .*\(got "ghcr\.io\/org\/api@sha256:0{64}"\)/,
        );
    });

    it("L17: a registry answer with a different digest than the pin fails the preview", async () => {
        const lying: InvokeHandler = (_token, inputs) => ({
            id: inputs.name,
            name: inputs.name,
            sha256Digest: OLD_DIGEST,
        });
        await assert.rejects(
            settleUnderMocks(`ghcr.io/org/api@${MAIN_DIGEST}`, {}, lying),
            /api\.image: registry ghcr\.io serves sha256:0{64} for this reference, not the pinned sha256:1{64} \(got "ghcr\.io\/org\/api@sha256:1{64}"\)\. Fix: pin the digest the registry serves/,
        );
    });

    it("L17: a registry answer without a digest fails the preview", async () => {
        const empty: InvokeHandler = (_token, inputs) => ({ id: inputs.name, name: inputs.name, sha256Digest: "" });
        await assert.rejects(
            settleUnderMocks("ghcr.io/org/api:main", {}, empty),
            /api\.image: the registry lookup of "ghcr\.io\/org\/api:main" returned no sha256 digest \(got ""\)/,
        );
    });

    it("L17: an unauthorized lookup asks for registry credentials", async () => {
        const denied: InvokeHandler = () => {
            throw new Error("Got bad response from registry: 401 Unauthorized");
        };
        await assert.rejects(
            settleUnderMocks("registry.example.com:5000/team/api:main", {}, denied),
            /api\.image: registry registry\.example\.com:5000 refused the lookup .*Fix: give credentials for registry\.example\.com:5000 in the secret config registryAuth/,
        );
    });

    it("L17: an unreachable registry fails the preview rather than deploying a tag", async () => {
        const down: InvokeHandler = () => {
            throw new Error("dial tcp: lookup ghcr.io: no such host");
        };
        await assert.rejects(
            settleUnderMocks("ghcr.io/org/api:main", {}, down),
            /api\.image: could not look up the image in registry ghcr\.io \(.*no such host\) \(got "ghcr\.io\/org\/api:main"\).*a tag cannot be deployed without its digest/,
        );
    });

    it("L17: verifyDigests false deploys a pinned digest without a lookup (air-gapped preview)", async () => {
        const lookups: Lookup[] = [];
        const { deployed } = await resolveUnderMocks(
            `ghcr.io/org/api@${OLD_DIGEST}`,
            { registry: { verifyDigests: false } },
            fakeRegistry({}, lookups),
        );
        assert.strictEqual(deployed, `ghcr.io/org/api@${OLD_DIGEST}`);
        assert.deepStrictEqual(lookups, []);
    });

    it("L17: verifyDigests false does not let a tag through without a lookup", async () => {
        const lookups: Lookup[] = [];
        const { deployed } = await resolveUnderMocks(
            "ghcr.io/org/api:main",
            { registry: { verifyDigests: false } },
            fakeRegistry({ "ghcr.io/org/api:main": MAIN_DIGEST }, lookups),
        );
        assert.strictEqual(deployed, `ghcr.io/org/api@${MAIN_DIGEST}`);
        assert.strictEqual(lookups.length, 1);
    });
});

describe("resolveImage: the ImageRegistry provider for registry lookups (L19)", () => {
    it("L19: the stack's ImageRegistry (credentials from secret config) serves every image below the component", async () => {
        const lookups: Lookup[] = [];
        const resources = await recordResources(
            () => {
                const registry = new ImageRegistry("north-registry", {
                    registryAuth: pulumi.secret([{ address: "ghcr.io", username: "ci-bot", password: "s3cr3t-token" }]),
                });
                const stack = new pulumi.ComponentResource(
                    "webstack:index:ImageTest",
                    "shop",
                    {},
                    { providers: [registry] },
                );
                const api = new pulumi.ComponentResource(
                    "webstack:index:ImageChild",
                    "shop-api",
                    {},
                    { parent: stack },
                );
                resolveImage({ ref: `ghcr.io/org/api@${MAIN_DIGEST}`, field: "api.image" }, { parent: api });
                resolveImage({ ref: "ghcr.io/org/nginx:1.27", field: "site.image" }, { parent: stack });
            },
            {
                invoke: fakeRegistry(
                    { "ghcr.io/org/api:main": MAIN_DIGEST, "ghcr.io/org/nginx:1.27": OLD_DIGEST },
                    lookups,
                ),
            },
        );
        const providers = resources.filter((r) => r.type === "pulumi:providers:docker");
        assert.deepStrictEqual(
            providers.map((p) => p.name),
            ["north-registry"],
        );
        const auth = providers[0].inputs.registryAuth;
        assert.deepStrictEqual(typeof auth === "string" ? JSON.parse(auth) : auth, [
            { address: "ghcr.io", username: "ci-bot", password: "s3cr3t-token" },
        ]);
        assert.strictEqual(lookups.length, 2);
    });

    it("L17: lookupHosts queries an unreachable registry through its route, and deploys the original host", async () => {
        const lookups: Lookup[] = [];
        const internal = "image-registry.openshift-image-registry.svc:5000";
        const route = "default-route-openshift-image-registry.apps.example.com";
        const { deployed } = await resolveUnderMocks(
            `${internal}/shop-dev/api:latest`,
            { registry: { lookupHosts: { [internal]: route } } },
            fakeRegistry({ [`${route}/shop-dev/api:latest`]: MAIN_DIGEST }, lookups),
        );
        assert.deepStrictEqual(lookups, [{ name: `${route}/shop-dev/api:latest` }]);
        assert.strictEqual(deployed, `${internal}/shop-dev/api@${MAIN_DIGEST}`);
    });

    it("L12: a built image's reference (an Output) deploys its digest without a lookup; one without a digest fails", async () => {
        const lookups: Lookup[] = [];
        let deployed: string | undefined;
        await recordResources(
            () => {
                resolveImage({ ref: pulumi.output(`ghcr.io/org/api@${MAIN_DIGEST}`), field: "api.build" }).apply(
                    (v) => (deployed = v),
                );
            },
            { invoke: fakeRegistry({}, lookups) },
        );
        assert.strictEqual(deployed, `ghcr.io/org/api@${MAIN_DIGEST}`);
        assert.deepStrictEqual(lookups, []);
        await assert.rejects(
            recordResources(() => {
                resolveImage({ ref: pulumi.output("ghcr.io/org/api:dev"), field: "api.build" });
            }),
            /api\.build: the built image has no digest \(got "ghcr\.io\/org\/api:dev"\)/,
        );
    });
});

describe("resolveImage: each failed lookup's whole problem (field, value, fix, lessons)", () => {
    /** The problems a resolution failed with, as `pulumi preview` reports them. */
    const problemsOf = (ref: string, invoke: InvokeHandler, settings: Settings = {}) =>
        rejectionProblems(settleUnderMocks(ref, settings, invoke));
    const failing =
        (message: string): InvokeHandler =>
        () => {
            throw new Error(message);
        };
    const answering =
        (sha256Digest: unknown): InvokeHandler =>
        (_token, inputs) => ({ id: inputs.name, name: inputs.name, sha256Digest });

    it("L17 an answer without a sha256 digest names the registry to check", async () => {
        for (const reported of ["", undefined, "md5:abc"]) {
            assert.deepStrictEqual(await problemsOf("ghcr.io/org/api:main", answering(reported)), [
                {
                    field: "api.image",
                    problem: 'the registry lookup of "ghcr.io/org/api:main" returned no sha256 digest',
                    got: reported,
                    fix: "check that ghcr.io serves the image over the registry v2 API",
                    lessons: ["L17"],
                },
            ]);
        }
    });

    it("L12, L17 a digest other than the pinned one", async () => {
        assert.deepStrictEqual(await problemsOf(`ghcr.io/org/api@${MAIN_DIGEST}`, answering(OLD_DIGEST)), [
            {
                field: "api.image",
                problem: `registry ghcr.io serves ${OLD_DIGEST} for this reference, not the pinned ${MAIN_DIGEST}`,
                got: `ghcr.io/org/api@${MAIN_DIGEST}`,
                fix: "pin the digest the registry serves, or push the intended image again",
                lessons: ["L12", "L17"],
            },
        ]);
    });

    it("L17, L19 a refused lookup: the provider's words on one line, and the route it was queried through", async () => {
        const internal = "image-registry.openshift-image-registry.svc:5000";
        const route = "default-route-openshift-image-registry.apps.example.com";
        assert.deepStrictEqual(
            await problemsOf(`${internal}/shop-dev/api:latest`, failing("  403\n  Forbidden  "), {
                registry: { lookupHosts: { [internal]: route } },
            }),
            [
                {
                    field: "api.image",
                    got: `${internal}/shop-dev/api:latest`,
                    problem: `registry ${internal} refused the lookup (queried as ${route}/shop-dev/api:latest) (403 Forbidden)`,
                    fix: `give credentials for ${internal} in the secret config registryAuth`,
                    lessons: ["L17", "L19"],
                },
            ],
        );
        const [unauthorised] = await problemsOf("ghcr.io/org/api:main", failing("unauthorised"));
        assert.match(unauthorised.problem, /refused the lookup \(unauthorised\)$/);
    });

    it("L17 a lookup that failed without a word, and one the registry does not know", async () => {
        assert.deepStrictEqual(await problemsOf("ghcr.io/org/api:main", failing(" ")), [
            {
                field: "api.image",
                got: "ghcr.io/org/api:main",
                problem: "could not look up the image in registry ghcr.io (the provider gave no detail)",
                fix: "make the registry reachable from where pulumi preview runs (or map it with registryLookupHosts); a tag cannot be deployed without its digest",
                lessons: ["L17"],
            },
        ]);
        const [unknown] = await problemsOf("ghcr.io/org/api:main", failing("name unknown"));
        assert.strictEqual(unknown.problem, "the image does not exist in registry ghcr.io (name unknown)");
        assert.deepStrictEqual(unknown.lessons, ["L17"]);
    });

    it("L12 a built image without a digest", async () => {
        const expected = formatProblem({
            field: "api.build",
            problem: "the built image has no digest",
            got: "ghcr.io/org/api:dev",
            fix: "deploy the build's repoDigest, never its tag",
            lessons: ["L12"],
        });
        await assert.rejects(
            recordResources(() => {
                resolveImage({ ref: pulumi.output("ghcr.io/org/api:dev"), field: "api.build" });
            }),
            (err: Error) => err.message.includes(expected),
        );
    });
});

describe("resolveImage: the default registry provider when the stack gives none (L17)", () => {
    const providers = (resources: LooseRecordedResource[]) =>
        resources.filter((r) => r.type === "pulumi:providers:docker").map((r) => r.name);
    const lookups = () => fakeRegistry({ "ghcr.io/org/api:main": MAIN_DIGEST, "ghcr.io/org/site:main": MAIN_DIGEST });

    it("one provider per component, named after it, shared by all its images", async () => {
        const resources = await recordResources(
            () => {
                const parent = new pulumi.ComponentResource("webstack:index:ImageTest", "shop", {});
                resolveImage({ ref: "ghcr.io/org/api:main", field: "api.image" }, { parent });
                resolveImage({ ref: "ghcr.io/org/site:main", field: "site.image" }, { parent });
            },
            { invoke: lookups() },
        );
        assert.deepStrictEqual(providers(resources), ["shop-registry"]);
    });

    it("without a component, one provider per image field, named after the field", async () => {
        const resources = await recordResources(
            () => {
                resolveImage({ ref: "ghcr.io/org/api:main", field: "api.image" });
                resolveImage({ ref: "ghcr.io/org/site:main", field: "site.content.image" });
            },
            { invoke: lookups() },
        );
        assert.deepStrictEqual(providers(resources).sort(), ["api-image-registry", "site-content-image-registry"]);
    });
});
