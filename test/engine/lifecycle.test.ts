/**
 * The dev stack through its life under the real engine, in render mode: `pulumi up`, the rollouts it plans,
 * its secrets, drift, and `pulumi destroy` against protect. The `it`s run in order on one stack (each CLI run
 * costs tens of seconds on this machine); every one that changes config puts it back.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { startDiscoveryOnlyApiServer } from "./discovery-only-api-server";
import { changesOf, CliResult, EngineStack, policyPack, PreviewStep, ROOT } from "./engine";

const DATABASE_URL = "postgres://north:s3cr3t-engine-test-value@db.internal:5432/north";
const NEW_API_DIGEST = "sha256:" + "1".repeat(64);

interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [k: string]: unknown };
    [k: string]: unknown;
}

function readObjects(dir: string): K8sObject[] {
    const files: string[] = [];
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else if (entry.name.endsWith(".yaml")) {
                files.push(full);
            }
        }
    };
    walk(dir);
    return files.flatMap((f) =>
        YAML.parseAllDocuments(fs.readFileSync(f, "utf8"))
            .map((d) => d.toJS())
            .filter(Boolean),
    );
}

const key = (o: K8sObject, name = o.metadata.name) => `${o.kind}/${o.metadata.namespace ?? ""}/${name}`;

describe("engine: the dev stack through pulumi up, rollouts, secrets, drift and destroy (render mode)", function () {
    this.timeout(900_000);
    let stack: EngineStack;
    let up: CliResult;
    let committedStackFile: string;

    before(async () => {
        stack = await EngineStack.create({ stack: "dev" });
        await stack.cli([
            "config",
            "set",
            "--secret",
            "--path",
            "apiSecrets.DATABASE_URL",
            DATABASE_URL,
            "--stack",
            "dev",
        ]);
        committedStackFile = fs.readFileSync(stack.stackFile, "utf8");
        up = await stack.withProgram(["up", "--yes", "--policy-pack", policyPack()]);
    });
    after(() => stack?.remove());

    /** Runs `body` with the stack's config as it was after `up`, restoring the file afterwards. */
    async function withConfigChange<T>(args: string[][], body: () => Promise<T>): Promise<T> {
        try {
            for (const a of args) {
                await stack.cli(["config", "set", ...a, "--stack", "dev"]);
            }
            return await body();
        } finally {
            fs.writeFileSync(stack.stackFile, committedStackFile);
        }
    }

    it("[L22] pulumi up of dev renders one YAML file per object; they equal npm run check -- --out object for object, apart from the names the check stands in for", () => {
        const rendered = readObjects(stack.renderDir);
        const checkOut = path.join(stack.dir, "check-out");
        execFileSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                "offline/check.ts",
                "--stack",
                "dev",
                "--config",
                stack.stackFile,
                "--out",
                checkOut,
            ],
            { cwd: ROOT, stdio: "pipe" },
        );
        const checked = readObjects(checkOut);
        assert.equal(rendered.length, checked.length);

        // Which names differ, and why: the objects the program leaves unnamed (the nginx and Redis ConfigMaps, the
        // Redis Secret, the migration Job: replaced, not updated, when their content changes). The provider names
        // them `<logical name>-<8 random hex>` and marks them pulumi.com/autonamed; the check stands in
        // `<logical name>-<8 hex of a hash>` with the same mark, so its output does not change from run to run.
        // References to them (volumes, secretKeyRef) differ with them. Nothing else may differ.
        const autoNamed = (o: K8sObject) =>
            (o.metadata.annotations as Record<string, string> | undefined)?.["pulumi.com/autonamed"] === "true";
        const logical = (name: string) => name.replace(/-[0-9a-f]{8}$/, "");
        const renames = new Map<string, string>();
        for (const o of rendered) {
            const twin = checked.find(
                (c) =>
                    c.kind === o.kind &&
                    c.metadata.namespace === o.metadata.namespace &&
                    (c.metadata.name === o.metadata.name ||
                        (autoNamed(c) && autoNamed(o) && logical(c.metadata.name) === logical(o.metadata.name))),
            );
            assert.ok(twin, `rendered ${key(o)} has no counterpart in npm run check --out`);
            if (twin.metadata.name !== o.metadata.name) {
                renames.set(o.metadata.name, twin.metadata.name);
            }
        }
        assert.deepEqual(
            [...renames.keys()].map(logical).sort(),
            rendered
                .filter(autoNamed)
                .map((o) => logical(o.metadata.name))
                .sort(),
            "exactly the auto-named objects have stand-in names",
        );

        const normalise = (o: K8sObject): unknown => {
            let text = JSON.stringify(o);
            for (const [from, to] of renames) {
                text = text.split(`"${from}"`).join(`"${to}"`);
            }
            const copy = JSON.parse(text);
            // The check redacts Secret data (it never decrypts the stack's secrets); render mode writes it in plain text.
            if (o.kind === "Secret") {
                for (const k of Object.keys(copy.data ?? {})) copy.data[k] = "<secret>";
            }
            return copy;
        };
        const byKey = new Map(checked.map((c) => [key(c), c]));
        for (const o of rendered) {
            const twin = byKey.get(key(o, renames.get(o.metadata.name) ?? o.metadata.name))!;
            assert.deepEqual(normalise(o), normalise(twin), `${key(o)} differs`);
        }
    });

    it("[L12, L13] a new API digest in config: the engine plans exactly an update of the API Deployment and a replace of the migration Job", async () => {
        const image = (YAML.parse(committedStackFile).config["webstack:api"].image as string).replace(
            /sha256:[0-9a-f]{64}$/,
            NEW_API_DIGEST,
        );
        const { digest } = await withConfigChange([["--path", "api.image", image]], () => stack.previewJson());
        const planned = changesOf(digest.steps).filter((c) => !c.includes("pulumi:pulumi:Stack"));
        assert.deepEqual(
            planned.map((c) => c.replace(/::.*/, "")),
            ["replace kubernetes:batch/v1:Job", "update kubernetes:apps/v1:Deployment"],
            planned.join("\n"),
        );
        assert.match(
            planned.find((c) => c.startsWith("update"))!,
            /::north-api$/,
        );
        assert.match(
            planned.find((c) => c.startsWith("replace"))!,
            /migrat/,
        );
    });

    it("[L07, L08] an nginx config change: a new ConfigMap and an update of the site Deployment, nothing else", async () => {
        const { digest } = await withConfigChange(
            [["--path", "site.corsOrigins[0]", "https://north.example.test"]],
            () => stack.previewJson(),
        );
        const planned = changesOf(digest.steps).filter((c) => !c.includes("pulumi:pulumi:Stack"));
        assert.deepEqual(
            planned.map((c) => c.replace(/::.*/, "")),
            ["replace kubernetes:core/v1:ConfigMap", "update kubernetes:apps/v1:Deployment"],
            planned.join("\n"),
        );
        assert.match(
            planned.find((c) => c.startsWith("update"))!,
            /::north-site$/,
        );
    });

    it("[L14] the same config again: the engine plans no change (pulumi preview --expect-no-changes exits 0)", async () => {
        const result = await stack.withProgram(["preview", "--expect-no-changes", "--json"]);
        assert.deepEqual(changesOf(JSON.parse(result.stdout).steps), []);
    });

    it("[L19] pulumi config set --secret: encrypted in Pulumi.dev.yaml and in the state file, in no CLI output; render mode writes it in plain text", async () => {
        const stackFile = fs.readFileSync(stack.stackFile, "utf8");
        assert.ok(!stackFile.includes(DATABASE_URL) && !stackFile.includes("s3cr3t"));
        assert.match(stackFile, /DATABASE_URL:\s*\n\s*secure: v1:/);

        // Every file of the backend: the stack's checkpoint, its .bak, history and backups.
        const stateFiles = readFilesUnder(path.join(stack.dir, "state"));
        const redisPassword = secretValueRendered(stack.renderDir, "north-redis");
        for (const [file, text] of stateFiles) {
            for (const secret of [DATABASE_URL, redisPassword]) {
                assert.ok(!text.includes(secret), `${file} holds a secret in plain text`);
                assert.ok(!text.includes(Buffer.from(secret).toString("base64")), `${file} holds a secret in base64`);
            }
        }
        // The checkpoint holds both, encrypted: the API Secret's DATABASE_URL and the Redis password.
        const checkpoint = stateFiles.find(([file]) =>
            file.endsWith(path.join(".pulumi", "stacks", "webstack", "dev.json")),
        );
        assert.ok(checkpoint, `no checkpoint among ${stateFiles.map(([f]) => f).join(", ")}`);
        const resources: any[] = JSON.parse(checkpoint[1]).checkpoint.latest.resources;
        const encrypted = (urnSuffix: string, field: (r: any) => unknown) => {
            const r = resources.find((x) => x.urn.endsWith(urnSuffix));
            assert.ok(r, `no ${urnSuffix} in the checkpoint`);
            const value: any = field(r);
            assert.equal(
                value?.["4dabf18193072939515e22adb298388d"],
                "1b47061264138c4ac30d75fd1eb44270",
                `${urnSuffix}: not a secret`,
            );
            assert.equal(typeof value.ciphertext, "string", `${urnSuffix}: not encrypted`);
        };
        encrypted("kubernetes:core/v1:Secret::north-api", (r) => r.inputs.data);
        encrypted("random:index/randomPassword:RandomPassword::north-redis", (r) => r.outputs.result);
        const preview = await stack.withProgram(["preview", "--diff"]);
        for (const output of [up.stdout, up.stderr, preview.stdout, preview.stderr]) {
            assert.ok(!output.includes(DATABASE_URL) && !output.includes(redisPassword));
        }
        // The documented exception: render mode writes Secret data in plain text, here inside the temp dir.
        assert.ok(stack.renderDir.startsWith(stack.dir));
        assert.ok(
            secretValues(stack.renderDir).includes(DATABASE_URL),
            "render mode was expected to write the Secret in plain text",
        );
    });

    it("[L14] drift: pulumi preview --refresh --expect-no-changes exits 0 unchanged, non-zero after a change behind Pulumi's back, and drift-report names the resource", async () => {
        // Refresh needs a cluster the provider can reach, even in render mode (see discovery-only-api-server.ts):
        // KUBECONFIG, not provider config, so the default provider itself stays unchanged.
        const apiServer = await startDiscoveryOnlyApiServer(stack.dir);
        try {
            const driftJob = ["preview", "--refresh", "--expect-no-changes", "--json", "--policy-pack", policyPack()];
            const env = { KUBECONFIG: apiServer.kubeconfig };
            const clean = await stack.withProgram(driftJob, { env, allowFailure: true });
            assert.equal(clean.code, 0, clean.stdout + clean.stderr);
            assert.ok(
                JSON.parse(clean.stdout).steps.some((s: PreviewStep) => s.op === "refresh"),
                "the preview did not refresh",
            );

            // As if someone ran `kubectl scale --replicas=5` on the API Deployment and a refresh read it back.
            const state = await stack.exportState();
            const api = state.deployment.resources.find(
                (r: any) => r.type === "kubernetes:apps/v1:Deployment" && r.urn.endsWith("::north-api"),
            );
            assert.ok(api, "no north-api Deployment in the state");
            api.inputs.spec.replicas = 5;
            api.outputs.spec.replicas = 5;
            await stack.importState(state);

            const drifted = await stack.withProgram(driftJob, { env, allowFailure: true });
            assert.notEqual(drifted.code, 0);
            const planned = changesOf(JSON.parse(drifted.stdout).steps).filter((c) => !c.startsWith("refresh "));
            assert.deepEqual(planned, ["update kubernetes:apps/v1:Deployment::north-api"]);
            const previewFile = path.join(stack.dir, "preview.json");
            fs.writeFileSync(previewFile, drifted.stdout);
            const report = spawnSync(
                process.execPath,
                [
                    "-r",
                    "ts-node/register/transpile-only",
                    "scripts/drift-report.ts",
                    "--stack",
                    "dev",
                    "--preview-exit-code",
                    String(drifted.code),
                    previewFile,
                ],
                { cwd: ROOT, encoding: "utf8" },
            );
            assert.equal(report.status, 1, report.stdout + report.stderr);
            assert.match(report.stderr, /update kubernetes:apps\/v1:Deployment "north-api": spec\.replicas/);
            assert.match(
                report.stdout,
                /::error title=Drift in dev::update kubernetes:apps\/v1:Deployment north-api: spec\.replicas/,
            );
        } finally {
            await apiServer.close();
        }
        // The provider asked for discovery only: no object was read from, or written to, a server.
        assert.deepEqual(apiServer.refused, []);
    });

    it("[L32] protect: pulumi destroy fails on the content PVC until it is unprotected", async () => {
        const refused = await stack.cli(["destroy", "--yes", "--stack", "dev"], { allowFailure: true });
        assert.notEqual(refused.code, 0);
        const state = await stack.exportState();
        const protectedUrns: string[] = state.deployment.resources.filter((r: any) => r.protect).map((r: any) => r.urn);
        const content = protectedUrns.find((u) => u.includes("PersistentVolumeClaim") && u.includes("content"));
        assert.ok(content, `no protected content PVC among ${protectedUrns.join(", ")}`);
        assert.match(refused.stdout + refused.stderr, /protect/i);
        assert.ok(
            (refused.stdout + refused.stderr).includes(content.split("::").pop()!),
            refused.stdout + refused.stderr,
        );
        // Nothing was deleted: the refusal came before any step.
        assert.equal((await stack.exportState()).deployment.resources.length, state.deployment.resources.length);

        for (const urn of protectedUrns) {
            await stack.cli(["state", "unprotect", urn, "--yes", "--stack", "dev"]);
        }
        await stack.cli(["destroy", "--yes", "--stack", "dev"]);
        assert.deepEqual(readObjects(stack.renderDir), []);
    });
});

