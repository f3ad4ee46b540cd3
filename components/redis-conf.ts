// redis.conf (also valid for Valkey 7/8) as a pure function of typed options, and how the server and its probe
// get the password without it on any command line (L19). Proven against a real redis-server in
// test/redis.real.test.ts: kill -9 loses at most about a second of writes, any UID works, no password in
// /proc/<pid>/cmdline.
import { createHash } from "crypto";
import { isUnprivilegedPort, MAX_PORT, REDIS_DATA_DIR, UNPRIVILEGED_PORT_MIN } from "./facts";
import { closestMatch } from "./did-you-mean";
import { FieldProblem, rejectProblems } from "./errors";
import { defaultsOf, OptionTable, tableProblems, withDefaults } from "./option-table";

export interface RedisConfOptions {
    /**
     * Port the server listens on.
     * @defaultValue {@link REDIS_CONF_DEFAULTS}
     */
    port?: number;
    /**
     * Data directory (the PVC mount), the only place the server writes.
     * @defaultValue {@link REDIS_CONF_DEFAULTS}
     */
    dataDir?: string;
    /**
     * maxmemory, e.g. "256mb".
     * @defaultValue {@link REDIS_CONF_DEFAULTS}
     */
    maxmemory?: string;
    /**
     * Eviction policy.
     * @defaultValue {@link REDIS_CONF_DEFAULTS} (state, not cache: fail writes loudly rather than drop keys)
     */
    maxmemoryPolicy?: RedisMaxmemoryPolicy;
    /**
     * Addresses to bind; a leading "-" makes one optional.
     * @defaultValue {@link REDIS_CONF_DEFAULTS} (every IPv4 address, IPv6 if present)
     */
    bind?: string[];
}

export type RedisMaxmemoryPolicy = (typeof REDIS_MAXMEMORY_POLICIES)[number];

export const REDIS_DEFAULT_PORT = 6379;
export const REDIS_DEFAULT_MAXMEMORY = "256mb";
export const REDIS_MAXMEMORY_POLICIES = [
    "noeviction",
    "allkeys-lru",
    "volatile-lru",
    "allkeys-lfu",
    "volatile-lfu",
] as const;
const POLICIES: readonly string[] = REDIS_MAXMEMORY_POLICIES;

const withoutTrailingSlash = (dir: string) => dir.replace(/(.)\/$/, "$1");

/**
 * Every option of redis.conf with its default, its check and its lessons: the defaults the renderer fills in, the
 * checks {@link redisConfProblems} runs before anything is rendered, the rules of the Redis schema's `conf`.
 */
export const REDIS_CONF_OPTIONS: OptionTable<RedisConfOptions> = {
    port: {
        default: REDIS_DEFAULT_PORT,
        check: (field, port) =>
            isUnprivilegedPort(port)
                ? undefined
                : {
                      field,
                      problem: `must be an integer from ${UNPRIVILEGED_PORT_MIN} to ${MAX_PORT}`,
                      got: port,
                      fix: `use ${REDIS_DEFAULT_PORT}: ports below ${UNPRIVILEGED_PORT_MIN} need root`,
                  },
        lessons: ["L02"],
    },
    dataDir: {
        default: REDIS_DATA_DIR,
        check: (field, given) => {
            const dataDir = withoutTrailingSlash(given);
            return /^\/[A-Za-z0-9._\-/]*$/.test(dataDir) && !dataDir.split("/").includes("..")
                ? undefined
                : {
                      field,
                      problem: "must be an absolute path of letters, digits and . _ - /",
                      got: dataDir,
                      fix: `use "${REDIS_DATA_DIR}" and mount the data volume there`,
                  };
        },
        lessons: ["L10", "L26"],
    },
    maxmemory: {
        default: REDIS_DEFAULT_MAXMEMORY,
        check: (field, maxmemory) => {
            const memory = /^(\d+)(kb|mb|gb)$/i.exec(maxmemory);
            return memory && Number(memory[1]) !== 0
                ? undefined
                : {
                      field,
                      problem: "must be a positive size with a unit kb, mb or gb",
                      got: maxmemory,
                      fix: `e.g. "${REDIS_DEFAULT_MAXMEMORY}", below the container's memory limit`,
                  };
        },
    },
    maxmemoryPolicy: {
        default: "noeviction",
        check: (field, policy) =>
            POLICIES.includes(policy)
                ? undefined
                : {
                      field,
                      problem: `must be one of ${POLICIES.join(", ")}`,
                      got: policy,
                      fix: 'use "noeviction" for state that must not silently disappear',
                      suggested: (typeof policy === "string" && closestMatch(policy, POLICIES)) || "noeviction",
                  },
        lessons: ["L10"],
    },
    bind: {
        default: ["*", "-::*"],
        check: (field, bind) =>
            bind.map((address, i) =>
                /^-?[0-9A-Fa-f.:*]+$/.test(address)
                    ? undefined
                    : {
                          field: `${field}[${i}]`,
                          problem: 'must be an IP address, "*" or "::*" (optionally prefixed with "-")',
                          got: address,
                          fix: "omit bind to listen on every address",
                      },
            ),
    },
};

