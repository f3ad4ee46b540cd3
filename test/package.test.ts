// @webstack/components as another Pulumi program uses it: built with `tsc -b`, packed with `npm pack`, installed
// from the tarball into a program in a temporary directory outside this repository, type-checked against the
// shipped .d.ts and run under Pulumi's mocks. What the installed package registers is asserted, not assumed.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Extractor, ExtractorConfig, ExtractorMessage } from "@microsoft/api-extractor";
import { REGISTRY_LOOKUP_TOKEN } from "../components/facts";
import { compareOutputs, projectOutputs } from "../tools/package/dist-outputs";

const REPO = path.resolve(__dirname, "..");
const COMPONENTS = path.join(REPO, "components");
const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
const DIGEST = `sha256:${"ab".repeat(32)}`;
/** An output whose source does not exist, as a rename leaves behind. */
const STALE_OUTPUT = path.join(REPO, "components", "dist", "renamed-away.js");

/** The consumer: plain Pulumi program code, importing the package by name only. */
const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { Api, WebStack, WebStackArgError } from "@webstack/components";

interface Registered { type: string; name: string; parent?: string }
const registered: Registered[] = [];
const problems: string[] = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name });
      return { id: args.name + "-id", state: args.inputs };
    },
    call: (args) => {
      if (args.token === "${REGISTRY_LOOKUP_TOKEN}") {
        // A pinned reference is served its own digest; a tag resolves to the one this registry holds.
        const pinned = /@(sha256:[0-9a-f]{64})$/.exec(args.inputs.name);
        return { sha256Digest: pinned ? pinned[1] : "${DIGEST}" };
      }
      return args.inputs;
    },
  },
  "consumer",
  "test",
  false,
);

