// `npm run check` sees every object (issue 14): YAML components, Helm and patches in programs, plain
// manifests, CI report formats, strict schema, type-checking; and the command-line items of issue 11.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { check, CHECK_COMMAND, CheckArgs, formatReport } from "../offline/check";
import { expandProviderComponents } from "../offline/expand";
import { runProgram } from "../offline/run-program";
import { CATALOG, PolicyName } from "../policy/catalog";
import { policies } from "../policy/policies";
import { CHECK_ENV, CheckRun, checkInProcess, npmCheck, ROOT } from "./support/check";
import { sarifSchemaErrors } from "./support/sarif-schema";

const FIXTURES = path.join(__dirname, "fixtures");
const program = (name: string) => path.join(FIXTURES, "programs", name, "index.ts");
const COMPLIANT_MANIFESTS = path.join(FIXTURES, "manifests", "compliant");
const BAD_YAML = path.join(FIXTURES, "programs", "yaml-violation", "bad.yaml");
/** The check in this process; the tests about the command as a process use npmCheck. */
function run(args: string[], env?: NodeJS.ProcessEnv): Promise<CheckRun> {
    return checkInProcess(args, env);
}

async function runJson(args: string[]): Promise<{ status: number | null; report: any; stderr: string }> {
    const r = await run([...args, "--format", "json"]);
    let report: any;
    assert.doesNotThrow(
        () => (report = JSON.parse(r.stdout)),
        `stdout must be one JSON object, got: ${r.stdout.slice(0, 500)}\n${r.stderr}`,
    );
    return { status: r.status, report, stderr: r.stderr };
}

/** In-process check of manifests (no program is loaded, so it can run many times in one process). */
function manifestArgs(source: string, extra: Partial<CheckArgs> = {}): CheckArgs {
    return {
        stack: "dev",
        stackGiven: false,
        program: "./index.ts",
        programGiven: false,
        manifests: source,
        namespace: "default",
        format: "json",
        allowUnchecked: false,
        skipTypeCheck: true,
        callerDir: ROOT,
        ...extra,
    };
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "check-inputs-"));
}

