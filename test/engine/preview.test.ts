/**
 * `pulumi preview --policy-pack` for real: the CLI built from pkg/v3, the kubernetes provider in render mode,
 * the pack loaded by the CLI (see engine.ts for how the program and the pack are started without the Node.js
 * language host). Policy violations are read from the CLI's own text output: `--json` leaves them out.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runPolicies } from "../../offline/policy-runner";
import { runProgram } from "../../offline/run-program";
import { loadStackConfigFile, withConfigOverrides } from "../../offline/stack-config";
import { EngineStack, policyPack, programFrom, ROOT, stepName } from "./engine";
import { printedViolations } from "./policy-output";

const FIXTURES = path.join(__dirname, "fixtures");

/** `[mandatory] [severity: high]  webstack v0.1.0  images-digest-pinned (...)` lines of the CLI's "Policies:" section (severity from policy/catalog.ts). */
function reportedPolicies(output: string): { level: string; name: string }[] {
    const found: { level: string; name: string }[] = [];
    for (const match of output.matchAll(
        /\[(mandatory|advisory|remediate)\](?:\s+\[severity: [a-z]+\])?\s+(?:\S+\s+v[\d.]+\s+)?([a-z0-9-]+)\s/g,
    )) {
        found.push({ level: match[1], name: match[2] });
    }
    return found;
}

/** `<level> <policy> <type>::<name>` of every "can't run policy ... during preview" the CLI printed, sorted. */
function cantRunDuringPreview(output: string): string[] {
    return printedViolations(output)
        .filter((v) => v.text.startsWith("can't run policy"))
        .map((v) => `${v.level} ${v.policy} ${v.type}::${v.name}`)
        .sort();
}

function policiesAt(output: string, level: string): string[] {
    return [
        ...new Set(
            reportedPolicies(output)
                .filter((p) => p.level === level)
                .map((p) => p.name),
        ),
    ].sort();
}

/** What `npm run check -- --stack <s> --json` reports, with the engine's settings (no registry lookups). */
function checkReport(stack: string): {
    resources: number;
    objects: number;
    violations: { policyName?: string; level?: string }[];
} {
    const out = execFileSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "offline/check.ts", "--stack", stack, "--json"],
        {
            cwd: ROOT,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        },
    );
    return JSON.parse(out);
}

