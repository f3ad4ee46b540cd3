import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { runProgram } from "../offline/run-program";
import { loadStackConfigFile, withConfigOverrides } from "../offline/stack-config";
import { main, promote, PromoteRequest } from "../scripts/promote";

const API_NEW = `ghcr.io/org/shop-api@sha256:${"b".repeat(64)}`;
const API_OLD = `ghcr.io/org/shop-api@sha256:${"a".repeat(64)}`;
const NGINX = `docker.io/nginxinc/nginx-unprivileged@sha256:${"c".repeat(64)}`;
const REDIS = `docker.io/valkey/valkey@sha256:${"d".repeat(64)}`;
const INTERNAL = "image-registry.openshift-image-registry.svc:5000";

const QA_FILE = `# qa runs only promoted digests (L12)
config:
  webstack:namespace: shop-qa # one namespace per stack (L06)
  webstack:requireDigest: true
  webstack:api:
    # promoted from dev by npm run promote
    image: ${API_OLD} # keep me
    replicas: 2
    command: [gunicorn, -b, "0.0.0.0:5000", app:app]
  webstack:dbPassword:
    secure: v1:abcdEFGH==
`;

function request(overrides: Partial<PromoteRequest> = {}): PromoteRequest {
    return {
        from: "dev",
        to: "qa",
        images: { api: API_NEW, migration: API_NEW, nginx: NGINX, redis: REDIS },
        stackFile: QA_FILE,
        project: "webstack",
        internalRegistries: [INTERNAL],
        retagInternal: false,
        ...overrides,
    };
}

describe("promote: dev's deployed digests into Pulumi.qa.yaml (L12, L23)", () => {
    it("L12: writes every deployed digest under its config key", () => {
        const result = promote(request());
        const config = YAML.parse(result.stackFile).config;
        assert.strictEqual(config["webstack:api"].image, API_NEW);
        assert.strictEqual(config["webstack:site"].image, NGINX);
        assert.strictEqual(config["webstack:redis"].image, REDIS);
        assert.deepStrictEqual(result.changes, [
            `api.image: ${API_OLD} → ${API_NEW}`,
            `site.image: (unset) → ${NGINX}`,
            `redis.image: (unset) → ${REDIS}`,
        ]);
    });

    it("L13: leaves migration.image unset while the migration runs the API's digest", () => {
        const config = YAML.parse(promote(request()).stackFile).config;
        assert.strictEqual(config["webstack:migration"], undefined);
        const separate = `ghcr.io/org/shop-migrate@sha256:${"e".repeat(64)}`;
        const withOwn = YAML.parse(
            promote(request({ images: { api: API_NEW, migration: separate } })).stackFile,
        ).config;
        assert.strictEqual(withOwn["webstack:migration"].image, separate);
    });

    it("L23: keeps comments, secure values and other keys byte for byte", () => {
        const { stackFile } = promote(request({ images: { api: API_NEW } }));
        assert.strictEqual(stackFile, QA_FILE.replace(API_OLD, API_NEW));
    });

    it("L14: changes nothing when qa already runs the digests dev deployed", () => {
        const once = promote(request());
        const twice = promote(request({ stackFile: once.stackFile }));
        assert.deepStrictEqual(twice.changes, []);
        assert.strictEqual(twice.stackFile, once.stackFile);
    });

    it("L22: rejects an image role it cannot map to a config key, naming it", () => {
        assert.throws(
            () => promote(request({ images: { worker: API_NEW } })),
            /images\.worker: no config key is known for this image role/,
        );
    });
});

describe("promote: the migration's schema version goes with the digests (L13, L23)", () => {
    const withMigration = (migration: string) =>
        QA_FILE.replace("  webstack:dbPassword:", `  webstack:migration:\n${migration}  webstack:dbPassword:`);

    it("[L13, L23] writes dev's schemaVersion into qa's migration, so reverting the promotion lowers it (refused by the guard)", () => {
        const qa = withMigration("    command: [flask, db, upgrade]\n    schemaVersion: 2 # declared by the release\n");
        const result = promote(request({ images: { api: API_NEW }, stackFile: qa, schemaVersion: 3 }));
        assert.strictEqual(
            result.stackFile,
            qa.replace(API_OLD, API_NEW).replace("schemaVersion: 2 #", "schemaVersion: 3 #"),
            "in place, comment kept",
        );
        assert.deepStrictEqual(result.changes, [
            `api.image: ${API_OLD} → ${API_NEW}`,
            "migration.schemaVersion: 2 → 3",
        ]);
        assert.strictEqual(YAML.parse(result.stackFile).config["webstack:migration"].schemaVersion, 3, "a number");
    });

    it("[L13, L23] adds schemaVersion when qa has none; leaves qa alone at the default or without a migration", () => {
        const qa = withMigration("    command: [flask, db, upgrade]\n");
        const added = promote(request({ images: { api: API_NEW }, stackFile: qa, schemaVersion: 1 }));
        assert.strictEqual(YAML.parse(added.stackFile).config["webstack:migration"].schemaVersion, 1);
        assert.deepStrictEqual(added.changes.slice(1), ["migration.schemaVersion: (unset) → 1"]);
        const atDefault = promote(request({ images: { api: API_NEW }, stackFile: qa, schemaVersion: 0 }));
        assert.strictEqual(atDefault.stackFile, qa.replace(API_OLD, API_NEW));
        const noMigration = promote(request({ images: { api: API_NEW }, schemaVersion: 4 }));
        assert.strictEqual(noMigration.stackFile, QA_FILE.replace(API_OLD, API_NEW));
    });
});