function readFilesUnder(dir: string): [string, string][] {
    const out: [string, string][] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
        const full = path.join(entry.parentPath, entry.name);
        if (entry.isFile()) out.push([full, fs.readFileSync(full, "utf8")]);
    }
    return out;
}

/** Every value of every rendered Secret, decoded. */
function secretValues(renderDir: string): string[] {
    return readObjects(renderDir)
        .filter((o) => o.kind === "Secret")
        .flatMap((o: any) => [
            ...Object.values<string>(o.stringData ?? {}),
            ...Object.values<string>(o.data ?? {}).map((v) => Buffer.from(v, "base64").toString()),
        ]);
}

/** The single value of the rendered Secret whose name starts with `prefix`. */
function secretValueRendered(renderDir: string, prefix: string): string {
    const secret: any = readObjects(renderDir).find(
        (o) => o.kind === "Secret" && o.metadata.name.startsWith(prefix) && !o.metadata.name.includes("api"),
    );
    assert.ok(secret, `no rendered Secret ${prefix}*`);
    const values = [
        ...Object.values<string>(secret.stringData ?? {}),
        ...Object.values<string>(secret.data ?? {}).map((v) => Buffer.from(v, "base64").toString()),
    ];
    assert.equal(values.length, 1);
    return values[0];
}
