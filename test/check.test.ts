import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { fileNameFor } from "../offline/out-files";
import { runProgram } from "../offline/run-program";
import { validateKubernetesObject } from "../offline/schema";
import { loadStackConfigFile } from "../offline/stack-config";
import { CheckRun, checkInProcess, checkProcess, npmCheck } from "./support/check";

const FIXTURES = path.join(__dirname, "fixtures", "programs");
const fixture = (name: string) => path.join(FIXTURES, name, "index.ts");

/** The check in this process; the tests about the command as a process use checkProcess and npmCheck. */
function check(...args: string[]): Promise<CheckRun> {
    return checkInProcess(args);
}

function parseJson(run: CheckRun): { status: number | null; report: any; stderr: string } {
    let report: any;
    assert.doesNotThrow(
        () => (report = JSON.parse(run.stdout)),
        `stdout must be one JSON object, got: ${run.stdout}\n${run.stderr}`,
    );
    return { status: run.status, report, stderr: run.stderr };
}

async function checkJson(...args: string[]): Promise<{ status: number | null; report: any; stderr: string }> {
    return parseJson(await check(...args, "--json"));
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "check-out-"));
}

function readDir(dir: string): Map<string, string> {
    return new Map(
        fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".yaml"))
            .sort()
            .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]),
    );
}

