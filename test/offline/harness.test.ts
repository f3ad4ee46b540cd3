import { strict as assert } from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import { reportingProblems, WebStackArgError } from "../../components/errors";
import { PendingRequests } from "../../offline/mock-runtime";
import { ProgramError, ProgramRun, RecordedResource, recordResources, runProgram } from "../../offline/run-program";
import { REDACTED, loadStackConfigFile, secretConfig, withConfigOverrides } from "../../offline/stack-config";
import type { LooseRecordedResource } from "../support/recorded";

const FIXTURES = path.join(__dirname, "..", "fixtures", "programs");
const OPTIONS_PROGRAM = path.join(FIXTURES, "options", "index.ts");
const DIGEST = "sha256:" + "ab".repeat(32);

function byName(run: ProgramRun | RecordedResource[], name: string): LooseRecordedResource {
    const resources = Array.isArray(run) ? run : run.resources;
    const found = resources.find((r) => r.name === name);
    assert.ok(found, `no resource named ${name} among ${resources.map((r) => r.name).join(", ")}`);
    return found;
}

describe("offline harness: runProgram", function () {
    // On a loaded 2-core machine a program run can take tens of seconds.
    this.timeout(300_000);
    const devConfig = loadStackConfigFile(path.join(FIXTURES, "options", "Pulumi.dev.yaml"), "fixture");
    let dev: ProgramRun;
    before(async () => {
        dev = await runProgram({ program: OPTIONS_PROGRAM, stack: "dev", config: devConfig });
    });

    it("records resource options from the registration (L32 protect, L14 ignoreChanges, L13 timeouts)", () => {
        assert.deepEqual(byName(dev, "data").options, {
            dependsOn: [],
            protect: true,
            retainOnDelete: true,
            replaceOnChanges: ["spec.accessModes"],
        });
        assert.deepEqual(byName(dev, "migrate").options, {
            dependsOn: [],
            deleteBeforeReplace: true,
            customTimeouts: { create: "5m" },
        });
        assert.deepEqual(byName(dev, "web").options.ignoreChanges, ["spec.replicas"]);
    });

    it("reports dependsOn as the URNs of the listed resources, components included (L13)", () => {
        assert.deepEqual(byName(dev, "web").options.dependsOn, [byName(dev, "migrate").urn, byName(dev, "group").urn]);
    });

    it("builds URNs and parents like the engine: component chain in the type, root stack left out", () => {
        const map = byName(dev, "group-cm");
        assert.equal(map.urn, "urn:pulumi:dev::fixture::fixture:index:Group$kubernetes:core/v1:ConfigMap::group-cm");
        assert.equal(map.parent, byName(dev, "group").urn);
        assert.equal(byName(dev, "group").parent, "urn:pulumi:dev::fixture::pulumi:pulumi:Stack::fixture-dev");
    });

    it("loads the project name from Pulumi.yaml and config from the stack file, secure values as the marker", () => {
        assert.equal(byName(dev, "web").inputs.spec.replicas, 2);
        assert.deepEqual(byName(dev, "creds").inputs.stringData, { password: REDACTED });
        assert.equal(dev.stackOutputs.secretPassword, REDACTED);
        assert.deepEqual(dev.secretValues, [], "the marker itself is not a secret value");
    });

    it("gives auto-named objects a stand-in name: logical name + 8 hex of the URN (as long as the provider's random suffix) and the pulumi.com/autonamed annotation, explicit names kept", () => {
        assert.match(byName(dev, "web").outputs.metadata.name, /^web-[0-9a-f]{8}$/);
        assert.equal(byName(dev, "web").outputs.metadata.annotations["pulumi.com/autonamed"], "true");
        assert.equal(byName(dev, "creds").outputs.metadata.annotations?.["pulumi.com/autonamed"], undefined);
        assert.equal(dev.stackOutputs.deploymentName, byName(dev, "web").outputs.metadata.name);
        assert.equal(byName(dev, "creds").outputs.metadata.name, "creds");
        assert.equal(byName(dev, "web").inputs.metadata, undefined, "inputs stay what the program declared");
    });

    it("lists secret plain values and redacts secret exports when a secret is known", async () => {
        const config = withConfigOverrides(devConfig, { "fixture:password": secretConfig("correct-horse-battery") });
        const run = await runProgram({ program: OPTIONS_PROGRAM, stack: "dev", config });
        assert.deepEqual(run.secretValues, ["correct-horse-battery"]);
        assert.equal(run.stackOutputs.secretPassword, REDACTED);
        assert.equal(byName(run, "creds").inputs.stringData.password, "correct-horse-battery", "inputs are unwrapped");
        assert.ok(!JSON.stringify(run.stackOutputs).includes("correct-horse-battery"));
    });

    it("keeps runs apart: parallel runs of two stacks and an in-process recording in between", async () => {
        const qaConfig = withConfigOverrides(devConfig, { "fixture:app": { replicas: 5 } });
        const [qa, again, inProcess] = await Promise.all([
            runProgram({ program: OPTIONS_PROGRAM, stack: "qa", config: qaConfig }),
            runProgram({ program: OPTIONS_PROGRAM, stack: "dev", config: devConfig }),
            recordResources(() => {
                new k8s.core.v1.ConfigMap("solo", { data: { a: "b" } });
            }),
        ]);
        assert.equal(byName(qa, "web").inputs.spec.replicas, 5);
        assert.ok(qa.resources.length > 0 && qa.resources.every((r) => r.urn.startsWith("urn:pulumi:qa::fixture::")));
        assert.deepEqual(
            again.resources.map((r) => r.urn),
            dev.resources.map((r) => r.urn),
        );
        assert.equal(
            byName(again, "web").outputs.metadata.name,
            byName(dev, "web").outputs.metadata.name,
            "stand-in names are stable",
        );
        assert.deepEqual(
            inProcess.map((r) => r.type),
            ["pulumi:pulumi:Stack", "kubernetes:core/v1:ConfigMap"],
        );
    });

    it("rejects with ProgramError carrying the program's own message when it throws", async () => {
        await assert.rejects(
            runProgram({ program: path.join(FIXTURES, "throws", "index.ts"), stack: "dev" }),
            (err: Error) =>
                err instanceof ProgramError && /webstack:api\.port: must be between 1 and 65535/.test(err.message),
        );
    });

    it("[L22] reports what the program logged with pulumi.log.error before its failure, in order, and logged errors alone fail the run", async () => {
        await assert.rejects(
            recordResources(() => {
                reportingProblems("the fixture", () => {
                    throw new WebStackArgError([
                        { field: "a", problem: "is bad", got: 1, fix: "set a to 2" },
                        { field: "b", problem: "is worse", got: 2, fix: "set b to 3", lessons: ["L22"] },
                    ]);
                });
            }),
            (err: Error) => {
                assert.ok(err instanceof ProgramError, String(err));
                assert.deepEqual(err.message.split("\n"), [
                    "a: is bad (got 1). Fix: set a to 2",
                    "b: is worse (got 2). Fix: set b to 3 [L22]",
                    "the fixture: 2 problems, each reported above; nothing was deployed",
                ]);
                return true;
            },
        );
        await assert.rejects(
            recordResources(() => {
                void pulumi.log.error("logged, not thrown");
            }),
            (err: Error) => err instanceof ProgramError && err.message === "logged, not thrown",
        );
    });

    it("fails with the missing config key when the stack has no config", async () => {
        await assert.rejects(
            runProgram({ program: OPTIONS_PROGRAM, stack: "dev" }),
            /Missing required configuration variable 'fixture:app'/,
        );
    });

    it("answers registry lookups from a digest in the reference, and asks to pin a tag (L12, L17)", async () => {
        const registry = path.join(FIXTURES, "registry", "index.ts");
        const pinned = await runProgram({
            program: registry,
            stack: "dev",
            config: withConfigOverrides({ config: {}, secretKeys: [] }, { "project:image": `web@${DIGEST}` }),
        });
        assert.equal(pinned.stackOutputs.pinned, `web@${DIGEST}`);
        await assert.rejects(
            runProgram({
                program: registry,
                stack: "dev",
                config: withConfigOverrides({ config: {}, secretKeys: [] }, { "project:image": "web:main" }),
            }),
            // Names the config key that holds the tag (issue 11: `api.image` named in every image error).
            /: image: cannot know the digest of "web:main" offline .*Fix: pin it by digest \(pulumi config set --path image <repo>@sha256:<64 hex>\)/,
        );
    });

    it("hands invokes to the caller's handler first", async () => {
        const seen: string[] = [];
        const run = await runProgram({
            program: path.join(FIXTURES, "registry", "index.ts"),
            stack: "dev",
            config: withConfigOverrides({ config: {}, secretKeys: [] }, { "project:image": "web:main" }),
            invoke: (token, inputs) => {
                seen.push(`${token} ${String(inputs.name)}`);
                return { sha256Digest: DIGEST };
            },
        });
        assert.deepEqual(seen, ["docker:index/getRegistryImage:getRegistryImage web:main"]);
        assert.equal(run.stackOutputs.pinned, `web@${DIGEST}`);
    });
});