describe("promote: images in dev's internal registry (L06)", () => {
    const devInternal = `${INTERNAL}/shop-dev/shop-api@sha256:${"b".repeat(64)}`;

    it("L06: refuses an image in dev's namespace of the internal registry, printing the oc tag fix", () => {
        assert.throws(
            () => promote(request({ images: { api: devInternal } })),
            (err: Error) => {
                assert.match(
                    err.message,
                    /images\.api: .*shop-dev\/shop-api@sha256:b{64} lives in namespace shop-dev's internal registry; pods in shop-qa cannot pull it \(ImagePullBackOff, L06\)/,
                );
                assert.match(
                    err.message,
                    /run oc tag shop-dev\/shop-api@sha256:b{64} shop-qa\/shop-api:promoted-dev and promote again with --retag-internal/,
                );
                return true;
            },
        );
    });

    it("L06: with --retag-internal writes the same digest in qa's namespace and lists the oc tag command", () => {
        const result = promote(request({ images: { api: devInternal }, retagInternal: true }));
        assert.strictEqual(
            YAML.parse(result.stackFile).config["webstack:api"].image,
            `${INTERNAL}/shop-qa/shop-api@sha256:${"b".repeat(64)}`,
        );
        assert.deepStrictEqual(result.commands, [
            `oc tag shop-dev/shop-api@sha256:${"b".repeat(64)} shop-qa/shop-api:promoted-dev`,
        ]);
    });

    it("L06: needs qa's namespace to place an internal image", () => {
        const noNamespace = QA_FILE.replace(/^ {2}webstack:namespace:.*\n/m, "");
        assert.throws(
            () => promote(request({ images: { api: devInternal }, stackFile: noNamespace, retagInternal: true })),
            /Pulumi\.qa\.yaml sets no namespace .*Fix: pulumi config set namespace <ns> --stack qa \[L06\]/,
        );
    });
});

describe("promote: command line on a temp copy of the stack files (L23)", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "promote-"));
        fs.copyFileSync(path.join(__dirname, "..", "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.qa.yaml"), QA_FILE);
        fs.writeFileSync(
            path.join(dir, "dev-outputs.json"),
            JSON.stringify({ url: "https://shop-dev.example.com/", images: { api: API_NEW } }),
        );
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("L23: --outputs <file> promotes, and promoting the older outputs again is the rollback", () => {
        const lines: string[] = [];
        assert.strictEqual(
            main(["--from", "dev", "--to", "qa", "--outputs", path.join(dir, "dev-outputs.json")], dir, (l) =>
                lines.push(l),
            ),
            0,
        );
        assert.strictEqual(
            YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.qa.yaml"), "utf8")).config["webstack:api"].image,
            API_NEW,
        );
        assert.match(lines.join("\n"), /wrote .*Pulumi\.qa\.yaml/);

        fs.writeFileSync(path.join(dir, "old-outputs.json"), JSON.stringify({ images: { api: API_OLD } }));
        main(["--from", "dev", "--to", "qa", "--outputs", path.join(dir, "old-outputs.json")], dir, () => undefined);
        assert.strictEqual(fs.readFileSync(path.join(dir, "Pulumi.qa.yaml"), "utf8"), QA_FILE);
    });

    it("L23: --dry-run reports the change and leaves the file alone", () => {
        const lines: string[] = [];
        main(["--from", "dev", "--to", "qa", "--outputs", path.join(dir, "dev-outputs.json"), "--dry-run"], dir, (l) =>
            lines.push(l),
        );
        assert.match(lines.join("\n"), new RegExp(`api\\.image: ${API_OLD.replace(/[.]/g, "\\.")} → `));
        assert.strictEqual(fs.readFileSync(path.join(dir, "Pulumi.qa.yaml"), "utf8"), QA_FILE);
    });

    /** Promotes `outputs` (written as the source's outputs file) and expects `refusal`, with qa's file unchanged. */
    function assertRefused(outputs: object, refusal: RegExp) {
        fs.writeFileSync(path.join(dir, "dev-outputs.json"), JSON.stringify(outputs));
        assert.throws(
            () =>
                main(
                    ["--from", "dev", "--to", "qa", "--outputs", path.join(dir, "dev-outputs.json")],
                    dir,
                    () => undefined,
                ),
            refusal,
        );
        assert.strictEqual(fs.readFileSync(path.join(dir, "Pulumi.qa.yaml"), "utf8"), QA_FILE);
    }

    it("L12: refuses outputs whose images are not digest-pinned", () => {
        assertRefused(
            { images: { api: "ghcr.io/org/shop-api:main" } },
            /images\.api is not a digest-pinned reference \(got "ghcr\.io\/org\/shop-api:main"\)/,
        );
    });

    it("[L23] refuses a schemaVersion output that is not a version, writing nothing", () => {
        assertRefused(
            { images: { api: API_NEW }, schemaVersion: "3" },
            /output "schemaVersion" is not a schema version \(got "3"\)/,
        );
    });

    it("L22: without --outputs asks the pulumi CLI and explains how to do without it", () => {
        const cli = process.env.PATH;
        process.env.PATH = dir; // no pulumi binary here
        try {
            assert.throws(
                () => main(["--from", "dev", "--to", "qa"], dir, () => undefined),
                /cannot read the outputs of stack "dev": the pulumi CLI is not installed\. Fix: .*--outputs <file>/,
            );
        } finally {
            process.env.PATH = cli;
        }
    });

    it("L22: rejects a missing target stack file and identical stacks", () => {
        assert.throws(
            () => main(["--from", "dev", "--to", "prod", "--outputs", path.join(dir, "dev-outputs.json")], dir),
            /Pulumi\.prod\.yaml does not exist/,
        );
        assert.throws(() => main(["--from", "qa", "--to", "qa"], dir), /--from and --to are both "qa"/);
        assert.throws(() => main(["--to", "qa"], dir), /--from and --to are required/);
    });
});

