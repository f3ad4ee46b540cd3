// Starts real servers the way OpenShift runs them: an arbitrary UID in group 0, no capabilities, and a
// read-only root filesystem in which only the given directories are writable (L02, L26). The tests run as
// root; each server gets its own mount namespace (util-linux `unshare`) and drops to the UID with `setpriv`.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** A UID from an OpenShift namespace range: no passwd entry, not root, group 0. */
export const ARBITRARY_UID = 1000770000;

// Runs inside the new mount namespace as root: keep the writable dirs writable, make / read-only, drop to the UID.
const SANDBOX_SCRIPT = [
    "set -e",
    'IFS=:; for d in $WEBSTACK_RW_DIRS; do mount --bind "$d" "$d"; done; unset IFS',
    "mount -o remount,bind,ro /",
    'exec setpriv --reuid="$WEBSTACK_UID" --regid=0 --clear-groups -- "$@"',
].join("\n");

export interface SandboxSpec {
    /** Command and arguments run as {@link ARBITRARY_UID}. */
    command: string[];
    /** The only directories the process may write (group-0 writable, as an emptyDir or PVC would be). */
    writableDirs: string[];
    /** Where the process's stdout and stderr go (created owned by the UID, like the container's log pipe). */
    logFile: string;
}

let sandboxChecked = false;

/** Fails once, clearly, where the sandbox cannot work, instead of leaving a server log to decipher. */
function requireSandbox(): void {
    if (sandboxChecked) {
        return;
    }
    const probe = spawnSync(
        "unshare",
        ["--mount", "--", "setpriv", `--reuid=${ARBITRARY_UID}`, "--regid=0", "--clear-groups", "--", "true"],
        { encoding: "utf8" },
    );
    if (probe.status !== 0) {
        throw new Error(
            `the real-server tests start nginx and redis-server as UID ${ARBITRARY_UID} in a private mount namespace and need ` +
                `root with CAP_SYS_ADMIN plus util-linux (unshare, setpriv): ${probe.error?.message ?? probe.stderr.trim()}. ` +
                "Run them as root on a VM or in a privileged container (CI runs them as root).",
        );
    }
    sandboxChecked = true;
}

function sandboxInvocation(spec: SandboxSpec): { args: string[]; env: NodeJS.ProcessEnv } {
    return {
        args: ["--mount", "--", "sh", "-c", SANDBOX_SCRIPT, "sandbox", ...spec.command],
        env: {
            PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            HOME: "/",
            WEBSTACK_UID: String(ARBITRARY_UID),
            WEBSTACK_RW_DIRS: spec.writableDirs.join(":"),
        },
    };
}

function openLog(logFile: string): number {
    const fd = fs.openSync(logFile, "a", 0o660);
    fs.fchownSync(fd, ARBITRARY_UID, 0);
    return fd;
}

/** A fresh directory owned by root, group 0, mode 0770: writable only through group 0, as on OpenShift. */
export function makeGroupWritableDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.chownSync(dir, 0, 0);
    fs.chmodSync(dir, 0o770);
    return dir;
}

/** A fresh root-owned directory the UID can read but not write (content, config). */
export function makeReadOnlyDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.chmodSync(dir, 0o755);
    return dir;
}

/** Runs a command to completion in the sandbox (e.g. `nginx -t`); returns exit status and output. */
export function runSandboxed(spec: SandboxSpec): { status: number | null; output: string } {
    requireSandbox();
    const fd = openLog(spec.logFile);
    const before = fs.statSync(spec.logFile).size;
    try {
        const { args, env } = sandboxInvocation(spec);
        const result = spawnSync("unshare", args, { env, stdio: ["ignore", fd, fd], timeout: 60_000 });
        const output = fs.readFileSync(spec.logFile).subarray(before).toString();
        return { status: result.status, output };
    } finally {
        fs.closeSync(fd);
    }
}

export interface SandboxedProcess {
    /** pid of the server itself (unshare, sh and setpriv exec into it) and of its process group. */
    pid: number;
    child: ChildProcess;
    /** Resolves once the process has exited. */
    exited: Promise<void>;
    /** Everything the process wrote to stdout/stderr so far. */
    log(): string;
    /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when gone. Safe to call twice. */
    stop(graceMs?: number): Promise<void>;
    /** SIGKILL to the process group (a crash, L10); resolves when gone. */
    kill9(): Promise<void>;
}

