// The verdicts of `npm run verify`, without a server, kubectl or the command line (verify.test.ts runs those).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    FALLBACK_POD_SELECTOR,
    findStalePods,
    PodList,
    podSelectorFor,
    podsVerdict,
    progressLine,
    servesExpected,
    shouldRetry,
    versionVerdict,
} from "../scripts/verify-checks";

const FIXTURES = path.join(__dirname, "images", "fixtures");
const deployed = JSON.parse(fs.readFileSync(path.join(FIXTURES, "images-deployed.json"), "utf8")) as Record<
    string,
    string
>;
const podList = (file: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")) as PodList;

const target = { url: "https://shop.example.com/", header: "X-Webstack-Version", expected: "v-new" };

describe("verify checks: the live version header (L24)", () => {
    it("L24: only an answer carrying exactly the expected version passes", () => {
        assert.strictEqual(servesExpected({ status: 200, value: "v-new" }, "v-new"), true);
        assert.strictEqual(servesExpected({ status: 200, value: "v-old" }, "v-new"), false);
        assert.strictEqual(servesExpected({ status: 200, value: undefined }, "v-new"), false);
        assert.strictEqual(servesExpected({ error: "connect ECONNREFUSED" }, "v-new"), false);
    });

    it("L24: retries only while the next attempt starts within the timeout", () => {
        assert.strictEqual(shouldRetry(0, 5000, 120_000), true);
        assert.strictEqual(shouldRetry(115_000, 5000, 120_000), true);
        assert.strictEqual(shouldRetry(115_001, 5000, 120_000), false);
        assert.strictEqual(shouldRetry(0, 5000, 0), false);
    });

    it("L24: a match reports the attempts and the time taken", () => {
        assert.deepStrictEqual(versionVerdict(target, { status: 200, value: "v-new" }, 3, 10_250), {
            ok: true,
            message:
                "verify: https://shop.example.com/ serves X-Webstack-Version: v-new as expected (3 attempt(s), 10.3 s)",
        });
    });

    it("L24: a different version names both and says the rollout or stale pods are the cause", () => {
        const verdict = versionVerdict(target, { status: 200, value: "v-old" }, 24, 120_400);
        assert.strictEqual(verdict.ok, false);
        assert.strictEqual(
            verdict.message,
            "verify: https://shop.example.com/ serves X-Webstack-Version: v-old, not the expected v-new, after 24 attempt(s) over 120 s. " +
                "Fix: the rollout has not finished or stale pods still serve; run with --pods (or kubectl access) to name them [L24]",
        );
    });

    it("L24: a missing header (postmortem 004) and an unreachable URL each get their own cause and fix", () => {
        const missing = versionVerdict(target, { status: 404, value: undefined }, 1, 0);
        assert.strictEqual(missing.ok, false);
        assert.match(
            missing.message,
            /answered HTTP 404 without a X-Webstack-Version header after 1 attempt\(s\) over 0 s, expected v-new\. Fix: the server answering is not this stack's nginx/,
        );
        const unreachable = versionVerdict(target, { error: "getaddrinfo ENOTFOUND shop.example.com" }, 2, 5000);
        assert.strictEqual(unreachable.ok, false);
        assert.match(
            unreachable.message,
            /could not be reached \(getaddrinfo ENOTFOUND shop\.example\.com\) after 2 attempt\(s\) over 5 s\. Fix: check the URL/,
        );
    });

    it("L24: the progress line says what was served, the pause and the whole seconds left (never negative)", () => {
        assert.strictEqual(
            progressLine(target, 2, { status: 200, value: "v-old" }, 10_400, 5000, 120_000),
            "verify: attempt 2: X-Webstack-Version: v-old, expected v-new; retrying in 5 s (110 s left)",
        );
        assert.strictEqual(
            progressLine(target, 1, { status: 503, value: undefined }, 0, 200, 1000),
            "verify: attempt 1: HTTP 503 without X-Webstack-Version, expected v-new; retrying in 0.2 s (1 s left)",
        );
        assert.match(
            progressLine(target, 9, { error: "timeout" }, 2000, 100, 1000),
            /unreachable \(timeout\), expected v-new; retrying in 0\.1 s \(0 s left\)$/,
        );
    });
});

describe("verify checks: running pods against the deployed digests (L12, L24)", () => {
    it("L12: a recorded pod list where every running container runs a deployed digest has no stale pods", () => {
        assert.deepStrictEqual(findStalePods(podList("pods-current.json"), Object.values(deployed)), []);
        assert.deepStrictEqual(podsVerdict(podList("pods-current.json"), deployed), {
            ok: true,
            lines: [`verify: all 5 pod(s) run deployed digests (${Object.keys(deployed).join(", ")})`],
        });
    });

    it("L12: names every stale pod: old ReplicaSet, runtime digest differing from the template, not yet pulled", () => {
        const stale = findStalePods(podList("pods-stale.json"), Object.values(deployed));
        assert.deepStrictEqual(
            stale.map((s) => s.pod),
            ["shop-api-66cd8f5d9-r8wtn", "shop-api-7d8bbc7bc4-zz9k1", "shop-api-7d8bbc7bc4-p0d4q"],
        );
        assert.match(
            stale[0].reason,
            /template asks for ghcr\.io\/org\/shop-api@sha256:8f54f5f991cd0+, which this stack no longer deploys/,
        );
        assert.match(
            stale[1].reason,
            /runs sha256:8f54f5f991cd0+, not a deployed digest \(template asks for sha256:b74988961c2a/,
        );
        assert.match(stale[2].reason, /reports no image digest yet .*phase Pending/);
    });

    it("L24: the stale verdict fails with one line per stale container, then the fix", () => {
        const verdict = podsVerdict(podList("pods-stale.json"), deployed);
        assert.strictEqual(verdict.ok, false);
        assert.strictEqual(verdict.lines.length, 4);
        assert.match(
            verdict.lines[0],
            /^verify: stale pod shop-api-66cd8f5d9-r8wtn \(container api\): its template asks for .* \[L12, L24\]$/,
        );
        assert.match(verdict.lines[3], /^verify: 3 stale container\(s\)\. Fix: wait for the rollout/);
    });

    it("L24: finished pods (Job runs) are never stale, whatever image they ran", () => {
        const job: PodList = {
            items: [
                {
                    metadata: { name: "migrate-x" },
                    spec: { containers: [{ name: "migrate", image: "old@sha256:" + "1".repeat(64) }] },
                    status: { phase: "Succeeded" },
                },
            ],
        };
        assert.deepStrictEqual(findStalePods(job, Object.values(deployed)), []);
    });

    it("L23: after a rollback the pods of the newer release are the stale ones", () => {
        const rolledBack = Object.values(deployed).map((ref) =>
            ref.replace(/sha256:b74988961c2aa*/, `sha256:8f54f5f991cd${"0".repeat(52)}`),
        );
        const stale = findStalePods(podList("pods-current.json"), rolledBack);
        assert.deepStrictEqual(
            stale.map((s) => s.pod),
            ["shop-api-7d8bbc7bc4-jgqlg", "shop-api-7d8bbc7bc4-x2mzp"],
        );
    });

    it("L24: kubectl is asked with --selector, else the stack's own podSelector, else every Pulumi-managed pod", () => {
        const own = "app.kubernetes.io/part-of=shop,app.kubernetes.io/instance=shop-qa";
        assert.strictEqual(podSelectorFor("app=x", { podSelector: own }), "app=x");
        assert.strictEqual(podSelectorFor(undefined, { podSelector: own }), own);
        assert.strictEqual(podSelectorFor(undefined, { podSelector: "" }), FALLBACK_POD_SELECTOR);
        assert.strictEqual(podSelectorFor(undefined, {}), FALLBACK_POD_SELECTOR);
    });
});