describe("npm run check (issue 4)", function () {
    this.timeout(300_000);

    describe("our stacks", () => {
        // dev: the README's first command, through npm in its own process; qa in this process.
        const runs: Record<string, (out: string) => Promise<CheckRun>> = {
            dev: (out) => Promise.resolve(npmCheck(["--stack", "dev", "--out", out, "--json"])),
            qa: (out) => check("--stack", "qa", "--out", out, "--json"),
        };
        for (const [stack, run] of Object.entries(runs)) {
            it(`pass on stack ${stack}: no mandatory violation, no schema error, every object rendered`, async () => {
                const out = tempDir();
                const { status, report, stderr } = parseJson(await run(out));
                assert.deepEqual(report.schemaErrors, [], stderr);
                assert.deepEqual(
                    report.violations.filter((v: any) => v.level === "mandatory"),
                    [],
                );
                assert.equal(status, 0, stderr);
                const rendered = readDir(out);
                assert.equal(rendered.size, report.objects);
                for (const [file, text] of rendered) {
                    assert.deepEqual(validateKubernetesObject(YAML.parse(text, { version: "1.1" })), [], file);
                }
            });
        }
    });

    it("passes a compliant program: exit 0, summary line with counts, exactly the contract's JSON fields", async () => {
        const human = await check("--program", fixture("compliant"));
        assert.equal(human.status, 0, human.stdout + human.stderr);
        assert.equal(
            human.stdout,
            "check dev: 8 resources, 6 Kubernetes objects; 0 schema errors, 0 mandatory and 0 advisory violations: PASS\n",
        );
        const { status, report } = await checkJson("--program", fixture("compliant"), "--skip-type-check");
        assert.equal(status, 0);
        assert.deepEqual(Object.keys(report), [
            "stack",
            "source",
            "resources",
            "objects",
            "violations",
            "schemaErrors",
            "unchecked",
            "redactedSecrets",
            "notes",
        ]);
        assert.deepEqual(report, {
            stack: "dev",
            source: "test/fixtures/programs/compliant/index.ts",
            resources: 8,
            objects: 6,
            violations: [],
            schemaErrors: [],
            unchecked: [],
            redactedSecrets: 0,
            notes: [],
        });
    });

    it("exits 1 on mandatory violations and names policy and lessons (L12 mutable tag, L32 unprotected PVC)", async () => {
        const human = await check("--program", fixture("violation"), "--skip-type-check");
        assert.equal(human.status, 1);
        assert.match(
            human.stdout,
            /^mandatory +images-digest-pinned \[L12, L28\] kubernetes:apps\/v1:Deployment::web: .*nginx-unprivileged:1\.27.* is not pinned by digest/m,
        );
        assert.match(
            human.stdout,
            /^mandatory +pvc-protected \[L32\] kubernetes:core\/v1:PersistentVolumeClaim::uploads: /m,
        );
        assert.match(
            human.stdout.trimEnd().split("\n").pop()!,
            /^check dev: 4 resources, 3 Kubernetes objects; 0 schema errors, 2 mandatory and 1 advisory violation: FAIL$/,
        );
        const { report } = await checkJson("--program", fixture("violation"), "--skip-type-check");
        assert.deepEqual(
            report.violations
                .filter((v: any) => v.level === "mandatory")
                .map((v: any) => [v.policy, v.lessons, v.resource]),
            [
                ["images-digest-pinned", ["L12", "L28"], "kubernetes:apps/v1:Deployment::web"],
                ["pvc-protected", ["L32"], "kubernetes:core/v1:PersistentVolumeClaim::uploads"],
            ],
        );
    });

    it("applies --policy-config enforcement levels (same JSON as pulumi preview --policy-pack-config)", async () => {
        const dir = tempDir();
        const relaxed = path.join(dir, "relaxed.json");
        fs.writeFileSync(
            relaxed,
            JSON.stringify({ "images-digest-pinned": "advisory", "pvc-protected": { enforcementLevel: "disabled" } }),
        );
        const { status, report } = await checkJson(
            "--program",
            fixture("violation"),
            "--policy-config",
            relaxed,
            "--skip-type-check",
        );
        assert.equal(status, 0);
        assert.deepEqual(report.violations.find((v: any) => v.policy === "images-digest-pinned")?.level, "advisory");
        assert.equal(
            report.violations.some((v: any) => v.policy === "pvc-protected"),
            false,
        );
    });

    it("exits 1 on schema-invalid objects with resource and field path, even when every policy passes", async () => {
        const { status, report } = await checkJson("--program", fixture("invalid"), "--skip-type-check");
        assert.equal(status, 1);
        assert.deepEqual(
            report.violations.filter((v: any) => v.level === "mandatory"),
            [],
        );
        const file = "test/fixtures/programs/invalid/index.ts";
        assert.deepEqual(report.schemaErrors, [
            { resource: "kubernetes:apps/v1:Deployment::web", message: "spec.replicas: must be integer", file },
            {
                resource: "kubernetes:core/v1:Service::web",
                message: `metadata.name: "Web_Front" is not a DNS-1123 label (lower case, digits, '-', ≤ 63)`,
                file,
            },
        ]);
        assert.match(
            (await check("--program", fixture("invalid"), "--skip-type-check")).stdout,
            /^schema +kubernetes:apps\/v1:Deployment::web: spec\.replicas: must be integer \(test\/fixtures\/programs\/invalid\/index\.ts\)$/m,
        );
    });

    it("exits 2 with the program's own message when the program throws: {error, fix} on stdout under --json, a crash not a usage error", async () => {
        const run = await check("--program", fixture("throws"), "--json", "--skip-type-check");
        assert.equal(run.status, 2);
        assert.deepEqual(JSON.parse(run.stdout), {
            error: "the program failed (it threw while running under the offline mocks): webstack:api.port: must be between 1 and 65535 (got 0)",
            fix: "set a real port [L18]",
        });
        assert.match(
            run.stderr,
            /^check: the program failed \(it threw while running under the offline mocks\): webstack:api\.port: must be between 1 and 65535 \(got 0\)\nFix: set a real port \[L18\]$/m,
        );
        assert.doesNotMatch(run.stderr, /usage error/);
    });

    it("exits 2 on usage errors, naming the bad argument and the fix (a usage error, not a program failure)", async () => {
        const cases: Array<[string[], RegExp]> = [
            [["--bogus"], /usage error: unknown flag --bogus\./],
            [["--stak", "qa"], /usage error: unknown flag --stak\. Did you mean --stack\?/],
            [["--stack"], /usage error: .*--stack/],
            [
                ["--format", "xml"],
                /usage error: --format xml: not a format\nFix: use one of text, json, sarif, markdown, github/,
            ],
            [["--program", "nope/index.ts"], /usage error: --program nope\/index\.ts: no such file/],
            [
                ["--program", fixture("compliant"), "--config", "nope.yaml"],
                /usage error: --config nope\.yaml: no such file/,
            ],
            [
                ["--program", fixture("compliant"), "--policy-config", fixture("compliant")],
                /usage error: --policy-config .* is not valid JSON/,
            ],
        ];
        for (const [args, message] of cases) {
            const run = await check(...args);
            assert.equal(run.status, 2, args.join(" "));
            assert.match(run.stderr, message);
            assert.doesNotMatch(run.stderr, /the program failed/);
        }
    });

    it("exits 2 when the policy config does not fit the pack, naming the key and the fix", async () => {
        const bad = path.join(tempDir(), "bad.json");
        fs.writeFileSync(bad, JSON.stringify({ "pvc-protected": "strict" }));
        const run = await check(
            "--program",
            fixture("compliant"),
            "--policy-config",
            bad,
            "--json",
            "--skip-type-check",
        );
        assert.equal(run.status, 2);
        assert.match(JSON.parse(run.stdout).fix, /^use one of advisory, mandatory, remediate, disabled/);
        assert.match(
            run.stderr,
            /^check: input error: --policy-config .*bad\.json: policy pack config "pvc-protected": "strict" is not a valid enforcement level\nFix: use one of advisory, mandatory, remediate, disabled/m,
        );
    });

    it("--out writes one applyable, schema-valid YAML per object, byte-identical across runs, diffs on change", async () => {
        const out = tempDir();
        assert.equal((await check("--program", fixture("compliant"), "--out", out, "--skip-type-check")).status, 0);
        const first = readDir(out);
        assert.deepEqual(
            [...first.keys()].map((f) => f.replace(/-[0-9a-f]{8}\.yaml$/, "")),
            [
                "shop-configmap-settings",
                "shop-deployment-web",
                "shop-networkpolicy-web",
                "shop-route-web",
                "shop-secret-app-secrets",
                "shop-service-web",
            ],
        );
        for (const [file, text] of first) {
            const docs = YAML.parseAllDocuments(text, { version: "1.1" });
            assert.equal(docs.length, 1, file);
            const obj = docs[0].toJS();
            assert.equal(fileNameFor(obj), file);
            assert.deepEqual(validateKubernetesObject(obj), [], file);
        }
        assert.equal((await check("--program", fixture("compliant"), "--out", out, "--skip-type-check")).status, 0);
        assert.deepEqual(readDir(out), first, "same program and config, same bytes");

        const canary = path.join(FIXTURES, "compliant", "Pulumi.qa.yaml");
        assert.equal(
            (await check("--program", fixture("compliant"), "--config", canary, "--out", out, "--skip-type-check"))
                .status,
            0,
        );
        const qa = readDir(out);
        const changed = [...new Set([...first.keys(), ...qa.keys()])].filter((f) => first.get(f) !== qa.get(f));
        assert.equal(changed.length, 2, `only the ConfigMap (mode prod → canary) is renamed: ${changed.join(", ")}`);
        assert.ok(changed.every((f) => f.startsWith("shop-configmap-settings-"))); // two of them, asserted above
        assert.match([...qa].find(([f]) => f.startsWith("shop-configmap"))![1], /mode: canary/);
    });

    it("--out refuses a foreign non-empty directory, and a file with a clean message (no raw ENOTDIR)", async () => {
        const out = tempDir();
        fs.writeFileSync(path.join(out, "keep.txt"), "mine");
        const run = await check("--program", fixture("compliant"), "--out", out, "--skip-type-check");
        assert.equal(run.status, 2);
        assert.match(run.stderr, /is not empty and was not written by check/);
        assert.deepEqual(fs.readdirSync(out), ["keep.txt"]);
        const onFile = await check("--program", fixture("compliant"), "--out", "README.md", "--skip-type-check");
        assert.equal(onFile.status, 2);
        assert.match(
            onFile.stderr,
            /^check: usage error: --out README\.md is a file, not a directory\nFix: pass a new or empty directory/m,
        );
        assert.doesNotMatch(onFile.stderr, /ENOTDIR/);
    });

    it("never prints a secret: not in stdout, stderr, JSON or rendered YAML (L19)", async () => {
        const program = fixture("compliant");
        const config = loadStackConfigFile(path.join(FIXTURES, "compliant", "Pulumi.dev.yaml"), "shopfront");
        const { secretValues } = await runProgram({ program, stack: "dev", config });
        const ciphertext = YAML.parse(fs.readFileSync(path.join(FIXTURES, "compliant", "Pulumi.dev.yaml"), "utf8"))
            .config["shopfront:apiToken"].secure;
        const password = secretValues.find((s) => /^[A-Za-z0-9_-]{32}$/.test(s));
        assert.ok(password, `the generated password is among the secret values: ${secretValues.length} found`);
        assert.ok(
            secretValues.some((s) => s.startsWith("redis://:")),
            "the secret interpolated into a URL is tracked too",
        );

        const out = tempDir();
        // The human report from the command's own process: its real stdout and stderr.
        const human = checkProcess(["--program", program, "--out", out, "--skip-type-check"]);
        const json = await check("--program", program, "--json", "--skip-type-check");
        const rendered = [...readDir(out).values()].join("\n");
        const everything = [human.stdout, human.stderr, json.stdout, json.stderr, rendered].join("\n");
        for (const secret of [...secretValues, ciphertext]) {
            assert.ok(!everything.includes(secret), `secret value leaked: ${secret.slice(0, 4)}…`);
        }
        // Written as the provider sends the Secret: stringData folded into data, base64 of the placeholder.
        const placeholder = Buffer.from("[secret]").toString("base64");
        assert.match(rendered, new RegExp(`redisPassword: ${placeholder}\n`));
        assert.match(rendered, new RegExp(`redisUrl: ${placeholder}\n`));
        assert.doesNotMatch(rendered, /stringData/);
        // issue 11: the redacted Secret says so in its file, and the summary counts it.
        const secretFile = [...readDir(out)].find(([f]) => f.startsWith("shop-secret-app-secrets-"))![1];
        assert.match(
            secretFile,
            /^# The data of this Secret is redacted: every value below is the placeholder "\[secret\]"/,
        );
        assert.match(secretFile, /never `kubectl apply` this file as it is/);
        assert.equal(
            [...readDir(out)].filter(([, text]) => text.startsWith("# The data of this Secret is redacted")).length,
            1,
            "only the Secret carries the note",
        );
        assert.match(human.stdout, /; 1 Secret redacted in the rendered files: PASS\n$/);
        assert.equal(JSON.parse(json.stdout).redactedSecrets, 0, "nothing rendered without --out");
    });
});