const shop = new WebStack("shop", {
  namespace: "shop-prod",
  platform: "kubernetes",
  api: { image: "ghcr.io/acme/shop-api:1.0", command: ["node", "server.js"], port: 8080 },
  site: { replicas: 2, content: { image: "ghcr.io/acme/shop-site:1.0" } },
  route: { host: "shop.example.com", tlsSecretName: "shop-tls" },
});
// A TypeScript caller's mistake: the error must speak in argument paths, not stack config commands.
try {
  new Api("lonely", { namespace: "shop-prod", image: "ghcr.io/acme/shop-api:1.0", command: ["node"], replicas: 1 });
} catch (err) {
  problems.push(err instanceof WebStackArgError ? err.message : "not a WebStackArgError: " + String(err));
}
process.on("beforeExit", () => {
  shop.images.apply((images) => {
    process.stdout.write(JSON.stringify({ registered, problems, images, podSelector: shop.podSelector }));
    process.exit(0);
  });
});
`;

describe("@webstack/components installed from its tarball into a program outside the repo", function () {
    // npm pack + npm install (from the npm cache, else the registry) + tsc: minutes on a loaded machine.
    this.timeout(900_000);
    let program: string;
    let run: {
        registered: { type: string; name: string }[];
        problems: string[];
        images: Record<string, string>;
        podSelector: string;
    };

    before(function () {
        const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "webstack-consumer-"));
        program = path.join(workDir, "program");
        fs.mkdirSync(program);
        const npm = (args: string[], cwd: string) =>
            execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        // prepack runs `tsc -b`: the tarball holds what the package's own build wrote. An output left in dist/ by
        // a source since renamed (tsc never deletes one) must not ship.
        fs.mkdirSync(path.dirname(STALE_OUTPUT), { recursive: true });
        fs.writeFileSync(STALE_OUTPUT, "exports.renamedAway = true;\n");
        const tarball = npm(["pack", "--pack-destination", workDir, "--silent"], path.join(REPO, "components"))
            .trim()
            .split("\n")
            .pop()!;
        const pulumiVersion = JSON.parse(
            fs.readFileSync(path.join(REPO, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
        ).version;
        fs.writeFileSync(
            path.join(program, "package.json"),
            JSON.stringify({ name: "consumer", private: true, main: "index.js" }),
        );
        // --ignore-scripts: the provider packages' install scripts fetch plugins, which mocks never need.
        npm(
            [
                "install",
                path.join(workDir, tarball),
                `@pulumi/pulumi@${pulumiVersion}`,
                "--no-audit",
                "--no-fund",
                "--prefer-offline",
                "--ignore-scripts",
            ],
            program,
        );
        fs.writeFileSync(path.join(program, "index.ts"), PROGRAM);
        fs.writeFileSync(
            path.join(program, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: {
                    strict: true,
                    target: "es2020",
                    module: "commonjs",
                    moduleResolution: "node",
                    skipLibCheck: true,
                    types: [],
                },
                files: ["index.ts"],
            }),
        );
        execFileSync(process.execPath, [TSC, "-p", program], { cwd: program, encoding: "utf8" });
        run = JSON.parse(execFileSync(process.execPath, ["index.js"], { cwd: program, encoding: "utf8" }));
    });

    it("installs the package by name with compiled JS and types, none of its TypeScript sources", function () {
        const installed = path.join(program, "node_modules", "@webstack", "components");
        assert.ok(fs.existsSync(path.join(installed, "dist", "index.d.ts")));
        const files = execFileSync("find", [installed, "-name", "*.ts", "!", "-name", "*.d.ts"], {
            encoding: "utf8",
        }).trim();
        assert.strictEqual(files, "", "TypeScript sources shipped in the package");
        assert.ok(!fs.existsSync(path.join(installed, "dist", "renamed-away.js")), "a stale output shipped");
        assert.ok(!fs.existsSync(STALE_OUTPUT), "prepack left the stale output in components/dist");
    });

    it("registers the stack's components and Kubernetes objects from the installed package", function () {
        const byType = (type: string) =>
            run.registered
                .filter((r) => r.type === type)
                .map((r) => r.name)
                .sort();
        assert.deepStrictEqual(byType("webstack:index:WebStack"), ["shop"]);
        // The rejected Api registers its component before it validates its arguments, and nothing beneath it.
        assert.deepStrictEqual(byType("webstack:index:Api"), ["lonely", "shop-api"]);
        assert.deepStrictEqual(byType("kubernetes:apps/v1:Deployment"), ["shop-api", "shop-site"]);
        assert.deepStrictEqual(byType("kubernetes:apps/v1:StatefulSet"), ["shop-redis"]);
        assert.deepStrictEqual(byType("kubernetes:networking.k8s.io/v1:Ingress"), ["shop-route"]);
        assert.ok(byType("kubernetes:networking.k8s.io/v1:NetworkPolicy").length >= 4, JSON.stringify(run.registered));
    });

    it("deploys every image by the digest the registry lookup answered", function () {
        assert.deepStrictEqual(Object.keys(run.images).sort(), ["api", "content", "nginx", "redis"]);
        assert.strictEqual(run.images.api, `ghcr.io/acme/shop-api@${DIGEST}`);
        assert.strictEqual(run.podSelector, "app.kubernetes.io/part-of=shop,app.kubernetes.io/instance=shop-test");
    });

    it("tells a TypeScript caller the argument path, never a pulumi config command", function () {
        assert.strictEqual(run.problems.length, 1, JSON.stringify(run.problems));
        assert.match(run.problems[0], /^replicas: .*\(got 1\)/);
        assert.doesNotMatch(run.problems[0], /pulumi config/);
    });
});

/** Relative import specifiers of a TypeScript file (`from "./x"`, `require("./x")`). */
function relativeImports(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    return [...text.matchAll(/(?:from\s+|require\()\s*["'](\.{1,2}\/[^"']*)["']/g)].map((m) => m[1]);
}

describe("the repository's own code imports the component sources, never the package's compiled main", function () {
    it("no import outside components/ names a directory with a package.json (it would load components/dist)", function () {
        const files = execFileSync("git", ["ls-files", "*.ts"], { cwd: REPO, encoding: "utf8" })
            .trim()
            .split("\n")
            .filter((file) => !file.startsWith("components/") && !file.startsWith("test/fixtures/"));
        assert.ok(files.includes("index.ts"), "the program itself is among the files read");
        const packageDirImports = files.flatMap((file) =>
            relativeImports(path.join(REPO, file))
                .map((spec) => path.resolve(REPO, path.dirname(file), spec))
                .filter((target) => fs.existsSync(path.join(target, "package.json")))
                .map((target) => `${file} imports ${path.relative(REPO, target)}/: import its index file instead`),
        );
        assert.deepStrictEqual(packageDirImports, []);
    });
});

describe("components/dist holds exactly what the sources compile to (prepack: tools/package/dist-outputs.ts)", () => {
    it("compiles components/ alone: a .js and a .d.ts per source, the shared facts included, nothing from policy/", () => {
        const { outDir, outputs } = projectOutputs(path.join(REPO, "components", "tsconfig.json"));
        assert.strictEqual(outDir, path.join(REPO, "components", "dist"));
        for (const file of ["index", "web-stack", "facts", "did-you-mean"]) {
            assert.ok(outputs.includes(`${file}.js`) && outputs.includes(`${file}.d.ts`), file);
        }
        assert.deepStrictEqual(
            outputs.filter((file) => file.includes("/")),
            [],
            "every output is a file of components/ itself (issue 26: an edit to the pack never changes the package)",
        );
    });

    it("no file of components/ imports anything outside components/ (issue 26)", function () {
        const sources = fs.readdirSync(COMPONENTS).filter((file) => file.endsWith(".ts"));
        const outside = sources.flatMap((file) =>
            relativeImports(path.join(COMPONENTS, file))
                .filter((spec) => !path.resolve(COMPONENTS, spec).startsWith(COMPONENTS + path.sep))
                .map((spec) => `components/${file} imports ${spec}`),
        );
        assert.ok(sources.includes("facts.ts") && sources.includes("api.ts"), "the component sources are read");
        assert.deepStrictEqual(outside, []);
    });

    it("finds outputs no source compiles to (stale) and expected outputs that are gone (missing)", () => {
        const dist = fs.mkdtempSync(path.join(os.tmpdir(), "webstack-dist-"));
        for (const file of ["components/a.js", "components/a.d.ts", "components/old.js", "tsconfig.tsbuildinfo"]) {
            fs.mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
            fs.writeFileSync(path.join(dist, file), "");
        }
        const expected = ["components/a.d.ts", "components/a.js", "components/b.d.ts", "components/b.js"];
        assert.deepStrictEqual(compareOutputs(dist, expected), {
            stale: ["components/old.js"],
            missing: ["components/b.d.ts", "components/b.js"],
        });
        assert.deepStrictEqual(compareOutputs(path.join(dist, "none"), ["x.js"]), { stale: [], missing: ["x.js"] });
    });
});

const CONFIG = path.join(COMPONENTS, "api-extractor.json");

/** API Extractor on the built .d.ts, as CI runs it (not --local: a changed report fails instead of being written). */
function extract(mainEntryPointFilePath?: string): {
    succeeded: boolean;
    apiReportChanged: boolean;
    messages: string[];
} {
    const configObject = ExtractorConfig.loadFile(CONFIG);
    const config = ExtractorConfig.prepare({
        configObject: mainEntryPointFilePath ? { ...configObject, mainEntryPointFilePath } : configObject,
        configObjectFullPath: CONFIG,
        packageJsonFullPath: path.join(COMPONENTS, "package.json"),
    });
    const messages: string[] = [];
    const result = Extractor.invoke(config, {
        localBuild: false,
        messageCallback: (message: ExtractorMessage) => {
            messages.push(message.text);
            message.handled = true;
        },
    });
    return { succeeded: result.succeeded, apiReportChanged: result.apiReportChanged, messages };
}

describe("@webstack/components public surface (API Extractor report, issue 26)", function () {
    this.timeout(120_000);
    before(function () {
        // The .d.ts API Extractor reads; in this file, so no other test file's build of dist/ runs at the same time.
        execFileSync(process.execPath, [TSC, "-b", COMPONENTS], { stdio: "pipe" });
    });

    it("components/webstack-components.api.md is the surface components/index.ts exports. Fix: npm run api-report and commit the report", function () {
        const { succeeded, apiReportChanged, messages } = extract();
        assert.ok(succeeded && !apiReportChanged, messages.join("\n"));
    });

    it("an export added without the report fails the check", function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "api-report-"));
        const widened = path.join(dir, "index-widened.d.ts");
        const entry = path.join(COMPONENTS, "dist", "index");
        fs.writeFileSync(
            widened,
            `export * from ${JSON.stringify(entry)};\nexport declare const addedWithoutReview: number;\n`,
        );
        try {
            const { succeeded, apiReportChanged } = extract(widened);
            assert.strictEqual(apiReportChanged, true);
            assert.strictEqual(succeeded, false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
