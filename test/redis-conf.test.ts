// Input validation of the redis.conf renderer (what the config does is proven in redis.real.test.ts).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { redisConfProblems, RedisConfOptions, redisPingCommand, renderRedisConf } from "../components/redis-conf";

function rejection(opts: RedisConfOptions): string {
    try {
        renderRedisConf(opts);
    } catch (e) {
        return (e as Error).message;
    }
    assert.fail(`accepted ${JSON.stringify(opts)}`);
}

describe("renderRedisConf input validation", function () {
    it("rejects a maxmemory without a unit, naming the field and an example", function () {
        assert.match(
            rejection({ maxmemory: "256" }),
            /^maxmemory: must be a positive size with a unit kb, mb or gb \(got "256"\)\. Fix: e\.g\. "256mb"/,
        );
        assert.match(rejection({ maxmemory: "0mb" }), /^maxmemory:/);
    });

    it("[L10] rejects an unknown eviction policy", function () {
        assert.match(
            rejection({ maxmemoryPolicy: "allkeys-random" as never }),
            /^maxmemoryPolicy: must be one of noeviction, .*\(got "allkeys-random"\).* \[L10\]/,
        );
    });

    it("[L10, L26] rejects a relative or odd data dir and [L02] a privileged port", function () {
        assert.match(
            rejection({ dataDir: "data" }),
            /^dataDir: must be an absolute path .*\(got "data"\)\. Fix: use "\/data"/,
        );
        assert.match(rejection({ dataDir: "/data; rm" }), /^dataDir:/);
        assert.match(rejection({ port: 636 }), /^port: must be an integer from 1024 to 65535 \(got 636\).* \[L02\]/);
    });

    it("rejects bind entries that are not addresses", function () {
        assert.match(rejection({ bind: ["127.0.0.1", "localhost; evil"] }), /^bind\[1\]:/);
    });

    it("[L26] writes only into the data dir: no pid file, log to stdout, AOF and RDB under dir", function () {
        const conf = renderRedisConf({ dataDir: "/var/lib/state/" });
        assert.match(conf, /^dir \/var\/lib\/state$/m);
        assert.match(conf, /^pidfile ""$/m);
        assert.match(conf, /^logfile ""$/m);
        assert.doesNotMatch(conf, /^\s*(requirepass|masterauth|user)\b/m, "no credential in the file (L19)");
    });

    it("[L02] accepts ports 1024 and 65535, refuses 1023 and 65536, suggesting the default", function () {
        for (const port of [1024, 65535]) assert.deepEqual(redisConfProblems({ port }), [], `port ${port}`);
        for (const port of [1023, 65536]) {
            assert.deepEqual(
                redisConfProblems({ port }).map((p) => [p.field, p.fix, p.lessons]),
                [["port", "use 6379: ports below 1024 need root", ["L02"]]],
            );
        }
    });

    it("[L10, L26] normalises a trailing slash and refuses a parent-directory segment", function () {
        assert.match(renderRedisConf({ dataDir: "/" }), /^dir \/$/m, "the root stays the root");
        assert.deepEqual(
            redisConfProblems({ dataDir: "/data/../etc/" }).map((p) => [p.field, p.got, p.lessons]),
            [["dataDir", "/data/../etc", ["L10", "L26"]]],
        );
        assert.deepEqual(redisConfProblems({ dataDir: "/var/lib/valkey-8.0/data_1" }), []);
    });

    it("writes maxmemory in lowercase whatever the case of its unit, and the chosen policy", function () {
        const conf = renderRedisConf({ maxmemory: "2GB", maxmemoryPolicy: "allkeys-lfu" });
        assert.match(conf, /^maxmemory 2gb$/m);
        assert.match(conf, /^maxmemory-policy allkeys-lfu$/m);
        assert.match(renderRedisConf({}), /^maxmemory-policy noeviction$/m, "[L10] state, not a cache, by default");
    });

    it("[L10] suggests the policy closest to a misspelt one, else noeviction", function () {
        const suggested = (maxmemoryPolicy: unknown) =>
            redisConfProblems({ maxmemoryPolicy: maxmemoryPolicy as never }).map((p) => p.suggested);
        assert.deepEqual(suggested("allkeys-lr"), ["allkeys-lru"]);
        assert.deepEqual(suggested("something-else-entirely"), ["noeviction"]);
        assert.deepEqual(suggested(7), ["noeviction"]);
    });

    it("binds every IPv4 and (optionally) IPv6 address by default; each bad entry is named by its index", function () {
        assert.match(renderRedisConf({}), /^bind \* -::\*$/m);
        assert.match(renderRedisConf({ bind: ["127.0.0.1", "-::1"] }), /^bind 127\.0\.0\.1 -::1$/m);
        assert.deepEqual(
            redisConfProblems({ bind: ["", "10.0.0.1", "host"] }).map((p) => [p.field, p.got]),
            [
                ["bind[0]", ""],
                ["bind[2]", "host"],
            ],
        );
    });

    it("[L10] each rule holds for the whole value: a data dir, a size or a bind address with anything before or after is refused", function () {
        const fields = (opts: RedisConfOptions) => redisConfProblems(opts).map((p) => p.field);
        assert.deepEqual(fields({ dataDir: "data/x" }), ["dataDir"]);
        assert.deepEqual(fields({ maxmemory: "x256mb" }), ["maxmemory"]);
        assert.deepEqual(fields({ maxmemory: "256mbx" }), ["maxmemory"]);
        assert.deepEqual(fields({ bind: ["g1.2.3.4", "1.2.3.4g"] }), ["bind[0]", "bind[1]"]);
        const [bind] = redisConfProblems({ bind: ["g1.2.3.4"] });
        assert.deepEqual(
            [bind.problem, bind.fix],
            [
                'must be an IP address, "*" or "::*" (optionally prefixed with "-")',
                "omit bind to listen on every address",
            ],
        );
        const [policy] = redisConfProblems({ maxmemoryPolicy: "lru" as never });
        assert.equal(policy.fix, 'use "noeviction" for state that must not silently disappear');
    });

    it("[L02] listens on the given port", function () {
        assert.match(renderRedisConf({ port: 7000 }), /^port 7000$/m);
    });

    it("[L27] the probe passes only when the CLI answers PONG (a pipe, so it runs in a shell)", function () {
        const status = (cli: string) => {
            const [command, ...args] = redisPingCommand(cli, 6380);
            return spawnSync(command, args).status;
        };
        assert.equal(status("echo PONG"), 0);
        assert.equal(status("echo LOADING"), 1);
    });
});
