import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REDACTED, loadStackConfigFile, secretConfig, withConfigOverrides } from "../../offline/stack-config";

function stackFile(text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackconfig-"));
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, text);
    return file;
}

describe("offline harness: stack config files (L19, L22)", () => {
    it("passes values the way the language host does: qualified keys, strings, objects as JSON", () => {
        const file = stackFile(
            [
                "config:",
                "  webstack:api:",
                "    port: 5000",
                "    routes: [/api, /events]",
                "  replicas: 3",
                "  debug: true",
                "  kubernetes:namespace: shop",
            ].join("\n"),
        );
        assert.deepEqual(loadStackConfigFile(file, "webstack"), {
            config: {
                "webstack:api": JSON.stringify({ port: 5000, routes: ["/api", "/events"] }),
                "webstack:replicas": "3",
                "webstack:debug": "true",
                "kubernetes:namespace": "shop",
            },
            secretKeys: [],
        });
    });

    it("replaces secure values, also nested ones, by the marker and lists their keys as secret (L19)", () => {
        const file = stackFile(
            [
                "config:",
                "  webstack:redisPassword:",
                "    secure: AAABAKm9",
                "  webstack:db:",
                "    user: app",
                "    password:",
                "      secure: AAABAxyz",
            ].join("\n"),
        );
        const loaded = loadStackConfigFile(file, "webstack");
        assert.equal(loaded.config["webstack:redisPassword"], REDACTED);
        assert.deepEqual(JSON.parse(loaded.config["webstack:db"]), { user: "app", password: REDACTED });
        assert.deepEqual(loaded.secretKeys, ["webstack:redisPassword", "webstack:db"]);
        assert.ok(!JSON.stringify(loaded).includes("AAAB"), "ciphertext is not passed on");
    });

    it("names the file and the fix when it is missing or malformed", () => {
        assert.throws(
            () => loadStackConfigFile("/nonexistent/Pulumi.dev.yaml", "webstack"),
            /cannot read stack config \/nonexistent\/Pulumi\.dev\.yaml.*Fix:/,
        );
        assert.throws(() => loadStackConfigFile(stackFile("config: [1, 2]"), "webstack"), /"config" must be a mapping/);
    });

    it("overrides set, replace, mark secret and remove keys without touching the base", () => {
        const base = { config: { "webstack:a": "1", "webstack:token": REDACTED }, secretKeys: ["webstack:token"] };
        const next = withConfigOverrides(base, {
            "webstack:api": { port: 8080 },
            "webstack:token": secretConfig("t0ken-value"),
            "webstack:a": undefined,
        });
        assert.deepEqual(next, {
            config: { "webstack:token": "t0ken-value", "webstack:api": '{"port":8080}' },
            secretKeys: ["webstack:token"],
        });
        assert.equal(base.config["webstack:a"], "1");
        assert.deepEqual(
            withConfigOverrides(next, { "webstack:token": "plain" }).secretKeys,
            [],
            "a plain override is no longer secret",
        );
    });

    it("rejects an unqualified override key with the fix", () => {
        assert.throws(
            () => withConfigOverrides({ config: {}, secretKeys: [] }, { api: {} }),
            /config override key "api" is not fully qualified\. Fix: write it as "<project>:api"/,
        );
    });
});
