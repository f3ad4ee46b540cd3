// `npm run check` for the tests, three ways: in this process (check's main() with its output captured: most tests,
// since a fresh process costs seconds of CPU to start), as package.json's `check` command in a child process, and
// through npm itself; the last two only for what is about the command as a process (exit status, pipes, stdin,
// npm's INIT_CWD and -s).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Writable } from "stream";
import { main } from "../../offline/check";

export const ROOT = path.join(__dirname, "..", "..");

/** Without GITHUB_ACTIONS, which switches the default format to annotations (tests run in CI too); npm sets INIT_CWD. */
const NPM_ENV: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== "GITHUB_ACTIONS" && key !== "INIT_CWD"),
);

/** The environment of `npm run check` started from the repository root (INIT_CWD is where npm was run). */
export const CHECK_ENV: NodeJS.ProcessEnv = { ...NPM_ENV, INIT_CWD: ROOT };

export interface CheckRun {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** A child process gets this long: generous, for a loaded 2-core machine. */
const PROCESS_TIMEOUT_MS = 300_000;

function collector(): { stream: Writable; text(): string } {
    const chunks: Buffer[] = [];
    const stream = new Writable({
        write(chunk: Buffer, _encoding, done) {
            chunks.push(Buffer.from(chunk));
            done();
        },
    });
    return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

/** `npm run check -- <args>` run from the repository root, in this process; `input` is what `--manifests -` reads. */
export async function checkInProcess(
    args: string[],
    env: NodeJS.ProcessEnv = CHECK_ENV,
    input?: string,
): Promise<CheckRun> {
    if (process.cwd() !== ROOT) {
        throw new Error(
            `the in-process check resolves its default program against the working directory: run the tests from ${ROOT}`,
        );
    }
    const stdout = collector();
    const stderr = collector();
    const readStdin = () =>
        input === undefined
            ? Promise.reject(new Error("the in-process check read stdin, but the test gave it no input"))
            : Promise.resolve(input);
    const status = await main(args, env, { stdout: stdout.stream, stderr: stderr.stream, readStdin });
    return { status, stdout: stdout.text(), stderr: stderr.text() };
}

/**
 * Capabilities root uses to ignore file permissions: dropped (setpriv) when the tests run as root, so that a
 * chmod 000 file is unreadable to the check as it is to any user.
 */
const PERMISSION_OVERRIDES = "-dac_override,-dac_read_search";

/**
 * package.json's `check` command (`node offline/launch.js`: the compiled checker) with this node, in a child process;
 * `honourPermissions`: as root, without the capabilities that bypass file modes.
 */
export function checkProcess(
    args: string[],
    opts: { input?: string; env?: NodeJS.ProcessEnv; honourPermissions?: boolean } = {},
): CheckRun {
    const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: { check: string };
    };
    const [command, ...nodeArgs] = packageJson.scripts.check.split(" ");
    if (command !== "node") {
        throw new Error(`package.json's check script no longer starts with node: ${command}`);
    }
    const argv = [process.execPath, ...nodeArgs, ...args];
    const asRoot = opts.honourPermissions === true && process.getuid?.() === 0;
    const [file, ...rest] = asRoot
        ? ["setpriv", `--inh-caps=${PERMISSION_OVERRIDES}`, `--bounding-set=${PERMISSION_OVERRIDES}`, ...argv]
        : argv;
    const result = spawnSync(file, rest, {
        cwd: ROOT,
        encoding: "utf8",
        env: opts.env ?? CHECK_ENV,
        input: opts.input,
        timeout: PROCESS_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `npm run -s check -- <args>` exactly as users type it (-s: without npm's banner on stdout). */
export function npmCheck(args: string[], opts: { cwd?: string; prefix?: boolean } = {}): CheckRun {
    const npmArgs = [...(opts.prefix ? ["--prefix", ROOT] : []), "run", "-s", "check", "--", ...args];
    const result = spawnSync("npm", npmArgs, {
        cwd: opts.cwd ?? ROOT,
        encoding: "utf8",
        env: NPM_ENV,
        timeout: PROCESS_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
