// The files a real redis-server runs with in the tests, laid out as the pod has them: the generated redis.conf,
// the ACL file as the kubelet writes a Secret volume without fsGroup (root, group 0, defaultMode 0440, L19), a data
// dir writable by group 0 only and a log dir.
import * as fs from "fs";
import * as path from "path";
import { renderRedisAcl, renderRedisConf } from "../../components/redis-conf";
import { makeGroupWritableDir, makeReadOnlyDir } from "./sandbox";

export const REDIS_BIN = fs.existsSync("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server";
/** The Secret volume's defaultMode in components/redis.ts: owner and group read, nothing for others. */
export const ACL_FILE_MODE = 0o440;

export interface RedisFiles {
    dataDir: string;
    logDir: string;
    confFile: string;
    aclFile: string;
    /** Removes every directory. */
    remove(): void;
}

export function writeRedisFiles(port: number, password: string): RedisFiles {
    const dataDir = makeGroupWritableDir("webstack-redis-data-");
    const confDir = makeReadOnlyDir("webstack-redis-conf-");
    const logDir = makeReadOnlyDir("webstack-redis-log-");
    const aclDir = makeReadOnlyDir("webstack-redis-acl-");
    const confFile = path.join(confDir, "redis.conf");
    fs.writeFileSync(confFile, renderRedisConf({ port, dataDir, bind: ["127.0.0.1"] }), { mode: 0o644 });
    const aclFile = path.join(aclDir, "users.acl");
    fs.writeFileSync(aclFile, renderRedisAcl(password));
    fs.chownSync(aclFile, 0, 0);
    fs.chmodSync(aclFile, ACL_FILE_MODE);
    return {
        dataDir,
        logDir,
        confFile,
        aclFile,
        remove: () =>
            [dataDir, confDir, logDir, aclDir].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })),
    };
}
