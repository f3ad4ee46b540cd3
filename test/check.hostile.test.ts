// `npm run check` under hostile input (issue 24): --out confined to its folder (a sentinel beside it proves
// nothing lands outside), model lookup by an index (never a path from input), every input problem an input
// error or a schema error (never "internal error"), limits instead of blow-ups.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { MAX_OUT_FILE_NAME } from "../offline/out-files";
import { uncheckedSchema, validateKubernetesObject } from "../offline/schema";
import { CheckRun, checkInProcess, checkProcess, ROOT } from "./support/check";

interface Sandbox {
    /** The folder --out is created in; holds the sentinel and nothing else the check may touch. */
    parent: string;
    out: string;
    /** Input files live here, away from --out's parent. */
    inputs: string;
    /** Names and contents of everything beside --out before the run. */
    before: Map<string, string>;
}

function sandbox(): Sandbox {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "check-hostile-"));
    const parent = path.join(root, "parent");
    const inputs = path.join(root, "inputs");
    fs.mkdirSync(parent);
    fs.mkdirSync(inputs);
    fs.writeFileSync(path.join(parent, "sentinel.txt"), "sentinel: must never change\n");
    fs.writeFileSync(path.join(parent, "escape.yaml"), "mine\n");
    return { parent, out: path.join(parent, "out"), inputs, before: snapshot(parent) };
}

function snapshot(dir: string): Map<string, string> {
    return new Map(
        fs
            .readdirSync(dir)
            .filter((f) => f !== "out")
            .sort()
            .map((f) => {
                const file = path.join(dir, f);
                return [f, fs.statSync(file).isDirectory() ? "(directory)" : fs.readFileSync(file, "utf8")];
            }),
    );
}

/** Nothing beside --out was added, removed or changed. */
function assertNothingOutside(box: Sandbox): void {
    assert.deepEqual(snapshot(box.parent), box.before, "the folder that holds --out is exactly as before");
}

function configMap(name: unknown, namespace?: unknown, data: Record<string, unknown> = { mode: "prod" }): object {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
        data,
    };
}

function manifestFile(box: Sandbox, objects: object[], name = "input.yaml"): string {
    const file = path.join(box.inputs, name);
    fs.writeFileSync(file, objects.map((o) => YAML.stringify(o)).join("---\n"));
    return file;
}

async function runJson(args: string[]): Promise<{ status: number | null; report: any; stderr: string }> {
    const r = await checkInProcess([...args, "--format", "json"]);
    let report: any;
    assert.doesNotThrow(() => (report = JSON.parse(r.stdout)), `stdout is one JSON object: ${r.stdout}${r.stderr}`);
    return { status: r.status, report, stderr: r.stderr };
}

