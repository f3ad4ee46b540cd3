// The generated redis.conf on a real redis-server, run as an arbitrary UID in group 0 with a read-only root
// filesystem where only the data dir is writable, the password's hash read from the ACL file the component
// mounts from a Secret (mode 0440), and no password on any command line (L19).
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { REDIS_CLI_AUTH_ENV, redisPingCommand, redisServerCommand } from "../components/redis-conf";
import { ACL_FILE_MODE, REDIS_BIN, RedisFiles, writeRedisFiles } from "./support/redis";
import { RespClient, RespError, RespValue } from "./support/resp";
import {
    ARBITRARY_UID,
    childPids,
    freePort,
    processIdentity,
    SandboxedProcess,
    startSandboxed,
    until,
    waitForPort,
} from "./support/sandbox";

const REDIS_CLI = fs.existsSync("/usr/bin/redis-cli") ? "/usr/bin/redis-cli" : "redis-cli";
/** Runs the server's command after stopping itself, so the test can read the exact argv the server is started with. */
const STOP_BEFORE_EXEC = ["sh", "-c", 'kill -STOP $$; exec "$@"', "stopped"];

/** A process's command line as /proc shows it to every process that can see it. */
function cmdline(pid: number): string {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
}

/** The state letter of /proc/<pid>/stat (R, S, T for stopped, ...). */
function processState(pid: number): string {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0];
}

/** One acknowledged SET every WRITE_INTERVAL_MS for WRITE_DURATION_MS, then kill -9. */
const WRITE_INTERVAL_MS = 4;
const WRITE_DURATION_MS = 2500;
/** appendfsync everysec: at most about one second of acknowledged writes may be lost (L10). */
const MAX_LOSS_MS = 1000;