describe("promote: end to end with the real program and stack files (L06, L12, L23)", function () {
    // Two program runs one after the other on a possibly loaded machine.
    this.timeout(600_000);

    it("L12/L23: after promotion qa deploys exactly the digests dev deployed (internal images moved to qa's namespace)", async () => {
        const root = path.join(__dirname, "..");
        const newApi = `sha256:${"5".repeat(64)}`;
        const devBase = loadStackConfigFile(path.join(root, "Pulumi.dev.yaml"), "webstack");
        const devApi = JSON.parse(devBase.config["webstack:api"]);
        const devRun = await runProgram({
            program: path.join(root, "index.ts"),
            stack: "dev",
            config: withConfigOverrides(devBase, {
                "webstack:api": { ...devApi, image: `${INTERNAL}/qr-demo-dev/north-api@${newApi}` },
            }),
        });

        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promote-e2e-"));
        try {
            fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.copyFileSync(path.join(root, "Pulumi.qa.yaml"), path.join(dir, "Pulumi.qa.yaml"));
            fs.writeFileSync(path.join(dir, "dev-outputs.json"), JSON.stringify(devRun.stackOutputs));
            const args = ["--from", "dev", "--to", "qa", "--outputs", path.join(dir, "dev-outputs.json")];
            assert.throws(
                () => main(args, dir, () => undefined),
                /qr-demo-dev's internal registry; pods in qr-demo-qa cannot pull it/,
            );
            const lines: string[] = [];
            assert.strictEqual(
                main([...args, "--retag-internal"], dir, (l) => lines.push(l)),
                0,
            );
            assert.match(
                lines.join("\n"),
                new RegExp(`run: oc tag qr-demo-dev/north-api@${newApi} qr-demo-qa/north-api:promoted-dev`),
            );

            const promoted = fs.readFileSync(path.join(dir, "Pulumi.qa.yaml"), "utf8");
            const original = fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8");
            const removed = original.split("\n").filter((line) => !promoted.split("\n").includes(line));
            assert.deepStrictEqual(
                removed.map((l) => l.trim().split(":")[0]),
                ["image"],
                "only the api image line changed; comments and keys kept",
            );

            const qaRun = await runProgram({
                program: path.join(root, "index.ts"),
                stack: "qa",
                config: loadStackConfigFile(path.join(dir, "Pulumi.qa.yaml"), "webstack"),
            });
            const toQa = (ref: string) => ref.replace(`${INTERNAL}/qr-demo-dev/`, `${INTERNAL}/qr-demo-qa/`);
            const devImages = devRun.stackOutputs.images as Record<string, string>;
            assert.deepStrictEqual(
                qaRun.stackOutputs.images,
                Object.fromEntries(Object.entries(devImages).map(([role, ref]) => [role, toQa(ref)])),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
