// The generated redis.conf on a real redis-server, run as an arbitrary UID in group 0 with a read-only root
// filesystem where only the data dir is writable, the password given at start as --requirepass (L19).
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { renderRedisConf } from "../components/redis-conf";
import { RespClient, RespError, RespValue } from "./support/resp";
import {
    ARBITRARY_UID,
    freePort,
    makeGroupWritableDir,
    makeReadOnlyDir,
    processIdentity,
    SandboxedProcess,
    startSandboxed,
    waitForPort,
} from "./support/sandbox";

const REDIS_BIN = fs.existsSync("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server";
/** One acknowledged SET every WRITE_INTERVAL_MS for WRITE_DURATION_MS, then kill -9. */
const WRITE_INTERVAL_MS = 4;
const WRITE_DURATION_MS = 2500;
/** appendfsync everysec: at most about one second of acknowledged writes may be lost (L10). */
const MAX_LOSS_MS = 1000;

describe("redis.conf on a real redis-server as an arbitrary UID (L10, L19, L26)", function () {
    this.timeout(180_000);
    const password = crypto.randomBytes(16).toString("hex");
    let port: number;
    let dataDir: string;
    let confDir: string;
    let logDir: string;
    let confFile: string;
    let server: SandboxedProcess | undefined;
    let starts = 0;

    async function start(): Promise<SandboxedProcess> {
        starts += 1;
        const proc = startSandboxed({
            command: [REDIS_BIN, confFile, "--requirepass", password],
            writableDirs: [dataDir],
            logFile: path.join(logDir, `redis-${starts}.log`),
        });
        server = proc;
        await waitForPort(port, proc);
        return proc;
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
        dataDir = makeGroupWritableDir("webstack-redis-data-");
        confDir = makeReadOnlyDir("webstack-redis-conf-");
        logDir = makeReadOnlyDir("webstack-redis-log-");
        confFile = path.join(confDir, "redis.conf");
        fs.writeFileSync(confFile, renderRedisConf({ port, dataDir, bind: ["127.0.0.1"] }), { mode: 0o644 });
        await start();
    });

    after(async function () {
        await server?.stop();
        for (const dir of [dataDir, confDir, logDir]) {
            if (dir) {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }
    });

    it("[L19] the config file holds no password, yet every command without it gets NOAUTH", async function () {
        assert.ok(!fs.readFileSync(confFile, "utf8").includes(password));
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