describe("offline harness: recordResources", () => {
    it("records components built in-process, with parent, protect inheritance and provider URN", async () => {
        const resources = await recordResources(() => {
            const provider = new k8s.Provider("cluster", { namespace: "shop" });
            const parent = new pulumi.ComponentResource("test:index:Box", "box", {}, { protect: true });
            new k8s.core.v1.PersistentVolumeClaim(
                "box-data",
                { spec: { accessModes: ["ReadWriteOnce"] } },
                { parent, provider },
            );
        });
        const claim = byName(resources, "box-data");
        assert.equal(claim.parent, byName(resources, "box").urn);
        assert.equal(claim.options.protect, true, "protect is inherited from the parent");
        assert.equal(claim.options.provider, byName(resources, "cluster").urn);
        assert.equal(
            claim.urn,
            "urn:pulumi:dev::webstack::test:index:Box$kubernetes:core/v1:PersistentVolumeClaim::box-data",
        );
    });

    it("names an auto-named ConfigMap after its data, so new data means a new name (rollout)", async () => {
        const nameFor = async (data: Record<string, string>) =>
            byName(await recordResources(() => void new k8s.core.v1.ConfigMap("conf", { data })), "conf").outputs
                .metadata.name;
        const first = await nameFor({ "nginx.conf": "a" });
        assert.match(first, /^conf-[0-9a-f]{8}$/);
        assert.equal(await nameFor({ "nginx.conf": "a" }), first);
        assert.notEqual(await nameFor({ "nginx.conf": "b" }), first);
    });

    it("marks engine-secret outputs (RandomPassword.result) secret with a deterministic stand-in", async () => {
        const random = await import("@pulumi/random");
        let exported: pulumi.Output<string> | undefined;
        const resources = await recordResources(() => {
            const password = new random.RandomPassword("redis-password", { length: 24, special: false });
            exported = password.result;
            new k8s.core.v1.Secret("redis", { stringData: { password: password.result } });
        });
        const result = byName(resources, "redis-password").outputs.result;
        assert.equal(result.length, 24);
        assert.equal(byName(resources, "redis").inputs.stringData.password, result);
        assert.equal(await pulumi.isSecret(exported!), true);
    });

    it("fails the recording when a registry lookup cannot be answered", async () => {
        await assert.rejects(
            recordResources(() => {
                const digest = docker.getRegistryImageOutput({ name: "ghcr.io/acme/api:main" }).sha256Digest;
                new k8s.core.v1.ConfigMap("pinned", { data: { digest } });
            }),
            (err: Error) =>
                err instanceof ProgramError &&
                /cannot know the digest of "ghcr\.io\/acme\/api:main" offline/.test(err.message),
        );
    });

    it("leaves the process's unhandledRejection listeners alone: its own sits beside them during a run and goes after", async () => {
        const mine = () => undefined;
        process.on("unhandledRejection", mine);
        try {
            const before = process.listeners("unhandledRejection");
            let during: NodeJS.UnhandledRejectionListener[] = [];
            await recordResources(() => {
                during = process.listeners("unhandledRejection");
            });
            assert.deepEqual(
                during.slice(0, before.length),
                before,
                "every listener there before is still there, in order",
            );
            assert.equal(during.length, before.length + 1);
            assert.deepEqual(process.listeners("unhandledRejection"), before);
        } finally {
            process.off("unhandledRejection", mine);
        }
    });
});