describe("engine: pulumi preview --policy-pack of the webstack stacks", function () {
    this.timeout(600_000);

    for (const stackName of ["dev", "qa"]) {
        it(`[L12, L22] ${stackName}: preview with the pack succeeds, 0 mandatory violations, the engine counts the resources npm run check counts`, async () => {
            const stack = await EngineStack.create({ stack: stackName });
            try {
                const text = await stack.withProgram(["preview", "--policy-pack", policyPack()]);
                assert.deepEqual(policiesAt(text.stdout, "mandatory"), [], text.stdout);
                assert.doesNotMatch(text.stdout + text.stderr, /error:|can't run policy|cannot run policy/i);

                const { digest } = await stack.previewJson(["--policy-pack", policyPack()]);
                // The engine's summary leaves out the default providers it creates, which the mock runtime of
                // `npm run check` never registers either: stack, components, the docker provider, objects.
                const created = digest.steps.filter((s) => s.op === "create").map(stepName);
                assert.ok(created.includes(`pulumi:pulumi:Stack::webstack-${stackName}`));
                assert.equal(digest.changeSummary?.create, created.length);
                assert.equal(created.length, checkReport(stackName).resources);
            } finally {
                stack.remove();
            }
        });
    }

    describe("[L12, L30, L03] a hand-written program with a mutable tag, a privileged pod and an RWO claim shared by 3 replicas", () => {
        const BROKEN = [
            "images-digest-pinned",
            "pod-security-baseline",
            "pod-security-restricted",
            "rwo-volume-single-replica",
        ];
        let stack: EngineStack;
        before(async () => {
            stack = await EngineStack.create({
                stack: "bad",
                configFile: path.join(FIXTURES, "Pulumi.bad.yaml"),
                program: programFrom(path.join(FIXTURES, "bad-program.ts")),
            });
        });
        after(() => stack?.remove());

        it("fails the preview, naming each mandatory policy it breaks", async () => {
            const result = await stack.withProgram(["preview", "--policy-pack", policyPack()], { allowFailure: true });
            assert.notEqual(result.code, 0, result.stdout);
            assert.deepEqual(policiesAt(result.stdout, "mandatory"), BROKEN, result.stdout);
        });

        it("--policy-pack-config turning pod-security-baseline to advisory reports it as advisory; the other three still fail the preview", async () => {
            const config = path.join(stack.dir, "one-advisory.json");
            fs.writeFileSync(config, JSON.stringify({ "pod-security-baseline": "advisory" }));
            const result = await stack.withProgram(
                ["preview", "--policy-pack", policyPack(), "--policy-pack-config", config],
                { allowFailure: true },
            );
            assert.notEqual(result.code, 0, result.stdout);
            assert.deepEqual(
                policiesAt(result.stdout, "mandatory"),
                BROKEN.filter((name) => name !== "pod-security-baseline"),
                result.stdout,
            );
            assert.ok(policiesAt(result.stdout, "advisory").includes("pod-security-baseline"), result.stdout);
        });

        it("--policy-pack-config turning all four to advisory lets the preview pass, the four reported as advisory", async () => {
            const config = path.join(stack.dir, "all-advisory.json");
            fs.writeFileSync(config, JSON.stringify(Object.fromEntries(BROKEN.map((name) => [name, "advisory"]))));
            const result = await stack.withProgram([
                "preview",
                "--policy-pack",
                policyPack(),
                "--policy-pack-config",
                config,
            ]);
            assert.deepEqual(policiesAt(result.stdout, "mandatory"), [], result.stdout);
            const advisory = policiesAt(result.stdout, "advisory");
            for (const name of BROKEN) {
                assert.ok(advisory.includes(name), `${name} not reported as advisory:\n${result.stdout}`);
            }
        });
    });

    describe("[L12, L17] a brand-new stack's first preview: values unknown until apply", () => {
        it("webstack dev: the random Redis password and other outputs are unknown, yet no policy crashes or reports a violation", async () => {
            const stack = await EngineStack.create({ stack: "dev" });
            try {
                const result = await stack.withProgram(["preview", "--policy-pack", policyPack()]);
                // The unknowns are really there: the Redis password is created by this very preview.
                const { digest } = await stack.previewJson();
                assert.ok(
                    digest.steps.some(
                        (s) => s.op === "create" && s.urn.includes("random:index/randomPassword:RandomPassword"),
                    ),
                );
                assert.deepEqual(policiesAt(result.stdout, "mandatory"), [], result.stdout);
                assert.doesNotMatch(
                    result.stdout + result.stderr,
                    /Error validating resource|error:/i,
                    result.stdout + result.stderr,
                );
            } finally {
                stack.remove();
            }
        });

        it("[L17] webstack dev with api.build: the pushed digest is unknown until up; the policies that read the API image can't run (advisory), none fails — and the mock harness's preview mode reports exactly the same", async () => {
            const buildConfig = path.join(ROOT, "test", "fixtures", "stacks", "build", "Pulumi.dev.yaml");
            const stack = await EngineStack.create({ stack: "dev", configFile: buildConfig });
            try {
                // The docker stand-in refuses to build (see standins/provider.ts): a preview never asks it to.
                const result = await stack.withProgram(["preview", "--policy-pack", policyPack()]);
                assert.deepEqual(policiesAt(result.stdout, "mandatory"), [], result.stdout);
                const engine = cantRunDuringPreview(result.stdout);
                assert.ok(
                    engine.some((r) =>
                        r.startsWith("advisory images-digest-pinned kubernetes:apps/v1:Deployment::north-api"),
                    ),
                    result.stdout,
                );

                const config = withConfigOverrides(loadStackConfigFile(buildConfig, "webstack"), {
                    "webstack:verifyImageDigests": false,
                });
                const mock = await runPolicies(
                    (await runProgram({ program: path.join(ROOT, "index.ts"), stack: "dev", config, preview: true }))
                        .resources,
                );
                assert.deepEqual(
                    mock
                        .filter((v) => v.message.startsWith("can't run"))
                        .map((v) => `${v.level} ${v.policy} ${v.resource}`)
                        .sort(),
                    engine,
                );
            } finally {
                stack.remove();
            }
        });

        it("an unknown that hides a mutable tag is reported as advisory (can't run during preview), and as mandatory once known", async () => {
            const stack = await EngineStack.create({
                stack: "unknown",
                configFile: path.join(FIXTURES, "Pulumi.unknown.yaml"),
                program: programFrom(path.join(FIXTURES, "unknown-tag-program.ts")),
            });
            try {
                const first = await stack.withProgram(["preview", "--policy-pack", policyPack()]);
                assert.deepEqual(policiesAt(first.stdout, "mandatory"), [], first.stdout);
                assert.ok(policiesAt(first.stdout, "advisory").includes("images-digest-pinned"), first.stdout);
                assert.match(first.stdout, /can't run policy 'images-digest-pinned'[^\n]*during preview/);

                // Apply without the pack (as a stack that existed before the pack would have), then preview again.
                await stack.withProgram(["up", "--yes"]);
                const known = await stack.withProgram(["preview", "--policy-pack", policyPack()], {
                    allowFailure: true,
                });
                assert.notEqual(known.code, 0, known.stdout);
                assert.deepEqual(policiesAt(known.stdout, "mandatory"), ["images-digest-pinned"], known.stdout);
            } finally {
                stack.remove();
            }
        });
    });
});
