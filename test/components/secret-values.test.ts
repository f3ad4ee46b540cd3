// components/secret-values.ts: the random-token heuristic behind no-secret-values and the env checks (L19), at the
// edges of its settings: length, the three character classes and the entropy threshold, each alone.
import * as assert from "assert";
import { entropy, secretKind } from "../../components/secret-values";

describe("secret-values (components/secret-values.ts)", () => {
    const loose = { entropyThreshold: 1, minTokenLength: 10 };

    it("L19 a token counts from minTokenLength characters on, not one shorter", () => {
        assert.match(secretKind("aB3cD4eF5g", loose) ?? "", /^a random-looking 10-character token/);
        assert.strictEqual(secretKind("aB3cD4eF5", loose), undefined);
    });

    it("L19 a token needs lower case, upper case and a digit: without any one of them it is a word or a code", () => {
        assert.strictEqual(secretKind("AB3CD4EF5G", loose), undefined, "no lower case");
        assert.strictEqual(secretKind("ab3cd4ef5g", loose), undefined, "no upper case");
        assert.strictEqual(secretKind("aBcDeFgHiJ", loose), undefined, "no digit");
    });

    it("L19 a token at the threshold counts, the message naming its length and bits", () => {
        // Four characters, equally often: exactly 2 bits a character.
        const token = "aB3xaB3xaB3x";
        assert.strictEqual(entropy(token), 2);
        assert.strictEqual(
            secretKind(token, { entropyThreshold: 2, minTokenLength: 8 }),
            "a random-looking 12-character token (2.00 bits/char >= 2)",
        );
        assert.strictEqual(secretKind(token, { entropyThreshold: 2.01, minTokenLength: 8 }), undefined);
    });

    it("L19 a certificate's body is not a token, a token beside it still is", () => {
        const body = "MIIBkTCB+wIJAKHHIG2d9Dq3MA0GCSqGSIb3DQEBCwUAMBExDzANBgNVBAMMBndl";
        const certificate = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
        const strict = { entropyThreshold: 3.5, minTokenLength: 20 };
        assert.strictEqual(secretKind(certificate, strict), undefined);
        assert.match(secretKind(`${certificate}\n${body}`, strict) ?? "", /^a random-looking 64-character token/);
    });
});
