import * as assert from "assert";
import { helpText, parseCommandLine, UsageError, CommandSpec } from "../scripts/cli";
import { closestMatch, didYouMean } from "../components/did-you-mean";

const spec = {
    name: "npm run demo --",
    summary: "Demonstrates the shared command-line contract.",
    flags: {
        stack: { type: "string", description: "stack name", default: "dev", valueName: "<stack>" },
        out: { type: "string", description: "output dir", valueName: "<dir>" },
        json: { type: "boolean", description: "machine-readable output", short: "j" },
    },
    exitCodes: { 0: "clean", 2: "usage error" },
    example: "npm run demo -- --stack qa",
} satisfies CommandSpec;

describe("shared command line (scripts/cli.ts)", () => {
    it("parses flags with defaults, inline values and booleans", () => {
        const parsed = parseCommandLine(spec, ["--out=x", "--json"]);
        assert.deepStrictEqual(parsed.flags, { stack: "dev", out: "x", json: true });
        assert.strictEqual(parseCommandLine(spec, ["--stack", "qa"]).flags.stack, "qa");
    });

    it("reports which flags were written, apart from their defaults, by long name also when given short (issue 26)", () => {
        assert.deepStrictEqual([...parseCommandLine(spec, ["--out=x", "-j"]).given].sort(), ["json", "out"]);
        // --stack dev is the default's value, yet written: given.
        assert.deepStrictEqual([...parseCommandLine(spec, ["--stack", "dev"]).given], ["stack"]);
        const none = parseCommandLine(spec, []);
        assert.strictEqual(none.flags.stack, "dev");
        assert.deepStrictEqual([...none.given], []);
    });

    it("answers --help before judging the rest of the line", () => {
        assert.strictEqual(parseCommandLine(spec, ["--bogus", "-h"]).help, true);
        const text = helpText(spec);
        for (const expected of [
            "usage: npm run demo -- [flags]",
            "--stack <stack>",
            "(default: dev)",
            "--out <dir>",
            "--json",
            "-h, --help",
            "exit codes:",
            "  2  usage error",
            "example:",
            "npm run demo -- --stack qa",
        ]) {
            assert.ok(text.includes(expected), `help lacks ${JSON.stringify(expected)}:\n${text}`);
        }
    });

    it("names the closest flag for a misspelt one (--stak → --stack)", () => {
        assert.throws(
            () => parseCommandLine(spec, ["--stak", "qa"]),
            (err: Error) =>
                err instanceof UsageError && /unknown flag --stak\. Did you mean --stack\?/.test(err.message),
        );
        assert.throws(
            () => parseCommandLine(spec, ["--zzzzzz"]),
            (err: Error) => err instanceof UsageError && err.message === "unknown flag --zzzzzz.",
        );
    });

    it("rejects a missing or empty value and an unexpected positional", () => {
        assert.throws(() => parseCommandLine(spec, ["--stack"]), UsageError);
        assert.throws(() => parseCommandLine(spec, ["--stack="]), /--stack needs a value/);
        assert.throws(() => parseCommandLine(spec, ["stray"]), UsageError);
    });

    it("did-you-mean: typos match, unrelated names do not (ReadWriteOne → ReadWriteOnce)", () => {
        assert.strictEqual(
            closestMatch("ReadWriteOne", ["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"]),
            "ReadWriteOnce",
        );
        assert.strictEqual(
            closestMatch("imgaes-digest-pinned", ["images-digest-pinned", "pvc-protected"]),
            "images-digest-pinned",
        );
        assert.strictEqual(closestMatch("xyz", ["images-digest-pinned"]), undefined);
        assert.strictEqual(didYouMean("stak", ["stack"]), ' Did you mean "stack"?');
    });
});