/** Process groups started here and not yet exited: killed if this process exits first (a test run aborted). */
const liveGroups = new Set<number>();
process.on("exit", () => {
    for (const pgid of liveGroups) {
        try {
            process.kill(-pgid, "SIGKILL");
        } catch {
            // already gone
        }
    }
});

export function startSandboxed(spec: SandboxSpec): SandboxedProcess {
    requireSandbox();
    const fd = openLog(spec.logFile);
    const { args, env } = sandboxInvocation(spec);
    // detached: its own process group, so stopping it also stops nginx workers or a Redis rewrite child.
    const child = spawn("unshare", args, { env, stdio: ["ignore", fd, fd], detached: true });
    fs.closeSync(fd);
    if (child.pid === undefined) {
        throw new Error(`could not start ${spec.command.join(" ")}`);
    }
    const pid = child.pid;
    liveGroups.add(pid);
    let running = true;
    const exited = new Promise<void>((resolve) =>
        child.once("exit", () => {
            running = false;
            liveGroups.delete(pid); // never signal a process group id that may be reused
            resolve();
        }),
    );
    const signal = (sig: NodeJS.Signals): void => {
        try {
            process.kill(-pid, sig);
        } catch {
            // already gone
        }
    };
    const stop = async (graceMs = 3000): Promise<void> => {
        if (!running) {
            return;
        }
        signal("SIGTERM");
        const timer = setTimeout(() => signal("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
        signal("SIGKILL"); // leftovers of the group, e.g. workers of a master that died first
    };
    const kill9 = async (): Promise<void> => {
        signal("SIGKILL");
        await exited;
    };
    return { pid, child, exited, log: () => fs.readFileSync(spec.logFile, "utf8"), stop, kill9 };
}

/** The real and effective UID and GID of a running process, read from /proc. */
export function processIdentity(pid: number): { uids: number[]; gids: number[] } {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string): number[] =>
        (new RegExp(`^${name}:\\s+(.*)$`, "m").exec(status)?.[1] ?? "").trim().split(/\s+/).map(Number);
    return { uids: field("Uid"), gids: field("Gid") };
}

/** pids of the children of a process (nginx workers, for instance). */
export function childPids(pid: number): number[] {
    const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return text === "" ? [] : text.split(/\s+/).map(Number);
}

/**
 * A TCP port free on 127.0.0.1 right now, for a server started a moment later (nginx, redis-server).
 * Chosen at random below the kernel's ephemeral range: a port the kernel handed out (listen on 0) can be
 * taken in between as the source port of any outgoing connection on a busy machine, and random choice keeps
 * parallel test workers apart.
 */
export async function freePort(): Promise<number> {
    const [ephemeralLow] = fs
        .readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
        .trim()
        .split(/\s+/)
        .map(Number);
    const high = Math.min(ephemeralLow || 32768, 32768);
    const low = high - 12_000;
    for (let attempt = 0; attempt < 50; attempt++) {
        const port = low + Math.floor(Math.random() * (high - low));
        if (await canListen(port)) {
            return port;
        }
    }
    throw new Error(`no free TCP port found on 127.0.0.1 between ${low} and ${high} after 50 tries`);
}

function canListen(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once("error", () => resolve(false));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
}

/** Waits until something accepts TCP connections on 127.0.0.1:port; fails early if `proc` exits. */
export async function waitForPort(port: number, proc: SandboxedProcess, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void proc.exited.then(() => (exited = true));
    while (Date.now() < deadline) {
        if (exited) {
            throw new Error(`server exited before listening on ${port}:\n${proc.log()}`);
        }
        const open = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, "127.0.0.1");
            socket.once("connect", () => {
                socket.destroy();
                resolve(true);
            });
            socket.once("error", () => resolve(false));
        });
        if (open) {
            return;
        }
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nothing listened on ${port} within ${timeoutMs} ms:\n${proc.log()}`);
}

/** Polls `probe` every 10 ms until it returns a value (not undefined); fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 10));
    }
}
