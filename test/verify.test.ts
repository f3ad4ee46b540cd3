import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { UsageError } from "../scripts/cli";
import { checkLiveVersion, main } from "../scripts/verify";

const FIXTURES = path.join(__dirname, "images", "fixtures");
const deployed = JSON.parse(fs.readFileSync(path.join(FIXTURES, "images-deployed.json"), "utf8")) as Record<
    string,
    string
>;

/** A local stand-in for the public route: answers with whatever version header `versionFor(n)` gives request n. */
async function serve(
    versionFor: (request: number) => string | undefined,
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
    let count = 0;
    const server = http.createServer((_req, res) => {
        count += 1;
        const version = versionFor(count);
        res.writeHead(
            200,
            version === undefined
                ? { "Content-Type": "text/html" }
                : { "Content-Type": "text/html", "X-Webstack-Version": version },
        );
        res.end("<html></html>");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/`,
        requests: () => count,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

const quick = { header: "X-Webstack-Version", timeoutMs: 600, intervalMs: 100, requestTimeoutMs: 2000 };

describe("verify: the live version header (L24)", () => {
    it("L24: passes at once when the live header equals the expected version", async () => {
        const site = await serve(() => "v-3f2a");
        try {
            const result = await checkLiveVersion({ ...quick, url: site.url, expected: "v-3f2a" });
            assert.strictEqual(result.ok, true, result.message);
            assert.strictEqual(result.attempts, 1);
            assert.match(result.message, /serves X-Webstack-Version: v-3f2a as expected/);
        } finally {
            await site.close();
        }
    });

    it("L24: fails naming both versions when the live header differs, after retrying for the bounded time", async () => {
        const site = await serve(() => "v-old");
        try {
            const started = Date.now();
            // 2 s of 100 ms pauses leaves room for retries even when one request takes half a second on a loaded
            // machine; the exact retry arithmetic is unit-tested in verify-checks.test.ts (shouldRetry).
            const result = await checkLiveVersion({ ...quick, timeoutMs: 2000, url: site.url, expected: "v-new" });
            assert.strictEqual(result.ok, false);
            assert.ok(
                result.attempts >= 2 && site.requests() === result.attempts,
                `attempts ${result.attempts}, requests ${site.requests()}`,
            );
            // Near the 2 s timeout, with room for a slow machine; what matters is that it stops.
            assert.ok(Date.now() - started < 10_000, "stops near the timeout");
            assert.match(
                result.message,
                /serves X-Webstack-Version: v-old, not the expected v-new, after \d+ attempt\(s\)/,
            );
            assert.match(result.message, /Fix: the rollout has not finished or stale pods still serve.*\[L24\]$/);
        } finally {
            await site.close();
        }
    });

    it("L24: fails when the header is missing (postmortem 004: the old binary had no version header)", async () => {
        const site = await serve(() => undefined);
        try {
            const result = await checkLiveVersion({ ...quick, url: site.url, expected: "v-new" });
            assert.strictEqual(result.ok, false);
            assert.match(result.message, /answered HTTP 200 without a X-Webstack-Version header .* expected v-new/);
        } finally {
            await site.close();
        }
    });

    it("L24: keeps retrying while the rollout finishes and passes once the new version is served", async () => {
        const site = await serve((n) => (n < 3 ? "v-old" : "v-new"));
        try {
            const result = await checkLiveVersion({ ...quick, timeoutMs: 5000, url: site.url, expected: "v-new" });
            assert.strictEqual(result.ok, true, result.message);
            assert.strictEqual(result.attempts, 3);
        } finally {
            await site.close();
        }
    });

    it("L24: reads the header name case-insensitively and honours a custom name", async () => {
        const server = http.createServer((_req, res) => {
            res.writeHead(200, { "x-shop-release": "r7" });
            res.end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
            const result = await checkLiveVersion({ ...quick, header: "X-Shop-Release", url, expected: "r7" });
            assert.strictEqual(result.ok, true, result.message);
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
    });

    it("L24: an unreachable URL fails with the connection error", async () => {
        const site = await serve(() => "v");
        await site.close(); // the port is now closed
        const result = await checkLiveVersion({ ...quick, timeoutMs: 200, url: site.url, expected: "v" });
        assert.strictEqual(result.ok, false);
        assert.match(result.message, /could not be reached \(.*ECONNREFUSED.*\)/);
    });
});

describe("verify: command line (L24)", () => {
    it("L24: exits 0 when the header and every pod match, 1 naming the stale pods otherwise", async () => {
        const site = await serve(() => "v-new");
        try {
            const lines: string[] = [];
            const args = [
                "--url",
                site.url,
                "--expect",
                "v-new",
                "--images",
                path.join(FIXTURES, "images-deployed.json"),
                "--timeout",
                "1",
                "--interval",
                "0.1",
            ];
            assert.strictEqual(
                await main([...args, "--pods", path.join(FIXTURES, "pods-current.json")], (l) => lines.push(l)),
                0,
                lines.join("\n"),
            );
            assert.match(lines.join("\n"), /all 5 pod\(s\) run deployed digests/);
            lines.length = 0;
            assert.strictEqual(
                await main([...args, "--pods", path.join(FIXTURES, "pods-stale.json")], (l) => lines.push(l)),
                1,
            );
            const out = lines.join("\n");
            for (const pod of ["shop-api-66cd8f5d9-r8wtn", "shop-api-7d8bbc7bc4-zz9k1", "shop-api-7d8bbc7bc4-p0d4q"]) {
                assert.match(out, new RegExp(`stale pod ${pod} \\(container api\\)`));
            }
        } finally {
            await site.close();
        }
    });

    it("L24: exits 1 when the live version differs even if the pods look right", async () => {
        const site = await serve(() => "v-old");
        try {
            const lines: string[] = [];
            const code = await main(
                [
                    "--url",
                    site.url,
                    "--expect",
                    "v-new",
                    "--timeout",
                    "0.3",
                    "--interval",
                    "0.1",
                    "--images",
                    path.join(FIXTURES, "images-deployed.json"),
                    "--pods",
                    path.join(FIXTURES, "pods-current.json"),
                ],
                (l) => lines.push(l),
            );
            assert.strictEqual(code, 1);
            const verdict = lines.find((l) => !/^verify: attempt \d+:/.test(l));
            assert.match(verdict ?? "", /serves X-Webstack-Version: v-old, not the expected v-new/);
        } finally {
            await site.close();
        }
    });

    it("L24: --stack reads url, version, header name and images from pulumi stack output --json", async () => {
        const server = http.createServer((_req, res) => {
            res.writeHead(200, { "X-Shop-Release": "v-9" });
            res.end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        const savedPath = process.env.PATH;
        try {
            const outputs = {
                url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
                version: "v-9",
                versionHeader: "X-Shop-Release",
                namespace: "shop-dev",
                images: deployed,
            };
            // A stand-in for the pulumi CLI that answers only the command verify must run.
            fs.writeFileSync(
                path.join(bin, "pulumi"),
                `#!/bin/sh\n[ "$*" = "stack output --json --stack dev" ] || { echo "unexpected: $*" >&2; exit 3; }\ncat <<'JSON'\n${JSON.stringify(outputs)}\nJSON\n`,
                { mode: 0o755 },
            );
            process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
            const lines: string[] = [];
            const code = await main(
                ["--stack", "dev", "--pods", path.join(FIXTURES, "pods-stale.json"), "--timeout", "1"],
                (l) => lines.push(l),
            );
            assert.strictEqual(code, 1, lines.join("\n"));
            assert.match(lines[0], /serves X-Shop-Release: v-9 as expected/);
            assert.match(lines.join("\n"), /stale pod shop-api-66cd8f5d9-r8wtn/);
        } finally {
            process.env.PATH = savedPath;
            fs.rmSync(bin, { recursive: true, force: true });
            await new Promise((resolve) => server.close(resolve));
        }
    });

    it("L24: --outputs reads the same outputs from a saved file, without the pulumi CLI", async () => {
        const site = await serve(() => "v-9");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-outputs-"));
        try {
            const file = path.join(dir, "qa-outputs.json");
            fs.writeFileSync(
                file,
                JSON.stringify({ url: site.url, version: "v-9", namespace: "shop-qa", images: deployed }),
            );
            const lines: string[] = [];
            const code = await main(
                ["--outputs", file, "--pods", path.join(FIXTURES, "pods-current.json"), "--timeout", "1"],
                (l) => lines.push(l),
            );
            assert.strictEqual(code, 0, lines.join("\n"));
            assert.match(
                lines.join("\n"),
                /serves X-Webstack-Version: v-9 as expected[\s\S]*all 5 pod\(s\) run deployed digests/,
            );
            await assert.rejects(main(["--outputs", file, "--stack", "qa"]), /give --stack or --outputs, not both/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
            await site.close();
        }
    });

    it("L24: asks kubectl for the pods of the stack's own podSelector output, not every pod Pulumi manages", async () => {
        const site = await serve(() => "v-9");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-selector-"));
        const savedPath = process.env.PATH;
        try {
            const selector = "app.kubernetes.io/part-of=shop,app.kubernetes.io/instance=shop-qa";
            const file = path.join(dir, "qa-outputs.json");
            fs.writeFileSync(
                file,
                JSON.stringify({
                    url: site.url,
                    version: "v-9",
                    namespace: "shop-qa",
                    images: deployed,
                    podSelector: selector,
                }),
            );
            // A stand-in kubectl that answers only the pod query verify must make (and `version --client`).
            fs.writeFileSync(
                path.join(dir, "kubectl"),
                `#!/bin/sh\n[ "$1" = version ] && exit 0\n[ "$*" = "get pods -o json -l ${selector} -n shop-qa" ] || { echo "unexpected: $*" >&2; exit 3; }\ncat ${path.join(FIXTURES, "pods-current.json")}\n`,
                { mode: 0o755 },
            );
            process.env.PATH = `${dir}${path.delimiter}${savedPath}`;
            const lines: string[] = [];
            const code = await main(["--outputs", file, "--pods", "kubectl", "--timeout", "1"], (l) => lines.push(l));
            assert.strictEqual(code, 0, lines.join("\n"));
            assert.match(lines.join("\n"), /all 5 pod\(s\) run deployed digests/);
        } finally {
            process.env.PATH = savedPath;
            fs.rmSync(dir, { recursive: true, force: true });
            await site.close();
        }
    });

    it("L24: prints one progress line per retry with what was served and the time left", async () => {
        const site = await serve((n) => (n < 3 ? "v-old" : "v-new"));
        try {
            const lines: string[] = [];
            const code = await main(
                ["--url", site.url, "--expect", "v-new", "--timeout", "30", "--interval", "0.2"],
                (l) => lines.push(l),
            );
            assert.strictEqual(code, 0, lines.join("\n"));
            const progress = lines.filter((l) => l.startsWith("verify: attempt"));
            assert.strictEqual(progress.length, 2, lines.join("\n"));
            progress.forEach((line, i) => {
                assert.match(
                    line,
                    new RegExp(
                        `^verify: attempt ${i + 1}: X-Webstack-Version: v-old, expected v-new; retrying in 0.2 s \\((\\d+) s left\\)$`,
                    ),
                );
                const left = Number(/\((\d+) s left\)/.exec(line)![1]);
                assert.ok(left > 0 && left <= 30, line);
            });
            assert.match(lines[2], /serves X-Webstack-Version: v-new as expected \(3 attempt\(s\)/);
        } finally {
            await site.close();
        }
    });

    it("L22: rejects a call without --stack or --url/--expect, naming the flags", async () => {
        await assert.rejects(
            main(["--url", "http://127.0.0.1:9/"]),
            (err: Error) =>
                err instanceof UsageError &&
                /give --stack \(or --outputs <file>\), or both --url and --expect/.test(err.message),
        );
    });

    it("L22: rejects a non-numeric --timeout naming the flag", async () => {
        await assert.rejects(
            main(["--url", "http://127.0.0.1:9/", "--expect", "v", "--timeout", "soon"]),
            /--timeout: must be a number of seconds \(got "soon"\)/,
        );
    });
});
