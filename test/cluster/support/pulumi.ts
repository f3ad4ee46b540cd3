// Runs Pulumi programs of this repo against the local cluster through the Automation API. The Node.js language
// host cannot be built from the Go module proxy (docs/engine.md), so programs run inline in this process:
// the CLI from `npm run engine:install` (.engine/) drives them exactly as `pulumi up` would.
import { EngineEvent, LocalWorkspace, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { SUITE_KUBECONFIG, suiteKubectl, suiteKubectlPath } from "./cluster";
import { PROVIDER_ENV } from "../../../program/provider-env";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const ENGINE_ENV = path.join(REPO_ROOT, ".engine", "env.sh");
/** The random/docker plugins' stand-ins (their Go modules are not served); test:engine's, shared. */
const STANDINS = path.join(REPO_ROOT, "test", "engine", "standins");

/** The engine's environment (PATH, PULUMI_HOME, WEBSTACK_POLICY_PACK…) as `source .engine/env.sh` sets it. */
export function engineEnv(): Record<string, string> {
    if (!fs.existsSync(ENGINE_ENV)) {
        throw new Error(
            `${ENGINE_ENV} is missing. Fix: npm run engine:install (builds the Pulumi CLI and the kubernetes provider)`,
        );
    }
    const dump = execFileSync("bash", ["-c", `. "${ENGINE_ENV}" && env -0`], { encoding: "utf8" });
    const env = Object.fromEntries(
        dump
            .split("\0")
            .filter(Boolean)
            .map((line) => {
                const eq = line.indexOf("=");
                return [line.slice(0, eq), line.slice(eq + 1)];
            }),
    );
    const kubectlBin = suiteKubectlPath();
    env.PATH = [STANDINS, ...(path.isAbsolute(kubectlBin) ? [path.dirname(kubectlBin)] : []), env.PATH].join(
        path.delimiter,
    );
    return env;
}

/** The `config:` of a committed Pulumi.<stack>.yaml, for tests to change a copy of. */
export function committedStackConfig(stack: string): Record<string, unknown> {
    const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
    return (parseYaml(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
}

/** Runs a top-level program file (index.ts, an incident program) as an inline program, fresh each run. */
export function programFile(file: string, before?: () => void): PulumiFn {
    return async () => {
        for (const cached of Object.keys(require.cache)) {
            if (
                cached.startsWith(REPO_ROOT) &&
                !cached.includes(`${path.sep}node_modules${path.sep}`) &&
                !cached.includes(`${path.sep}test${path.sep}cluster${path.sep}`) &&
                !cached.includes(`${path.sep}tools${path.sep}`)
            ) {
                delete require.cache[cached];
            }
        }
        before?.();
        return { ...(await import(file)) };
    };
}

export interface TestStack {
    stack: Stack;
    workDir: string;
    /** Environment the CLI runs with (also for `npm run verify`, which calls `pulumi stack output`). */
    env: Record<string, string>;
}

let stateDir: string | undefined;

/** A stack of project `webstack` on a throw-away file backend, configured with `config`, talking to the suite's cluster. */
export async function testStack(name: string, config: Record<string, unknown>, program: PulumiFn): Promise<TestStack> {
    stateDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "webstack-cluster-state-"));
    const env = {
        ...engineEnv(),
        KUBECONFIG: SUITE_KUBECONFIG,
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: "cluster-tests-only",
        // What docs/deploying.md has a user export for the provider's Deployment await (program/provider-env.ts).
        ...PROVIDER_ENV,
    };
    // The CLI and the plugins it starts inherit this process's environment too (kubectl, the provider, the stand-ins).
    Object.assign(process.env, env);
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `webstack-cluster-${name}-`));
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: name, projectName: "webstack", program },
        {
            workDir,
            envVars: env,
            projectSettings: { name: "webstack", runtime: "nodejs", backend: { url: env.PULUMI_BACKEND_URL } },
            stackSettings: {
                [name]: {
                    config: Object.fromEntries(
                        Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `webstack:${k}`, v]),
                    ),
                },
            },
        },
    );
    return { stack, workDir, env };
}

/** Replaces the stack's config (keys without a project prefix get `webstack:`). */
export async function setStackConfig(s: TestStack, config: Record<string, unknown>): Promise<void> {
    // Keep the rest of the settings: encryptionsalt ties the passphrase to the secrets already in the state.
    const settings = await s.stack.workspace.stackSettings(s.stack.name);
    await s.stack.workspace.saveStackSettings(s.stack.name, {
        ...settings,
        config: Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `webstack:${k}`, v])),
    });
}

/** Collects the engine's events of one operation, in order. */
export function eventLog(): { events: EngineEvent[]; onEvent: (e: EngineEvent) => void } {
    const events: EngineEvent[] = [];
    return { events, onEvent: (e) => events.push(e) };
}

/** Removes every stack's work dir and the file backend (after the suite). */
export function removeStackDirs(stacks: TestStack[]): void {
    for (const s of stacks) {
        fs.rmSync(s.workDir, { recursive: true, force: true });
    }
    if (stateDir) {
        fs.rmSync(stateDir, { recursive: true, force: true });
        stateDir = undefined;
    }
}

/** kubectl against the suite's cluster; returns stdout, throws with stderr. */
export function kubectl(...args: string[]): string {
    return suiteKubectl(args);
}

export function kubectlJson<T = any>(...args: string[]): T {
    return JSON.parse(kubectl(...args, "-o", "json")) as T;
}

/** `kubectl apply --server-side` of objects given as values. */
export function kubectlApply(objects: object[]): void {
    suiteKubectl(
        ["apply", "--server-side", "-f", "-"],
        JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
    );
}
