// components/did-you-mean.ts: the edit distance behind every "Did you mean …?" (flags, policy names, config keys,
// enum values), and how close a typo must be to be named.
import * as assert from "assert";
import { closestMatch, didYouMean, editDistance } from "../../components/did-you-mean";

/** Each [a, b, distance] holds both ways: the distance is symmetric. */
function assertDistances(cases: [string, string, number][]): void {
    for (const [a, b, distance] of cases) {
        assert.strictEqual(editDistance(a, b), distance, `${a} → ${b}`);
        assert.strictEqual(editDistance(b, a), distance, `${b} → ${a}`);
    }
}

describe("did-you-mean (components/did-you-mean.ts)", () => {
    it("editDistance: insertions, deletions and substitutions count one each", () => {
        assertDistances([
            ["", "", 0],
            ["abc", "", 3],
            ["stack", "stack", 0],
            ["kitten", "sitting", 3],
            ["replicas", "replica", 1],
        ]);
    });

    it("editDistance: a swap of two neighbours counts once, anywhere in the word, and a swap is not reused", () => {
        assertDistances([
            ["ab", "ba", 1],
            ["stakc", "stack", 1],
            ["imgaes", "images", 1],
            ["abcd", "badc", 2],
            // Optimal string alignment: "ca" → "abc" is 3, not the 2 an unrestricted swap-then-insert would give.
            ["ca", "abc", 3],
        ]);
    });

    it("closestMatch: ignores case, takes the first of equally close candidates", () => {
        assert.strictEqual(closestMatch("STACK", ["stack"]), "stack");
        assert.strictEqual(closestMatch("abcdef", ["abcdex", "abcdey"]), "abcdex");
        assert.strictEqual(closestMatch("stack", []), undefined);
    });

    it("closestMatch: allows a third of the longer name in edits, at least one", () => {
        // 6 letters: 2 edits allowed, not 3.
        assert.strictEqual(closestMatch("abcdef", ["abcdxy"]), "abcdxy");
        assert.strictEqual(closestMatch("abcdef", ["abcxyz"]), undefined);
        // The longer name counts: 9 letters allow the 3 missing ones of a 6-letter candidate.
        assert.strictEqual(closestMatch("abcdefghi", ["abcdef"]), "abcdef");
        // Short names still allow one edit.
        assert.strictEqual(closestMatch("ab", ["ac"]), "ac");
        assert.strictEqual(closestMatch("ab", ["cd"]), undefined);
    });

    it('didYouMean: " Did you mean "x"?" to append, or nothing', () => {
        assert.strictEqual(didYouMean("stak", ["stack", "policy"]), ' Did you mean "stack"?');
        assert.strictEqual(didYouMean("xyz", ["stack"]), "");
    });
});