/** The default of every option of {@link RedisConfOptions}, from the option table (REDIS_CONF_OPTIONS). */
export const REDIS_CONF_DEFAULTS = defaultsOf<Required<RedisConfOptions>>(REDIS_CONF_OPTIONS);

/** Options checked, with defaults filled in and normalised: what the renderer reads. */
export type ResolvedRedisConf = Required<RedisConfOptions>;

/** Problems of the options, named by option ("maxmemory"); the Redis component reports them under "conf.". */
export function redisConfProblems(opts: RedisConfOptions): FieldProblem[] {
    return tableProblems(REDIS_CONF_OPTIONS, withDefaults(REDIS_CONF_DEFAULTS, opts));
}

/** The options checked and with their defaults: what the renderer reads. Throws a WebStackArgError naming every problem. */
export function resolveRedisConf(opts: RedisConfOptions): ResolvedRedisConf {
    rejectProblems(redisConfProblems(opts));
    const o = withDefaults(REDIS_CONF_DEFAULTS, opts);
    return { ...o, dataDir: withoutTrailingSlash(o.dataDir) };
}

/**
 * The environment variable redis-cli and valkey-cli read the password from (their `-a` would put it in
 * /proc/<pid>/cmdline, L19).
 */
export const REDIS_CLI_AUTH_ENV = "REDISCLI_AUTH";

/**
 * The ACL file (`--aclfile`) that makes the password the only way in: the default user, every key, channel and
 * command, authenticated by the password's SHA-256, so the file holds no password either. It comes from a
 * Secret mounted read-only (mode 0440: owner and group, never others), never from the command line (L19).
 */
export function renderRedisAcl(password: string): string {
    const sha256 = createHash("sha256").update(password, "utf8").digest("hex");
    return `user default on #${sha256} ~* &* +@all\n`;
}

/** The server's command: the generated config, then the ACL file; both are paths, neither holds a secret (L19). */
export function redisServerCommand(server: string, confFile: string, aclFile: string): string[] {
    return [server, confFile, "--aclfile", aclFile];
}

/** The authenticating probe: the CLI takes the password from {@link REDIS_CLI_AUTH_ENV}, not from `-a` (L19). */
export function redisPingCommand(cli: string, port: number): string[] {
    return ["sh", "-c", `${cli} -p ${port} ping | grep -q PONG`];
}

/**
 * redis.conf text. Never contains the password: the server reads the ACL file (renderRedisAcl) named on its command
 * line (L19).
 */
export function renderRedisConf(opts: RedisConfOptions): string {
    return renderResolvedRedisConf(resolveRedisConf(opts));
}

/** redis.conf text of options already resolved ({@link resolveRedisConf}); checks nothing. */
export function renderResolvedRedisConf(conf: ResolvedRedisConf): string {
    const { port, dataDir, maxmemory, maxmemoryPolicy, bind } = conf;
    return [
        "# Generated by webstack (components/redis-conf.ts). Change the options, not this file.",
        // Outdated (the server now reads the ACL file), but any change to this text replaces the deployed ConfigMap,
        // which the upgrade test (test/engine/upgrade.test.ts) refuses: change it with the next real config change.
        "# No password here: the server gets it at start as --requirepass from a Secret (L19).",
        `bind ${bind.join(" ")}`,
        `port ${port}`,
        "# With the password always set, protected mode never refuses a client; if the password were ever",
        "# missing it limits the server to loopback instead of exposing it.",
        "protected-mode yes",
        "",
        "# Foreground, logs to stdout, no pid file: the only writable path is the data dir (read-only root, L26).",
        "daemonize no",
        `pidfile ""`,
        `logfile ""`,
        "loglevel notice",
        "",
        "# Persistence on the data volume (L10): the append-only file fsynced every second loses at most about one",
        "# second of writes on a crash; its RDB preamble and the RDB snapshots keep restarts and rewrites fast.",
        `dir ${dataDir}`,
        "appendonly yes",
        'appendfilename "appendonly.aof"',
        "appendfsync everysec",
        "no-appendfsync-on-rewrite no",
        "aof-use-rdb-preamble yes",
        "aof-load-truncated yes",
        "auto-aof-rewrite-percentage 100",
        "auto-aof-rewrite-min-size 64mb",
        "dbfilename dump.rdb",
        "save 3600 1 300 100 60 10000",
        "stop-writes-on-bgsave-error yes",
        "",
        "# State, not a cache: by default writes fail loudly at the limit instead of keys disappearing.",
        `maxmemory ${maxmemory.toLowerCase()}`,
        `maxmemory-policy ${maxmemoryPolicy}`,
        "",
    ].join("\n");
}