describe("redis.conf on a real redis-server as an arbitrary UID (L10, L19, L26)", function () {
    this.timeout(180_000);
    const password = crypto.randomBytes(16).toString("hex");
    let port: number;
    let files: RedisFiles | undefined;
    let dataDir: string;
    let logDir: string;
    let confFile: string;
    let aclFile: string;
    let server: SandboxedProcess | undefined;
    /** The command line of the server's process just before it became redis-server (its argv as started). */
    let startedWith = "";
    let starts = 0;

    async function start(): Promise<SandboxedProcess> {
        starts += 1;
        const proc = startSandboxed({
            command: [...STOP_BEFORE_EXEC, ...redisServerCommand(REDIS_BIN, confFile, aclFile)],
            writableDirs: [dataDir],
            logFile: path.join(logDir, `redis-${starts}.log`),
        });
        server = proc;
        startedWith = await until("the server's process to stop before exec", () =>
            processState(proc.pid) === "T" && cmdline(proc.pid).startsWith("sh -c kill -STOP")
                ? cmdline(proc.pid)
                : undefined,
        );
        process.kill(proc.pid, "SIGCONT");
        await waitForPort(port, proc);
        return proc;
    }

    /** Runs the component's probe command with the given environment; `whileRunning` sees its processes. */
    async function probe(env: Record<string, string>, whileRunning?: (pids: number[]) => void): Promise<number> {
        const [shell, ...args] = redisPingCommand(REDIS_CLI, port);
        const run = spawn(shell, args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stdio: "ignore" });
        const exited = new Promise<number>((resolve) => run.once("exit", (code) => resolve(code ?? -1)));
        if (whileRunning) {
            // The server is stopped: the CLI has connected and sent AUTH and waits for the answer.
            const pids = await until("the probe's redis-cli", () => {
                const children = childPids(run.pid!);
                return children.some((pid) => cmdline(pid).startsWith(REDIS_CLI)) ? children : undefined;
            });
            whileRunning(pids);
        }
        return exited;
    }

    async function client(): Promise<RespClient> {
        const c = await RespClient.connect(port);
        assert.equal(await c.command("AUTH", password), "OK");
        return c;
    }

    /** Key/value pairs of INFO persistence. */
    async function persistenceInfo(c: RespClient): Promise<Record<string, string>> {
        const text = await c.command("INFO", "persistence");
        assert.ok(typeof text === "string", `INFO persistence answered ${JSON.stringify(text)}`);
        return Object.fromEntries(
            text
                .split("\r\n")
                .filter((l) => l.includes(":"))
                .map((l) => l.split(":", 2) as [string, string]),
        );
    }

    async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
        const deadline = Date.now() + 10_000;
        while (!(await check())) {
            if (Date.now() > deadline) {
                throw new Error(`timed out waiting for ${what}`);
            }
            await new Promise((r) => setTimeout(r, 50));
        }
    }

    before(async function () {
        port = await freePort();
        files = writeRedisFiles(port, password);
        ({ dataDir, logDir, confFile, aclFile } = files);
        await start();
    });

    after(async function () {
        await server?.stop();
        files?.remove();
    });

    it("[L19] the config and ACL files hold no password, yet every command without it gets NOAUTH", async function () {
        assert.ok(!fs.readFileSync(confFile, "utf8").includes(password));
        assert.ok(!fs.readFileSync(aclFile, "utf8").includes(password));
        assert.doesNotMatch(
            fs.readFileSync(confFile, "utf8"),
            /^\s*(requirepass|masterauth|user)\b/m,
            "no credential directive",
        );
        const anonymous = await RespClient.connect(port);
        try {
            for (const cmd of [["PING"], ["SET", "k", "v"], ["GET", "k"], ["CONFIG", "GET", "dir"]]) {
                const reply = await anonymous.command(...cmd);
                assert.ok(
                    reply instanceof RespError && reply.message.startsWith("NOAUTH"),
                    `${cmd.join(" ")} → ${JSON.stringify(reply)}`,
                );
            }
            const wrong = await anonymous.command("AUTH", "not-the-password");
            assert.ok(wrong instanceof RespError && wrong.message.startsWith("WRONGPASS"), JSON.stringify(wrong));
        } finally {
            anonymous.close();
        }
        const c = await client();
        assert.equal(await c.command("PING"), "PONG");
        c.close();
    });

    it("[L19] no password in /proc/<pid>/cmdline of redis-server (as started and as running) nor of a probe run; the probe authenticates through REDISCLI_AUTH", async function () {
        assert.match(startedWith, /--aclfile \S+users\.acl$/, "the argv the server was started with was read");
        for (const [what, line] of [
            ["redis-server as started", startedWith],
            ["redis-server running", cmdline(server!.pid)],
        ]) {
            assert.ok(!line.includes(password), `${what}: ${line}`);
        }
        process.kill(server!.pid, "SIGSTOP");
        let seen: string[] = [];
        let code: number;
        try {
            const running = probe({ [REDIS_CLI_AUTH_ENV]: password }, (pids) => {
                seen = pids.map(cmdline);
                process.kill(server!.pid, "SIGCONT");
            });
            code = await running;
        } finally {
            process.kill(server!.pid, "SIGCONT");
        }
        assert.ok(
            seen.some((line) => line.startsWith(`${REDIS_CLI} -p ${port} ping`)),
            `the probe's processes: ${seen.join(" | ")}`,
        );
        for (const line of seen) {
            assert.ok(!line.includes(password), `probe process: ${line}`);
        }
        assert.equal(code, 0, "the probe authenticated with REDISCLI_AUTH and got PONG");
        assert.notEqual(
            await probe({ [REDIS_CLI_AUTH_ENV]: "not-the-password" }),
            0,
            "a wrong password fails the probe",
        );
        assert.notEqual(await probe({}), 0, "no password fails the probe");
    });

    it("[L19] the ACL file is read by the arbitrary UID through group 0 and by nobody else (mode 0440, no world bits)", function () {
        assert.equal(fs.statSync(aclFile).mode & 0o777, ACL_FILE_MODE);
        const readAs = (gid: number) =>
            spawnSync(
                "setpriv",
                [`--reuid=${ARBITRARY_UID}`, `--regid=${gid}`, "--clear-groups", "--", "cat", aclFile],
                {
                    encoding: "utf8",
                },
            );
        assert.equal(readAs(0).status, 0, readAs(0).stderr);
        const outsider = readAs(ARBITRARY_UID);
        assert.notEqual(outsider.status, 0);
        assert.match(outsider.stderr, /Permission denied/);
    });

    it("[L10] runs the persistence and memory settings the file declares", async function () {
        const c = await client();
        const settings: Record<string, RespValue> = {};
        for (const key of [
            "appendonly",
            "appendfsync",
            "aof-use-rdb-preamble",
            "dir",
            "maxmemory-policy",
            "protected-mode",
        ]) {
            const reply = (await c.command("CONFIG", "GET", key)) as RespValue[];
            settings[key] = reply[1];
        }
        c.close();
        assert.deepEqual(settings, {
            appendonly: "yes",
            appendfsync: "everysec",
            "aof-use-rdb-preamble": "yes",
            dir: dataDir,
            "maxmemory-policy": "noeviction",
            "protected-mode": "yes",
        });
    });

    it("[L26] as the arbitrary UID with a read-only root, snapshots and AOF rewrites succeed in the data dir, the only place written", async function () {
        const { uids, gids } = processIdentity(server!.pid);
        assert.deepEqual(uids, [ARBITRARY_UID, ARBITRARY_UID, ARBITRARY_UID, ARBITRARY_UID]);
        assert.deepEqual(gids, [0, 0, 0, 0]);
        const c = await client();
        assert.equal(await c.command("SET", "snapshot-probe", "1"), "OK");
        const saves = Number((await persistenceInfo(c)).rdb_saves ?? 0);
        assert.match((await c.command("BGSAVE")) as string, /Background saving started/);
        await waitFor(
            "BGSAVE",
            async () =>
                (await persistenceInfo(c)).rdb_bgsave_in_progress === "0" &&
                Number((await persistenceInfo(c)).rdb_saves) > saves,
        );
        assert.equal((await persistenceInfo(c)).rdb_last_bgsave_status, "ok");
        assert.match((await c.command("BGREWRITEAOF")) as string, /rewriting started/);
        await waitFor(
            "BGREWRITEAOF",
            async () =>
                (await persistenceInfo(c)).aof_rewrite_in_progress === "0" &&
                (await persistenceInfo(c)).aof_rewrite_scheduled === "0",
        );
        assert.equal((await persistenceInfo(c)).aof_last_bgrewrite_status, "ok");
        c.close();
        // The AOF base after a rewrite is an RDB file (aof-use-rdb-preamble), next to the RDB snapshot.
        const aofFiles = fs.readdirSync(path.join(dataDir, "appendonlydir"));
        assert.ok(
            aofFiles.some((f) => f.endsWith(".base.rdb")),
            aofFiles.join(", "),
        );
        assert.ok(fs.existsSync(path.join(dataDir, "dump.rdb")));
        for (const f of ["dump.rdb", "appendonlydir", ...aofFiles.map((a) => `appendonlydir/${a}`)]) {
            assert.equal(fs.statSync(path.join(dataDir, f)).uid, ARBITRARY_UID, f);
        }
    });

    it(`[L10] kill -9 under a steady write load, restart from the same data dir: at most ${MAX_LOSS_MS} ms of acknowledged writes lost`, async function () {
        const c = await client();
        const ackedAt: number[] = [];
        const started = Date.now();
        for (let i = 0; Date.now() - started < WRITE_DURATION_MS; i++) {
            assert.equal(await c.command("SET", `load:${i}`, String(i)), "OK");
            ackedAt.push(Date.now());
            const nextSlot = started + (i + 1) * WRITE_INTERVAL_MS;
            if (nextSlot > Date.now()) {
                await new Promise((r) => setTimeout(r, nextSlot - Date.now()));
            }
        }
        await server!.kill9();
        const killedAt = Date.now();
        c.close();

        await start();
        const after = await client();
        // AUTH is accepted while the AOF is still loading; data commands answer -LOADING until it is done.
        await waitFor(
            "the restarted server to finish loading its AOF",
            async () => (await after.command("PING")) === "PONG",
        );
        const keys = ackedAt.map((_, i) => `load:${i}`);
        const values = (await after.command("MGET", ...keys)) as (string | null)[];
        after.close();
        const firstLost = values.findIndex((v) => v === null);
        const survived = firstLost < 0 ? values.length : firstLost;
        const lostMs = firstLost < 0 ? 0 : killedAt - ackedAt[firstLost];
        console.log(
            `      redis kill -9: ${ackedAt.length} writes acknowledged in ${WRITE_DURATION_MS} ms, ${survived} survived, lost window ${lostMs} ms`,
        );
        assert.ok(survived > 0, "nothing survived the restart: persistence is not working");
        assert.ok(
            values.slice(survived).every((v) => v === null),
            "survivors are a prefix of the writes (no holes)",
        );
        values.slice(0, survived).forEach((v, i) => assert.equal(v, String(i)));
        assert.ok(
            lostMs <= MAX_LOSS_MS,
            `lost ${ackedAt.length - survived} writes acknowledged over the last ${lostMs} ms before the kill`,
        );
    });
});
