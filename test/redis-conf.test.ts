// Input validation of the redis.conf renderer (what the config does is proven in redis.real.test.ts).
import { strict as assert } from "assert";
import { RedisConfOptions, renderRedisConf } from "../components/redis-conf";

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
});