describe("npm run check: every input kind (issue 14)", function () {
    this.timeout(300_000);

    describe("YAML components in programs", () => {
        it("checks yaml/v2 ConfigGroup (glob) and yaml v1 ConfigGroup (a List in a string): the compliant objects pass, all 6 counted", async () => {
            const out = tempDir();
            const { status, report, stderr } = await runJson(["--program", program("yaml"), "--out", out]);
            assert.equal(status, 0, stderr + JSON.stringify(report));
            assert.equal(report.objects, 6);
            assert.deepEqual(report.unchecked, []);
            assert.deepEqual(report.schemaErrors, []);
            assert.deepEqual(report.violations, []);
            assert.deepEqual(
                fs
                    .readdirSync(out)
                    .filter((f) => f.endsWith(".yaml"))
                    .sort(),
                [
                    "shop-configmap-settings.yaml",
                    "shop-deployment-web.yaml",
                    "shop-networkpolicy-web.yaml",
                    "shop-route-web.yaml",
                    "shop-secret-app-secrets.yaml",
                    "shop-service-web.yaml",
                ],
            );
        });

        it("expands yaml/v2 like the provider: names <component>:<namespace>/<name>, parented to the component, Lists and objs", async () => {
            const recorded = await runProgram({ program: program("yaml"), stack: "dev" });
            const group = recorded.resources.find((r) => r.type === "kubernetes:yaml/v2:ConfigGroup")!;
            const { children, unchecked } = expandProviderComponents(recorded.resources, {
                stack: "dev",
                project: "shopfront",
                programDir: path.dirname(program("yaml")),
                displayPath: (f) => path.relative(ROOT, f),
                providerNamespace: () => undefined,
            });
            assert.deepEqual(unchecked, []);
            assert.deepEqual(
                children.map((c) => `${c.resource.type}::${c.resource.name}`),
                [
                    "kubernetes:apps/v1:Deployment::web:shop/web",
                    "kubernetes:core/v1:Service::web:shop/web",
                    "kubernetes:networking.k8s.io/v1:NetworkPolicy::web:shop/web",
                    "kubernetes:route.openshift.io/v1:Route::web:shop/web",
                ],
            );
            for (const { resource, location } of children) {
                assert.equal(resource.parent, group.urn);
                assert.equal(
                    resource.urn,
                    `urn:pulumi:dev::shopfront::kubernetes:yaml/v2:ConfigGroup$${resource.type}::${resource.name}`,
                );
                assert.equal(location!.file, "test/fixtures/manifests/compliant/web.yaml");
            }
            assert.deepEqual(
                children.map((c) => c.location!.line),
                [2, 87, 110, 139],
                "the line each document starts on",
            );
            // yaml v1: the decode invoke was answered, so the SDK registered the List's items itself.
            const v1 = recorded.resources.find((r) => r.type === "kubernetes:yaml:ConfigGroup")!;
            assert.deepEqual(
                recorded.resources
                    .filter((r) => r.parent === v1.urn)
                    .map((r) => r.type)
                    .sort(),
                ["kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Secret"],
            );
        });

        it("finds what YAML and patches carry: tag and misspelt field with file:line, privileged patch; null is unset", async () => {
            const { status, report } = await runJson(["--program", program("yaml-violation"), "--skip-type-check"]);
            assert.equal(status, 1);
            const mandatory = report.violations
                .filter((v: any) => v.level === "mandatory")
                .map((v: any) => [v.policy, v.resource, v.file, v.line]);
            assert.deepEqual(mandatory, [
                [
                    "images-digest-pinned",
                    "kubernetes:apps/v1:Deployment::app:default/web",
                    "test/fixtures/programs/yaml-violation/bad.yaml",
                    7,
                ],
                [
                    "images-digest-pinned",
                    "kubernetes:apps/v1:DeploymentPatch::legacy",
                    "test/fixtures/programs/yaml-violation/index.ts",
                    undefined,
                ],
                [
                    "pod-security-baseline",
                    "kubernetes:apps/v1:DeploymentPatch::legacy",
                    "test/fixtures/programs/yaml-violation/index.ts",
                    undefined,
                ],
            ]);
            // Strict fields: the misspelt probe is a schema error with the right spelling; `secretRef: null` is not one.
            assert.deepEqual(
                report.schemaErrors.map((e: any) => [e.resource, e.message, e.line]),
                [
                    [
                        "kubernetes:apps/v1:Deployment::app:default/web",
                        "spec.template.spec.containers[0].readinesProbe: unknown field (not in the Kubernetes schema; the API server rejects it under strict field validation). Did you mean readinessProbe?",
                        7,
                    ],
                ],
            );
            assert.ok(
                report.violations.some(
                    (v: any) => v.resource === "kubernetes:core/v1:ConfigMap::extra:shop/web-settings",
                ),
                "objs of a ConfigGroup are checked",
            );
            assert.deepEqual(
                report.unchecked.map((u: any) => u.resource),
                ["kubernetes:apps/v1:DeploymentPatch::legacy"],
            );
        });
    });

    describe("Helm charts, releases and patches that cannot be seen offline", () => {
        it("lists each as not checked with the command that checks it; exit 1, and 0 with --allow-unchecked", async () => {
            const text = await run(["--program", program("unchecked"), "--skip-type-check"]);
            assert.equal(text.status, 1);
            const summary = text.stdout.trimEnd().split("\n").pop()!;
            assert.equal(
                summary,
                "check dev: 5 resources, 0 Kubernetes objects; 0 schema errors, 0 mandatory and 0 advisory violations; 4 resources not checked: FAIL",
            );
            assert.match(text.stdout, /^note: 0 Kubernetes objects were checked: /m);
            assert.match(
                text.stdout,
                /^unchecked kubernetes:helm\.sh\/v3:Chart::cache: .*Fix: helm template cache \.\/charts\/cache --namespace shop \| npm run -s check -- --manifests - --namespace shop; or pulumi preview --policy-pack policy$/m,
            );

            const { status, report } = await runJson([
                "--program",
                program("unchecked"),
                "--skip-type-check",
                "--allow-unchecked",
            ]);
            assert.equal(status, 0);
            assert.deepEqual(
                report.unchecked.map((u: any) => [u.resource, u.type]),
                [
                    ["kubernetes:apps/v1:DeploymentPatch::scale", "kubernetes:apps/v1:DeploymentPatch"],
                    ["kubernetes:helm.sh/v3:Chart::cache", "kubernetes:helm.sh/v3:Chart"],
                    ["kubernetes:helm.sh/v3:Release::search", "kubernetes:helm.sh/v3:Release"],
                    ["kubernetes:helm.sh/v4:Chart::queue", "kubernetes:helm.sh/v4:Chart"],
                ],
            );
            for (const u of report.unchecked) {
                assert.deepEqual(Object.keys(u), ["resource", "type", "reason", "fix"]);
            }
            assert.match(
                report.unchecked[3].fix,
                /^helm template queue oci:\/\/registry\.example\.com\/charts\/queue --namespace shop --version 1\.2\.3 \| /,
            );
        });
    });

    describe("--manifests <file|dir|->", () => {
        it("passes the compliant objects from a directory (multi-document file + a List), all 6 counted", async () => {
            const { report } = await check(manifestArgs(COMPLIANT_MANIFESTS, { namespace: "shop" }));
            assert.equal(report.objects, 6);
            assert.equal(report.resources, 6);
            assert.deepEqual([report.violations, report.schemaErrors, report.unchecked], [[], [], []]);
        });

        it("reads stdin (as after helm template |), and never prints Secret data", async () => {
            // In this process; "a report over 1 MB piped to another program" feeds a real pipe to the command.
            const text = fs
                .readdirSync(COMPLIANT_MANIFESTS)
                .map((f) => fs.readFileSync(path.join(COMPLIANT_MANIFESTS, f), "utf8"))
                .join("\n---\n");
            const r = await checkInProcess(["--manifests", "-", "--namespace", "shop"], CHECK_ENV, text);
            assert.equal(r.status, 0, r.stderr);
            assert.equal(
                r.stdout,
                [
                    "note: pvc-protected not run: it judges a Pulumi resource option (protect), which plain manifests do not have",
                    "check stdin: 6 resources, 6 Kubernetes objects; 0 schema errors, 0 mandatory and 0 advisory violations: PASS",
                    "",
                ].join("\n"),
            );
            const bad = await checkInProcess(
                ["--manifests", "-", "--format", "json"],
                CHECK_ENV,
                text.replace("fixture-token-not-real", "fixture-token-not-real\n    extra: ["),
            );
            assert.equal(bad.status, 2);
            assert.ok(!(bad.stdout + bad.stderr).includes("fixture-password-not-real"));
        });

        it("passes the dev stack's own objects given as manifests (rendered by --out): no false positives, same count", async () => {
            const out = tempDir();
            const program = await runJson(["--stack", "dev", "--out", out, "--skip-type-check"]);
            assert.equal(program.status, 0, program.stderr);
            const { report } = await check(manifestArgs(out));
            assert.equal(report.objects, program.report.objects);
            assert.deepEqual(
                report.violations.filter((v) => v.level === "mandatory"),
                [],
            );
            assert.deepEqual(report.schemaErrors, []);
        });

        it("gives namespace-less objects --namespace, checks them like program objects, with file and line", async () => {
            const { report } = await check(manifestArgs(BAD_YAML, { namespace: "shop" }));
            const digest = report.violations.find((v) => v.policy === "images-digest-pinned")!;
            assert.deepEqual(
                [digest.resource, digest.file, digest.line],
                ["kubernetes:apps/v1:Deployment::shop/web", "test/fixtures/programs/yaml-violation/bad.yaml", 7],
            );
            assert.match(
                report.schemaErrors[0].message,
                /readinesProbe: unknown field .*Did you mean readinessProbe\?/,
            );
        });

        it("refuses input it cannot check, naming file and line: invalid YAML, no apiVersion, nothing at all", async () => {
            const dir = tempDir();
            const cases: Array<[string, RegExp]> = [
                [
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [\n",
                    /broken\.yaml:6: not valid YAML: Flow sequence .* Fix: correct the document at that line/,
                ],
                [
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: {name: b}\n",
                    /broken\.yaml:5: Kubernetes objects require a kind and apiVersion/,
                ],
                ["# only a comment\n---\n", /no Kubernetes objects in it .*did the command before the pipe fail/],
            ];
            for (const [text, message] of cases) {
                fs.writeFileSync(path.join(dir, "broken.yaml"), text);
                await assert.rejects(check(manifestArgs(path.join(dir, "broken.yaml"))), message);
            }
        });
    });

    describe("report formats", () => {
        let report: Awaited<ReturnType<typeof check>>["report"];
        before(async () => {
            report = (await check(manifestArgs(BAD_YAML, { namespace: "shop" }))).report;
        });

        it("sarif: SARIF 2.1.0, one rule per policy from the pack's metadata, error/warning by level, file:line, stable fingerprints", async () => {
            const sarif = JSON.parse(
                formatReport(report, { format: "sarif", allowUnchecked: false }, policies, report.source),
            );
            assert.equal(sarif.version, "2.1.0");
            assert.deepEqual(sarifSchemaErrors(sarif), [], "valid against the SARIF 2.1.0 schema");
            const { rules } = sarif.runs[0].tool.driver;
            for (const policy of policies) {
                const rule = rules.find((r: any) => r.id === policy.name);
                assert.ok(rule, `rule for ${policy.name}`);
                const entry = CATALOG[policy.name as PolicyName];
                assert.equal(rule.fullDescription.text, policy.description);
                assert.ok(
                    rule.help.text.startsWith(
                        `${entry.summary}\nFix: ${entry.remediation}\nLessons: ${entry.lessons[0]} (`,
                    ),
                    rule.help.text,
                );
                assert.deepEqual(rule.properties.lessons, entry.lessons);
                assert.equal(rule.properties.severity, entry.severity);
                assert.equal(
                    rule.properties["security-severity"] !== undefined,
                    (entry.tags as string[]).includes("security"),
                    policy.name,
                );
            }
            assert.ok(rules.some((r: any) => r.id === "schema"));
            const pinnedRule = rules.find((r: any) => r.id === "images-digest-pinned");
            assert.match(
                pinnedRule.help.markdown,
                /\*\*Corresponds to:\*\*\n\n- kube-linter `latest-tag`: stricter: any tag, not only latest\n- Polaris `tagNotSpecified`/,
            );
            const results = sarif.runs[0].results;
            assert.equal(results.length, report.violations.length + report.schemaErrors.length);
            const pinned = results.find((r: any) => r.ruleId === "images-digest-pinned");
            assert.equal(pinned.level, "error");
            assert.equal(rules[pinned.ruleIndex].id, "images-digest-pinned");
            assert.deepEqual(pinned.locations[0].physicalLocation, {
                artifactLocation: { uri: "test/fixtures/programs/yaml-violation/bad.yaml", uriBaseId: "%SRCROOT%" },
                region: { startLine: 7 },
            });
            assert.ok(
                results.some((r: any) => r.level === "warning"),
                "advisory violations are warnings",
            );
            const again = JSON.parse(
                formatReport(
                    (await check(manifestArgs(BAD_YAML, { namespace: "shop" }))).report,
                    { format: "sarif", allowUnchecked: false },
                    policies,
                    report.source,
                ),
            );
            const prints = (s: any) => s.runs[0].results.map((r: any) => r.partialFingerprints["webstackCheck/v1"]);
            assert.deepEqual(prints(again), prints(sarif), "same findings, same fingerprints");
            assert.equal(new Set(prints(sarif)).size, results.length, "every finding its own fingerprint");
        });

        it("markdown: a table row per violation and schema error, the summary line", () => {
            const md = formatReport(report, { format: "markdown", allowUnchecked: false }, policies, report.source);
            assert.match(md, /^### ❌ `npm run check`: test\/fixtures\/programs\/yaml-violation\/bad\.yaml$/m);
            assert.match(md, /^\| Level \| Policy \| Lessons \| Resource \| Message \|$/m);
            const rows = md.split("\n").filter((l) => /^\| (mandatory|advisory) \|/.test(l));
            assert.equal(rows.length, report.violations.length);
            assert.match(md, /^\| spec\.template\.spec\.containers\[0\]\.readinesProbe: unknown field/m);
        });

        it("github: ::error/::warning annotations with file and line, chosen automatically under GITHUB_ACTIONS", async () => {
            const r = await run(["--manifests", BAD_YAML, "--namespace", "shop"], {
                ...CHECK_ENV,
                GITHUB_ACTIONS: "true",
            });
            assert.equal(r.status, 1);
            const lines = r.stdout.trimEnd().split("\n");
            assert.match(
                lines[0],
                /^::error file=test\/fixtures\/programs\/yaml-violation\/bad\.yaml,line=7,title=images-digest-pinned \[L12%2C L28\]::kubernetes:apps\/v1:Deployment::shop\/web: /,
            );
            assert.ok(lines.some((l) => l.startsWith("::warning file=")));
            assert.ok(lines.some((l) => l.startsWith("::error ") && l.includes("title=schema::")));
            assert.match(
                lines[lines.length - 1],
                /^check test\/fixtures\/programs\/yaml-violation\/bad\.yaml: 2 resources, 2 Kubernetes objects; 1 schema error, 1 mandatory and \d+ advisory violations: FAIL$/,
            );
        });

        it("reads a pipe on stdin, and a report over 1 MB piped to another program arrives whole", () => {
            const dir = tempDir();
            const deployment = YAML.parseAllDocuments(fs.readFileSync(BAD_YAML, "utf8"))[1].toJS();
            const docs = Array.from({ length: 500 }, (_, i) =>
                YAML.stringify({ ...deployment, metadata: { name: `web-${i}` } }),
            );
            fs.writeFileSync(path.join(dir, "many.yaml"), docs.join("---\n"));
            // The reader starts late, as jq does under load: the report must outlive a full pipe (64 KiB).
            const reader = "let n=0;process.stdin.on('data',c=>n+=c.length).on('end',()=>{console.log(n)})";
            const cmd = `set -o pipefail; cat ${JSON.stringify(path.join(dir, "many.yaml"))} | npm run -s check -- --manifests - --json | { sleep 1; tee ${JSON.stringify(path.join(dir, "report.json"))}; } | ${JSON.stringify(process.execPath)} -e ${JSON.stringify(reader)}`;
            const piped = spawnSync("bash", ["-c", cmd], {
                cwd: ROOT,
                encoding: "utf8",
                env: CHECK_ENV,
                timeout: 300_000,
            });
            assert.equal(piped.status, 1, piped.stderr);
            const bytes = Number(piped.stdout.trim());
            assert.ok(bytes > 1024 * 1024, `report is ${bytes} bytes`);
            const parsed = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
            assert.equal(parsed.objects, 500);
            assert.equal(parsed.source, "stdin");
            assert.equal(Buffer.byteLength(fs.readFileSync(path.join(dir, "report.json"), "utf8")), bytes);
        });
    });

    describe("command line (issue 11 items of check)", () => {
        it("--help prints usage, every flag with its default, the exit codes and an example; exit 0", async () => {
            const r = await run(["--help"]);
            assert.equal(r.status, 0);
            for (const flag of Object.keys(CHECK_COMMAND.flags)) {
                assert.match(r.stdout, new RegExp(`^  --${flag}\\b`, "m"), flag);
            }
            assert.match(r.stdout, /--stack <name> +.*\(default: dev\)/);
            assert.match(r.stdout, /^exit codes:\n {2}0 {2}.*\n {2}1 {2}.*\n {2}2 {2}/m);
            assert.match(r.stdout, /^example:\n {2}.*npm run -s check -- --manifests -/m);
        });

        it("--stack nope says Pulumi.nope.yaml does not exist and which stacks do", async () => {
            const r = await run(["--stack", "nope", "--json"]);
            assert.equal(r.status, 2);
            assert.deepEqual(JSON.parse(r.stdout), {
                error: `usage error: --stack nope: Pulumi.nope.yaml does not exist in ${ROOT} (stacks there: dev, qa)`,
                fix: "pass --stack dev or --stack qa, or pass --config <file>",
            });
        });

        it("resolves a relative --program against the caller's directory under npm --prefix (INIT_CWD)", () => {
            const r = npmCheck(["--program", "compliant/index.ts", "--skip-type-check"], {
                cwd: path.join(FIXTURES, "programs"),
                prefix: true,
            });
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /^check dev: 8 resources, 6 Kubernetes objects;/);
        });

        it("names api.image when it holds a tag, and runs api.build offline with a stand-in digest it reports", async () => {
            const tag = await runJson([
                "--config",
                path.join(FIXTURES, "stacks", "tag", "Pulumi.dev.yaml"),
                "--skip-type-check",
            ]);
            assert.equal(tag.status, 2);
            assert.match(
                tag.report.error,
                /^the program failed .*: api\.image: cannot know the digest of ".*north-api:latest" offline/,
            );
            assert.match(
                tag.report.fix,
                /^pin it by digest \(pulumi config set --path api\.image <repo>@sha256:<64 hex>\)/,
            );

            const build = await run([
                "--config",
                path.join(FIXTURES, "stacks", "build", "Pulumi.dev.yaml"),
                "--skip-type-check",
            ]);
            assert.equal(build.status, 0, build.stderr);
            assert.doesNotMatch(build.stderr, /error serializing/);
            const note = build.stdout.split("\n").find((l) => l.startsWith("note: api.build: "));
            assert.ok(note, build.stdout);
            const digest = /stand-in digest (\S+@sha256:[0-9a-f]{64})/.exec(note)![1];
            const deployment = (
                await runJson([
                    "--config",
                    path.join(FIXTURES, "stacks", "build", "Pulumi.dev.yaml"),
                    "--skip-type-check",
                ])
            ).report;
            assert.deepEqual(deployment.notes, [note.slice("note: ".length)], "same build, same stand-in digest");
            assert.match(digest, /^image-registry\.openshift-image-registry\.svc:5000\/qr-demo-dev\/north-api@sha256:/);
        });

        it("type-checks the program as the Pulumi Node.js runtime does; --skip-type-check runs it anyway", async () => {
            const dir = tempDir();
            const entry = path.join(dir, "index.ts");
            fs.writeFileSync(entry, 'const replicas: number = "three";\nexport const out = replicas;\n');
            const r = await runJson(["--program", entry]);
            assert.equal(r.status, 2);
            assert.match(
                r.report.error,
                /^the program does not type-check, so pulumi preview would refuse it too: 1 type error: .*index\.ts:1:7 TS2322: Type 'string' is not assignable to type 'number'/,
            );
            const skipped = await run(["--program", entry, "--skip-type-check"]);
            assert.equal(skipped.status, 0, skipped.stderr);
            assert.match(skipped.stdout, /^note: 0 Kubernetes objects were checked: /m);
        });
    });
});
