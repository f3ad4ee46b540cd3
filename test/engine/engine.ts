/**
 * Drives the real Pulumi CLI built by `npm run engine:install` (.engine/, see tools/engine/install.sh).
 *
 * Every test works in its own temp dir: a project dir (Pulumi.yaml + Pulumi.<stack>.yaml copied from the repo),
 * a `file://` backend, and the kubernetes provider's `renderYamlToDirectory` inside that dir — render mode writes
 * Secret data in plain text, so it must never point anywhere else. Secrets use the passphrase provider.
 *
 * The Node.js language host is not served by the Go module proxy, so programs run the way the Automation API
 * runs inline programs: this process serves @pulumi/pulumi's own LanguageServer on 127.0.0.1 and the CLI is
 * started with `--client=<address>`; everything else (`pulumi preview --json`, `pulumi up`, `pulumi destroy`,
 * `pulumi config set --secret`, `pulumi stack export/import`) is the plain CLI command.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { LanguageServer } from "@pulumi/pulumi/automation/server";
import { LanguageRuntimeService } from "@pulumi/pulumi/proto/language_grpc_pb";
import * as YAML from "yaml";
import { PROVIDER_ENV } from "../../program/provider-env";

export const ROOT = path.resolve(__dirname, "..", "..");
const ENGINE_DIR = path.join(ROOT, ".engine");
const STANDINS = path.join(__dirname, "standins");
export const PASSPHRASE = "test-engine-passphrase";

// The Automation API's in-process language runtime: public behaviour, but its module's typings export nothing.
declare module "@pulumi/pulumi/automation/server" {
    export const LanguageServer: new (
        program: () => Promise<Record<string, unknown> | void>,
    ) => grpc.UntypedServiceImplementation;
}

/** `source .engine/env.sh`, read back from a shell: proves the file works and gives the tests its variables. */
export function engineEnv(): Record<string, string> {
    const envSh = path.join(ENGINE_DIR, "env.sh");
    if (!fs.existsSync(envSh)) {
        throw new Error(
            `${envSh} is missing. Fix: npm run engine:install (builds the Pulumi CLI and the kubernetes provider)`,
        );
    }
    const dump = spawnSync("bash", ["-c", `. "${envSh}" && env -0`], { encoding: "utf8" });
    const env: Record<string, string> = {};
    for (const entry of dump.stdout.split("\0").filter(Boolean)) {
        const at = entry.indexOf("=");
        env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    // The random and docker plugins cannot be built here: test-only stand-ins (test/engine/standins/provider.ts).
    env.PATH = `${env.PATH}:${STANDINS}`;
    return env;
}

export interface CliOptions {
    /** Resolve with a non-zero exit instead of rejecting. */
    allowFailure?: boolean;
    /** Variables added to the stack's environment for this command. */
    env?: Record<string, string>;
}

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Loads a Pulumi TypeScript program afresh (the repo's modules re-evaluated) and returns its exports as outputs. */
export function programFrom(entry: string): () => Promise<Record<string, unknown>> {
    return async () => {
        for (const key of Object.keys(require.cache)) {
            // Test files and this harness stay loaded: their module objects are in use.
            if (
                key.startsWith(ROOT) &&
                !key.includes(`${path.sep}node_modules${path.sep}`) &&
                key !== __filename &&
                !key.endsWith(".test.ts")
            ) {
                delete require.cache[key];
            }
        }
        const exported = await import(entry);
        return { ...exported };
    };
}

export const WEBSTACK = programFrom(path.join(ROOT, "index.ts"));

export interface StackOptions {
    stack: string;
    /** Pulumi.<stack>.yaml to start from; default the repo's. */
    configFile?: string;
    /** Extra `config:` entries (project keys without the `webstack:` prefix are not expanded: give full keys). */
    config?: Record<string, unknown>;
    /** Program the CLI runs; default the repo's index.ts. */
    program?: () => Promise<Record<string, unknown>>;
}

/** One stack of the webstack project in a temp dir with its own backend and render directory. */
export class EngineStack {
    readonly dir: string;
    readonly renderDir: string;
    readonly stack: string;
    program: () => Promise<Record<string, unknown>>;
    private readonly env: Record<string, string>;

    private constructor(dir: string, opts: StackOptions) {
        this.dir = dir;
        this.stack = opts.stack;
        this.renderDir = path.join(dir, "rendered");
        this.program = opts.program ?? WEBSTACK;
        this.env = {
            ...engineEnv(),
            PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            // What docs/deploying.md has a user export for the provider's Deployment await (program/provider-env.ts).
            ...PROVIDER_ENV,
            // No terminal: plain, uncoloured output the assertions can read.
            NO_COLOR: "1",
        };
    }

    /** `pulumi stack init` in a fresh temp dir, with render mode and no registry lookups configured. */
    static async create(opts: StackOptions): Promise<EngineStack> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `webstack-engine-${opts.stack}-`));
        fs.mkdirSync(path.join(dir, "state"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        const self = new EngineStack(dir, opts);
        self.useConfigFile(opts.configFile ?? path.join(ROOT, `Pulumi.${opts.stack}.yaml`), opts.config);
        await self.cli(["stack", "init", opts.stack, "--secrets-provider", "passphrase"]);
        return self;
    }

    /**
     * Replaces the stack's config with `configFile`'s (plus the harness's render-mode keys and `extra`), keeping the
     * stack's own encryption salt: what a user's stack file looks like after pulling a new version of the repository.
     */
    useConfigFile(configFile: string, extra?: Record<string, unknown>): void {
        const stackFile = YAML.parse(fs.readFileSync(configFile, "utf8")) ?? {};
        const salt: unknown = fs.existsSync(this.stackFile)
            ? YAML.parse(fs.readFileSync(this.stackFile, "utf8"))?.encryptionsalt
            : undefined;
        stackFile.config = {
            ...stackFile.config,
            // The provider writes YAML here instead of calling a cluster (inside the temp dir: Secret data is plain text).
            "kubernetes:renderYamlToDirectory": this.renderDir,
            // Digest lookups need the registry: nothing may leave 127.0.0.1 (the digests in config are taken as they are).
            "webstack:verifyImageDigests": false,
            ...extra,
        };
        fs.writeFileSync(
            this.stackFile,
            YAML.stringify(salt === undefined ? stackFile : { ...stackFile, encryptionsalt: salt }),
        );
    }

    get stackFile(): string {
        return path.join(this.dir, `Pulumi.${this.stack}.yaml`);
    }

    /** Runs `pulumi <args>`; rejects on a non-zero exit unless `allowFailure`. `env` adds to the stack's variables. */
    cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
        return new Promise((resolve, reject) => {
            const child = spawn("pulumi", args, {
                cwd: this.dir,
                env: { ...this.env, ...opts.env },
                stdio: ["ignore", "pipe", "pipe"],
            });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk) => (stdout += chunk));
            child.stderr.on("data", (chunk) => (stderr += chunk));
            child.on("error", reject);
            child.on("close", (code) => {
                const result = { code: code ?? -1, stdout, stderr };
                if (result.code !== 0 && !opts.allowFailure) {
                    reject(new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${stdout}\n${stderr}`));
                } else {
                    resolve(result);
                }
            });
        });
    }

    /** `pulumi <args> --client=<address>`: the command with this stack's program served from this process. */
    async withProgram(args: string[], opts: CliOptions = {}): Promise<CliResult> {
        const server = new grpc.Server();
        server.addService(LanguageRuntimeService, new LanguageServer(this.program));
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
                err ? reject(err) : resolve(p),
            ),
        );
        // A user's shell gives the program and the CLI one environment; the inline program runs in this process, so
        // it sees the provider variables this command's CLI gets (a test may turn one off with `opts.env`).
        const cliEnv: Record<string, string | undefined> = { ...this.env, ...opts.env };
        const saved = Object.keys(PROVIDER_ENV).map((name) => [name, process.env[name]] as const);
        const setEnv = (name: string, value: string | undefined) =>
            value === undefined ? delete process.env[name] : (process.env[name] = value);
        saved.forEach(([name]) => setEnv(name, cliEnv[name]));
        try {
            return await this.cli([...args, "--stack", this.stack, `--client=127.0.0.1:${port}`], opts);
        } finally {
            server.forceShutdown();
            saved.forEach(([name, value]) => setEnv(name, value));
        }
    }

    /** `pulumi preview --json [...]`, parsed (the document scripts/drift-report.ts reads). */
    async previewJson(
        args: string[] = [],
        opts: CliOptions = {},
    ): Promise<{ result: CliResult; digest: PreviewDigest }> {
        const result = await this.withProgram(["preview", "--json", ...args], opts);
        return { result, digest: JSON.parse(result.stdout) };
    }

    /** `pulumi stack export`: the state file's deployment (secrets stay encrypted). */
    async exportState(): Promise<any> {
        return JSON.parse((await this.cli(["stack", "export", "--stack", this.stack])).stdout);
    }

    async importState(state: unknown): Promise<void> {
        const file = path.join(this.dir, "edited-state.json");
        fs.writeFileSync(file, JSON.stringify(state));
        await this.cli(["stack", "import", "--stack", this.stack, "--file", file]);
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export interface PreviewStep {
    op: string;
    urn: string;
    diffReasons?: string[];
    replaceReasons?: string[];
}

export interface PreviewDigest {
    steps: PreviewStep[];
    diagnostics?: { urn?: string; message?: string; severity?: string }[];
    policyViolations?: { policyName: string; enforcementLevel: string; message: string; urn?: string }[];
    changeSummary?: Record<string, number>;
}

/** The policy pack as the CLI loads it here: the executable analyzer tools/engine/install.sh writes. */
export function policyPack(): string {
    return engineEnv().WEBSTACK_POLICY_PACK;
}

/** Non-`same` steps of a preview as "op type::name", sorted. */
export function changesOf(steps: { op: string; urn: string }[]): string[] {
    return steps
        .filter((s) => s.op !== "same")
        .map((s) => `${s.op} ${stepName(s)}`)
        .sort();
}

/** `type::name` of a step, the way the tests name resources. */
export function stepName(step: PreviewStep): string {
    const parts = step.urn.split("::");
    const type = parts[2].slice(parts[2].lastIndexOf("$") + 1);
    return `${type}::${parts.slice(3).join("::")}`;
}