describe("offline harness: registrations matched to mock calls", () => {
    const request = (type: string, name: string, parent: string) =>
        ({ getType: () => type, getName: () => name, getParent: () => parent }) as unknown as Parameters<
            PendingRequests["add"]
        >[0];

    it("by type and name, first in first out for the same pair, and a call with no registration is an error", () => {
        const pending = new PendingRequests();
        const [first, second, other] = [
            request("k8s:ConfigMap", "conf", "a"),
            request("k8s:ConfigMap", "conf", "b"),
            request("k8s:Secret", "conf", "a"),
        ];
        pending.add(first);
        pending.add(other);
        pending.add(second);
        assert.equal(pending.take("k8s:Secret", "conf"), other);
        assert.equal(pending.take("k8s:ConfigMap", "conf"), first);
        assert.equal(pending.take("k8s:ConfigMap", "conf"), second);
        assert.throws(
            () => pending.take("k8s:ConfigMap", "conf"),
            /the mock was asked for k8s:ConfigMap::conf, which the monitor never received/,
        );
    });

    it("two children of the same type and name under different parents keep their own parent and options", async () => {
        const resources = await recordResources(() => {
            const a = new pulumi.ComponentResource("test:index:A", "a", {});
            const b = new pulumi.ComponentResource("test:index:B", "b", {}, { protect: true });
            new k8s.core.v1.ConfigMap("same", { data: { from: "a" } }, { parent: a });
            new k8s.core.v1.ConfigMap("same", { data: { from: "b" } }, { parent: b, ignoreChanges: ["data"] });
        });
        const same = resources
            .filter((r) => r.name === "same")
            .map((r: LooseRecordedResource) => [
                r.parent,
                r.inputs.data.from,
                r.options.protect,
                r.options.ignoreChanges,
            ]);
        assert.deepEqual(same, [
            [byName(resources, "a").urn, "a", undefined, undefined],
            [byName(resources, "b").urn, "b", true, ["data"]],
        ]);
    });
});