describe("npm run check under hostile input (issue 24)", function () {
    this.timeout(120_000);

    describe("--out is confined to its folder", () => {
        it("a name or namespace that is not a DNS name (../, /, absolute, NUL) is a schema error, and nothing is written anywhere", async () => {
            const cases: Array<[name: unknown, namespace: unknown, error: string]> = [
                ["../../escape", undefined, 'metadata.name: "../../escape" is not a DNS-1123 subdomain'],
                ["escape", "../..", 'metadata.namespace: "../.." is not a DNS-1123 label'],
                ["a/b", "shop", 'metadata.name: "a/b" is not a DNS-1123 subdomain'],
                ["etc", "/tmp", 'metadata.namespace: "/tmp" is not a DNS-1123 label'],
                ["a\u0000b", "shop", 'metadata.name: "a\\u0000b" is not a DNS-1123 subdomain'],
            ];
            for (const [name, namespace, error] of cases) {
                const box = sandbox();
                const file = manifestFile(box, [configMap("fine", "shop"), configMap(name, namespace)]);
                const line = fs.readFileSync(file, "utf8").split("\n").indexOf("---") + 2;
                const { status, report } = await runJson(["--manifests", file, "--out", box.out]);
                assert.equal(status, 1, JSON.stringify(report));
                assert.ok(
                    report.schemaErrors.some((e: any) => e.message.startsWith(error) && e.line === line),
                    `${error} at line ${line}: ${JSON.stringify(report.schemaErrors)}`,
                );
                assert.ok(
                    report.notes.some((n: string) =>
                        n.startsWith(`--out ${box.out}: nothing written: an object's names cannot name a file safely`),
                    ),
                    JSON.stringify(report.notes),
                );
                assert.equal(fs.existsSync(box.out), false, "not even the valid object's file is written");
                assertNothingOutside(box);
            }
        });

        it("--namespace ../../x is a usage error before anything runs", async () => {
            const box = sandbox();
            const file = manifestFile(box, [configMap("fine")]);
            const r = await checkInProcess(["--manifests", file, "--namespace", "../../x", "--out", box.out]);
            assert.equal(r.status, 2);
            assert.match(
                r.stderr,
                /^check: usage error: --namespace "\.\.\/\.\.\/x": not a namespace name \(a DNS-1123 label: .*\nFix: pass a namespace such as shop/,
            );
            assert.equal(fs.existsSync(box.out), false);
            assertNothingOutside(box);
        });

        it("a 253-character name gets a capped file name; distinct objects never share a file; the same object twice is a clash", async () => {
            const box = sandbox();
            const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
            assert.equal(long.length, 253);
            const objects = [
                configMap(long, "shop"),
                // <namespace>-<kind>-<name>: both read "x-configmap-configmap-web" but are different objects.
                configMap("configmap-web", "x"),
                configMap("web", "x-configmap"),
            ];
            const { status, report } = await runJson(["--manifests", manifestFile(box, objects), "--out", box.out]);
            assert.notEqual(status, 2, JSON.stringify(report));
            assert.deepEqual(report.schemaErrors, []);
            const written = fs.readdirSync(box.out).filter((f) => f.endsWith(".yaml"));
            assert.equal(written.length, 3, written.join(", "));
            assert.ok(written.includes("x-configmap-configmap-web.yaml"), "the first keeps the readable name");
            const derived = written.filter((f) => /_[0-9a-f]{16}\.yaml$/.test(f)).sort();
            assert.equal(derived.length, 2, written.join(", "));
            for (const f of written) {
                assert.ok(f.length <= MAX_OUT_FILE_NAME, `${f.length} characters`);
            }
            const names = written.map((f) => YAML.parse(fs.readFileSync(path.join(box.out, f), "utf8")).metadata);
            assert.deepEqual(
                names.map((m: any) => `${m.namespace}/${m.name}`).sort(),
                [`shop/${long}`, "x-configmap/web", "x/configmap-web"],
                "each object in its own file",
            );
            assertNothingOutside(box);

            const twiceFile = manifestFile(
                box,
                [configMap("web", "x"), configMap("web", "x", { mode: "canary" })],
                "twice.yaml",
            );
            const twice = await runJson(["--manifests", twiceFile]);
            assert.equal(twice.status, 1);
            assert.deepEqual(
                twice.report.schemaErrors.map((e: any) => [e.message, e.line]),
                [
                    [
                        "same object as kubernetes:core/v1:ConfigMap::x/web (x-configmap-web.yaml): two resources would fight over it",
                        fs.readFileSync(twiceFile, "utf8").split("\n").indexOf("---") + 2,
                    ],
                ],
            );
        });

        it("a symlink planted in --out under an object's file name is replaced, never written through", async () => {
            const box = sandbox();
            const file = manifestFile(box, [configMap("web", "shop")]);
            assert.equal((await runJson(["--manifests", file, "--out", box.out])).status, 0);
            const target = path.join(box.out, "shop-configmap-web.yaml");
            fs.rmSync(target);
            fs.symlinkSync(path.join(box.parent, "sentinel.txt"), target);
            const again = await runJson(["--manifests", file, "--out", box.out]);
            assert.equal(again.status, 0, again.stderr);
            assert.equal(fs.lstatSync(target).isSymbolicLink(), false);
            assert.match(fs.readFileSync(target, "utf8"), /^apiVersion: v1\nkind: ConfigMap\n/);
            assertNothingOutside(box);
        });

        it("an --out that cannot be created is a usage error before the check runs: a file in its path, no permission", () => {
            const box = sandbox();
            const file = manifestFile(box, [configMap("web", "shop")]);
            const blocked = path.join(box.parent, "sentinel.txt", "out");
            const onFile = spawnCheck(["--manifests", file, "--out", blocked]);
            assert.equal(onFile.status, 2);
            assert.equal(
                onFile.stderr,
                `check: usage error: --out ${blocked}: cannot create it in ${path.join(box.parent, "sentinel.txt")}: a part of the path is a file, not a directory (ENOTDIR)\nFix: pass a directory you can write\n`,
            );
            const locked = path.join(box.parent, "locked");
            fs.mkdirSync(locked, { mode: 0o500 });
            box.before = snapshot(box.parent);
            const denied = spawnCheck(["--manifests", file, "--out", path.join(locked, "out")]);
            assert.equal(denied.status, 2);
            assert.match(denied.stderr, /cannot create it in .*locked: permission denied \(EACCES\)\nFix: /);
            assertNothingOutside(box);
        });

        it("an --out under /proc (mkdir answers ENOENT) is exit 2 after the report, instead of a check that never returns", () => {
            const box = sandbox();
            const out = `/proc/webstack-check-${process.pid}`;
            const r = checkProcess(["--manifests", manifestFile(box, [configMap("web", "shop")]), "--out", out]);
            assert.equal(r.status, 2, r.stderr);
            assert.match(
                r.stdout,
                /^check .*input\.yaml: 1 resource, 1 Kubernetes object; .*: PASS$/m,
                "the report is printed",
            );
            assert.equal(
                r.stderr,
                `check: input error: --out ${out}: cannot write: no such file or directory (ENOENT)\nFix: pass a directory you can write\n`,
            );
        });
    });

    describe("schema models are looked up in an index", () => {
        it("an apiVersion with ../ never opens a file: a FIFO it points at stays unopened; the apiVersion is a schema error", async () => {
            const box = sandbox();
            const models = path.dirname(require.resolve("kubernetes-models/package.json"));
            const evil = path.join(box.inputs, "evil");
            fs.mkdirSync(evil);
            const fifo = guardedFifo(path.join(evil, "Deployment.js"));
            try {
                const apiVersion = path.relative(models, evil);
                assert.match(apiVersion, /^\.\.\//);
                const object = { apiVersion, kind: "Deployment", metadata: { name: "web", namespace: "shop" } };
                const { status, report } = await runJson(["--manifests", manifestFile(box, [object])]);
                assert.equal(status, 1);
                assert.ok(
                    report.schemaErrors.some((e: any) =>
                        e.message.startsWith(`apiVersion: ${JSON.stringify(apiVersion)} is not <group>/<version>`),
                    ),
                    JSON.stringify(report.schemaErrors),
                );
                assert.equal(await fifo.opened(), false, "the FIFO was never opened for reading");
            } finally {
                fifo.stop();
            }
        });

        it("the index holds top-level kinds only: a model file of a nested type (v1 Capabilities) is no kind", () => {
            assert.deepEqual(
                validateKubernetesObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }),
                [],
            );
            assert.equal(uncheckedSchema("v1", "ConfigMap"), undefined);
            assert.equal(uncheckedSchema("apps/v1", "Deployment"), undefined);
            // kubernetes-models ships v1/Capabilities.js (a container field's type): it once validated `kind: Capabilities`.
            assert.ok(
                fs.existsSync(
                    path.join(path.dirname(require.resolve("kubernetes-models/package.json")), "v1", "Capabilities.js"),
                ),
            );
            assert.deepEqual(uncheckedSchema("v1", "Capabilities"), {
                reason: "no schema: v1 has no kind Capabilities that the check knows",
                fix: "spell the kind as the API serves it (kubectl api-resources --api-group='' lists them)",
            });
        });
    });

    describe("nothing unknown passes in silence", () => {
        const widget = (spec: Record<string, unknown>) => ({
            apiVersion: "example.com/v1",
            kind: "Widget",
            metadata: { name: "w", namespace: "shop" },
            spec,
        });
        const widgetCrd = {
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: "widgets.example.com" },
            spec: {
                group: "example.com",
                names: { kind: "Widget", plural: "widgets" },
                scope: "Namespaced",
                versions: [
                    {
                        name: "v1",
                        served: true,
                        storage: true,
                        schema: {
                            openAPIV3Schema: {
                                type: "object",
                                properties: {
                                    spec: {
                                        type: "object",
                                        properties: {
                                            replicas: { type: "integer" },
                                            size: { type: "string", enum: ["small", "large"] },
                                            port: { "x-kubernetes-int-or-string": true },
                                            extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                                        },
                                    },
                                },
                            },
                        },
                    },
                ],
            },
        };

        it("an unknown kind, an unknown version of a known group and a custom resource without a CRD are unchecked: exit 1, 0 with --allow-unchecked", async () => {
            const box = sandbox();
            const deployment = {
                apiVersion: "apps/v9",
                kind: "Deployment",
                metadata: { name: "web", namespace: "shop" },
                spec: { template: { spec: { hostNetwork: true } } },
            };
            const foo = { apiVersion: "v1", kind: "Foo", metadata: { name: "foo", namespace: "shop" } };
            const file = manifestFile(box, [deployment, foo, widget({ replcas: 2 })]);
            const { status, report } = await runJson(["--manifests", file]);
            assert.equal(status, 1);
            assert.deepEqual(report.schemaErrors, []);
            assert.deepEqual(
                report.unchecked.map((u: any) => [u.resource, u.reason, u.fix]),
                [
                    [
                        "kubernetes:apps/v9:Deployment::shop/web",
                        "no schema: apps/v9 is not a version of apps the check knows (it knows apps/v1, apps/v1beta1, apps/v1beta2)",
                        "use a served version (kubectl api-versions lists them), e.g. apps/v1",
                    ],
                    [
                        "kubernetes:core/v1:Foo::shop/foo",
                        "no schema: v1 has no kind Foo that the check knows",
                        "spell the kind as the API serves it (kubectl api-resources --api-group='' lists them)",
                    ],
                    [
                        "kubernetes:example.com/v1:Widget::shop/w",
                        "custom resource without a schema: no CRD for example.com/v1 Widget was loaded, so its fields are not checked",
                        "load its CRD with --crd <file|dir> (kubectl get crd <plural>.example.com -o yaml > crd.yaml, or the CRD file of the operator's release), or pass --allow-unchecked",
                    ],
                ],
            );
            const allowed = await runJson(["--manifests", file, "--allow-unchecked"]);
            assert.equal(allowed.status, 0);
            assert.equal(allowed.report.unchecked.length, 3, "still listed");
        });

        it("--crd applies a CRD's openAPIV3Schema: a misspelt field is a schema error with a did-you-mean, enums and int-or-string checked", async () => {
            const box = sandbox();
            const crd = manifestFile(box, [widgetCrd], "widget-crd.yaml");
            const good = manifestFile(
                box,
                [widget({ replicas: 2, size: "small", port: "http", extra: { anything: 1 } })],
                "good.yaml",
            );
            const clean = await runJson([
                "--manifests",
                good,
                "--crd",
                crd,
                "--crd",
                path.join(ROOT, "tools/cluster/crds"),
            ]);
            assert.deepEqual([clean.status, clean.report.schemaErrors, clean.report.unchecked], [0, [], []]);

            const bad = manifestFile(box, [widget({ replcas: 2, size: "big", port: 1.5 })], "bad.yaml");
            const { status, report } = await runJson(["--manifests", bad, "--crd", crd]);
            assert.equal(status, 1);
            assert.deepEqual(report.unchecked, []);
            assert.deepEqual(report.schemaErrors.map((e: any) => e.message).sort(), [
                "spec.port: must be integer,string",
                "spec.replcas: unknown field (not in the CRD's schema; the API server rejects it under strict field validation). Did you mean replicas?",
                'spec.size: must be equal to one of the allowed values ["small","large"]',
            ]);
        });

        it("--crd of a file that is not a CRD is an input error naming file and line; --crd - is a usage error", async () => {
            const box = sandbox();
            const notCrd = manifestFile(box, [configMap("web")], "not-crd.yaml");
            const r = await checkInProcess(["--manifests", notCrd, "--crd", notCrd]);
            assert.equal(r.status, 2);
            assert.match(
                r.stderr,
                /^check: input error: --crd .*not-crd\.yaml:1: expected an apiextensions\.k8s\.io\/v1 CustomResourceDefinition, got "v1" "ConfigMap"\nFix: pass CRD files only/,
            );
            const stdin = await checkInProcess(["--manifests", notCrd, "--crd", "-"]);
            assert.equal(stdin.status, 2);
            assert.match(stdin.stderr, /^check: usage error: --crd -: CRDs are read from files only/);
        });
    });

    describe("every input problem is an input error or a schema error, never an internal error", () => {
        interface HostileCase {
            what: string;
            /** Builds the input in `box` and runs the check; stdout + stderr are matched. */
            run(box: Sandbox): Promise<CheckRun> | CheckRun;
            status: number;
            says: RegExp;
        }
        const manifests = (box: Sandbox, name: string, bytes: string | Buffer) => {
            fs.writeFileSync(path.join(box.inputs, name), bytes);
            return checkInProcess(["--manifests", path.join(box.inputs, name)]);
        };
        const folder = (box: Sandbox) => {
            manifestFile(box, [configMap("web", "shop")], "web.yaml");
            return box.inputs;
        };
        const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
        for (const [anchor, alias] of ["ab", "bc", "cd", "de", "ef"]) {
            bomb.push(`${alias}: &${alias} [${Array(9).fill(`*${anchor}`).join(", ")}]`);
        }
        const cases: HostileCase[] = [
            {
                what: "a ConfigMap data value that is not a string (port: 8080) once crashed configmap-size-*",
                run: (box) =>
                    manifests(
                        box,
                        "cm.yaml",
                        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata:\n  port: 8080\n",
                    ),
                status: 1,
                says: /^schema +kubernetes:core\/v1:ConfigMap::default\/web: data\.port: must be string \(.*cm\.yaml:1\)$/m,
            },
            {
                what: "a kind that is not an identifier (the object once vanished: 0 objects, exit 0)",
                run: (box) => manifests(box, "kind.yaml", "apiVersion: v1\nkind: Config-Map\nmetadata: {name: web}\n"),
                status: 2,
                says: /input error: .*kind\.yaml:1: kind "Config-Map" is not a Kubernetes kind .*\nFix: spell the kind as the API serves it/,
            },
            {
                what: "invalid UTF-8, refused as kubectl does (once silently replaced)",
                run: (box) =>
                    manifests(
                        box,
                        "latin1.yaml",
                        Buffer.concat([
                            Buffer.from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf"),
                            Buffer.from([0xe9, 0x0a]),
                        ]),
                    ),
                status: 2,
                says: /input error: .*latin1\.yaml:4: not valid UTF-8 \(byte 0xe9 at offset 52\); kubectl refuses it too\nFix: save the file as UTF-8/,
            },
            {
                what: "YAML aliases that expand a billion times, with file and line",
                run: (box) =>
                    manifests(
                        box,
                        "bomb.yaml",
                        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n---\n${bomb.join("\n")}\n`,
                    ),
                status: 2,
                says: /input error: .*bomb\.yaml:5: not valid YAML: Excessive alias count .*\nFix: write the values out, or use fewer aliases/,
            },
            {
                what: "a key twice in one mapping of 100,000 keys: refused with its line, in linear time",
                run: (box) => {
                    const keys = Array.from({ length: 100_000 }, (_, i) => `  k${i}: v`);
                    keys.push("  k7: again");
                    return manifests(
                        box,
                        "dup.yaml",
                        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata:\n${keys.join("\n")}\n`,
                    );
                },
                status: 2,
                says: /input error: .*dup\.yaml:100005: not valid YAML: the key "k7" appears twice in one mapping \(kubectl refuses it too\)\nFix: keep one of them/,
            },
            {
                what: "a stack config of 100,000 keys with one twice: refused with its line, in linear time (once 180 s)",
                run: (box) => {
                    const keys = Array.from({ length: 100_000 }, (_, i) => `  webstack:k${i}: v`);
                    keys.push("  webstack:k7: again");
                    fs.writeFileSync(path.join(box.inputs, "Pulumi.big.yaml"), `config:\n${keys.join("\n")}\n`);
                    return checkInProcess(["--config", path.join(box.inputs, "Pulumi.big.yaml")]);
                },
                status: 2,
                says: /input error: .*Pulumi\.big\.yaml:100002: not valid YAML: the key "webstack:k7" appears twice in one mapping/,
            },
            {
                what: "a stack config whose config is a list of 20,000 values: the message echoes 80 characters of it, not 100k",
                run: async (box) => {
                    const list = Array.from({ length: 20_000 }, (_, i) => i);
                    fs.writeFileSync(path.join(box.inputs, "Pulumi.list.yaml"), YAML.stringify({ config: list }));
                    const r = await checkInProcess(["--config", path.join(box.inputs, "Pulumi.list.yaml")]);
                    assert.ok(r.stderr.length < 600, `${r.stderr.length} characters`);
                    return r;
                },
                status: 2,
                says: /input error: .*Pulumi\.list\.yaml: "config" must be a mapping of key → value \(got \[0,1,2,3,.{40,80}… \(108891 characters\)\)/,
            },
            {
                what: "--stack ../../x: the stack name becomes a file name, so it is a usage error",
                run: () => checkInProcess(["--stack", "../../x"]),
                status: 2,
                says: /^check: usage error: --stack "\.\.\/\.\.\/x": not a stack name \(letters, digits, '-', '_', '\.', ≤ 100\)\nFix: pass a stack such as dev$/m,
            },
            {
                what: "a --policy-config, a --config and a --program no one may read: permission denied, never 'no such file'",
                run: (box) => {
                    const locked = (name: string, text: string) => {
                        fs.writeFileSync(path.join(box.inputs, name), text, { mode: 0o000 });
                        return path.join(box.inputs, name);
                    };
                    const manifest = manifestFile(box, [configMap("web", "shop")]);
                    const policy = spawnCheck([
                        "--manifests",
                        manifest,
                        "--policy-config",
                        locked("policy.json", "{}"),
                    ]);
                    const config = spawnCheck(["--config", locked("Pulumi.dev.yaml", "config: {}\n")]);
                    const program = spawnCheck(["--program", locked("index.ts", "export const a = 1;\n")]);
                    return {
                        status: Math.max(policy.status!, config.status!, program.status!),
                        stdout: "",
                        stderr: policy.stderr + config.stderr + program.stderr,
                    };
                },
                status: 2,
                says: /usage error: --policy-config .*policy\.json: cannot read it: permission denied \(EACCES\)\n(.*\n)*check: input error: cannot read stack config .*Pulumi\.dev\.yaml: permission denied \(EACCES\)\nFix: make it readable by the user running the check\ncheck: usage error: --program .*index\.ts: cannot read it: permission denied \(EACCES\)\n/,
            },
            {
                what: "a symlink loop in a --manifests folder: read once, the loop listed (once followed 40 levels deep)",
                run: (box) => {
                    const dir = folder(box);
                    fs.symlinkSync(".", path.join(dir, "loop"));
                    fs.mkdirSync(path.join(dir, "sub"));
                    fs.symlinkSync("..", path.join(dir, "sub", "up"));
                    return checkInProcess(["--manifests", dir]);
                },
                status: 0,
                says: /^note: skipped .*inputs\/loop: the directory .*inputs again, through a symlink .*\nnote: skipped .*inputs\/sub\/up: the directory .*inputs again, .*\n(.*\n)*check .*: 1 resource, 1 Kubernetes object; 0 schema errors/m,
            },
            {
                what: "a symlink to a file that does not exist",
                run: (box) => {
                    const dir = folder(box);
                    fs.symlinkSync("gone.yaml", path.join(dir, "link.yaml"));
                    return checkInProcess(["--manifests", dir]);
                },
                status: 2,
                says: /input error: --manifests .*inputs\/link\.yaml: cannot read it: a symlink to a file that does not exist/,
            },
            {
                what: "a file over --max-file-mib, and a folder over --max-input-mib",
                run: async (box) => {
                    const dir = folder(box);
                    const one = await checkInProcess(["--manifests", dir, "--max-file-mib", "0.00001"]);
                    const all = await checkInProcess(["--manifests", dir, "--max-input-mib", "0.00001"]);
                    return {
                        status: Math.max(one.status!, all.status!),
                        stdout: one.stdout + all.stdout,
                        stderr: one.stderr + all.stderr,
                    };
                },
                status: 2,
                says: /more than 10 bytes in one file, the check's limit\nFix: split the input, or raise the limit with --max-file-mib <n>\n(.*\n)*.*more than 10 bytes in all its files together, the check's limit\nFix: .* --max-input-mib <n>/,
            },
            {
                what: "a device named on the command line (/dev/zero) is read up to the size limit, not forever",
                run: () => checkInProcess(["--manifests", "/dev/zero", "--max-file-mib", "1"]),
                status: 2,
                says: /^check: input error: --manifests \/dev\/zero: more than 1 MiB in one file, the check's limit\nFix: /m,
            },
            {
                what: "an echo of a 100,000-character name is cut to 80 characters",
                run: (box) =>
                    manifests(
                        box,
                        "long.yaml",
                        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${"a".repeat(100_000)}}\n`,
                    ),
                status: 1,
                says: /^schema +.*: metadata\.name: "a{79}… \(100002 characters\) is not a DNS-1123 subdomain/m,
            },
            {
                what: "a file no one may read: permission denied, never 'no such file'",
                run: (box) => {
                    const dir = folder(box);
                    fs.writeFileSync(path.join(dir, "secret.yaml"), "apiVersion: v1\n", { mode: 0o000 });
                    return spawnCheck(["--manifests", dir]);
                },
                status: 2,
                says: /input error: --manifests .*inputs\/secret\.yaml: cannot read it: permission denied \(EACCES\)/,
            },
        ];
        for (const c of cases) {
            it(`${c.what}: exit ${c.status}`, async () => {
                const r = await c.run(sandbox());
                const output = r.stdout + r.stderr;
                assert.equal(r.status, c.status, output.slice(0, 2000));
                assert.match(output, c.says);
                assert.doesNotMatch(output, /internal error/);
            });
        }

        it("a FIFO named *.yaml in a --manifests folder is listed as skipped and never opened (it once blocked forever)", async () => {
            const box = sandbox();
            const dir = folder(box);
            const fifo = guardedFifo(path.join(dir, "pipe.yaml"));
            try {
                const r = await checkInProcess(["--manifests", dir]);
                assert.equal(r.status, 0, r.stderr);
                assert.match(r.stdout, /^note: skipped .*inputs\/pipe\.yaml: a FIFO \(named pipe\), never opened$/m);
                assert.equal(await fifo.opened(), false);
            } finally {
                fifo.stop();
            }
        });
    });
});

/** A FIFO whose writer ends as soon as anyone opens it for reading: `opened()` says whether someone did. */
function guardedFifo(file: string): { opened(): Promise<boolean>; stop(): void } {
    assert.equal(spawnSync("mkfifo", [file]).status, 0);
    const writer = spawn("sh", ["-c", `echo > ${JSON.stringify(file)}`], { stdio: "ignore" });
    return {
        opened: async () => {
            await new Promise((resolve) => setTimeout(resolve, 200));
            return writer.exitCode !== null;
        },
        stop: () => writer.kill(),
    };
}

/** The check as a child process that honours file modes (as root too), so EACCES is real. */
function spawnCheck(args: string[]): CheckRun {
    return checkProcess(args, { honourPermissions: true });
}
