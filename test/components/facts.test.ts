// components/facts.ts: the one place an image reference is split (name, tag, digest) and judged, at the edges the
// image-ref tests (test/images/image-ref.test.ts) do not reach: bare names, non-sha256 digests, exact fixes.
import * as assert from "assert";
import { digestOf, imageRefProblem, splitImageRef, unpinnedName, withoutDigest } from "../../components/facts";

const DIGEST = `sha256:${"b2".repeat(32)}`;

describe("facts: image references (components/facts.ts)", () => {
    it("L12 a bare name has no tag: nginx is docker.io/library/nginx, not a tag 'nginx' of 'ngin'", () => {
        assert.deepStrictEqual(splitImageRef("nginx"), { registry: "docker.io", path: "library/nginx" });
        assert.strictEqual(unpinnedName("nginx"), "nginx");
    });

    it("L24 digestOf: only a sha256 digest counts, wherever the @ is", () => {
        assert.strictEqual(digestOf(`ghcr.io/org/app:1@${DIGEST}`), DIGEST);
        assert.strictEqual(digestOf(`ghcr.io/org/app@sha512:${"c".repeat(128)}`), undefined);
        assert.strictEqual(digestOf(`@${DIGEST}`), DIGEST);
        // A digest with no repository before it is no reference (not the repository "@sha256" with a tag).
        assert.strictEqual(imageRefProblem(`@${DIGEST}`)?.problem, "has no repository name");
        assert.strictEqual(digestOf("ghcr.io/org/app:1"), undefined);
    });

    it("L12 withoutDigest keeps the tag as written and drops only the digest", () => {
        assert.strictEqual(withoutDigest(`ghcr.io/org/app:1.2@${DIGEST}`), "ghcr.io/org/app:1.2");
        assert.strictEqual(withoutDigest(`ghcr.io/org/app@${DIGEST}`), "ghcr.io/org/app");
        assert.strictEqual(withoutDigest("localhost:5000/app"), "localhost:5000/app");
    });

    it("L12 imageRefProblem: the fixes are whole sentences a user can follow", () => {
        assert.deepStrictEqual(imageRefProblem(""), {
            problem: "must be a non-empty string",
            fix: "write it as registry[:port]/path[:tag][@sha256:<64 hex>], e.g. ghcr.io/org/app:1.2.3",
        });
        assert.deepStrictEqual(imageRefProblem("ghcr.io/org/app: 1"), {
            problem: "must not contain whitespace",
            fix: "remove the spaces or line breaks around or inside it",
        });
    });

    it("L12 imageRefProblem: '://' after the start is no URL scheme (the reference is judged by its path)", () => {
        assert.deepStrictEqual(imageRefProblem("ghcr.io/org/app://x"), {
            problem: `has path segment "app:" with characters other than a-z, 0-9 and single '.', '_', '__' or '-' separators`,
            fix: "write it as registry[:port]/path[:tag][@sha256:<64 hex>], e.g. ghcr.io/org/app:1.2.3",
        });
    });
});
