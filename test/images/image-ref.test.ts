import * as assert from "assert";
import { digestOf, parseImageRef, pinnedRef, repositoryOf } from "../../components/image-ref";

const DIGEST = `sha256:${"a1".repeat(32)}`;

describe("image references: parsing (L12, L22)", () => {
    const valid: Array<[string, { registry: string; path: string; tag?: string; digest?: string }]> = [
        ["ghcr.io/org/app:1.2.3", { registry: "ghcr.io", path: "org/app", tag: "1.2.3" }],
        [`ghcr.io/org/app@${DIGEST}`, { registry: "ghcr.io", path: "org/app", digest: DIGEST }],
        [`ghcr.io/org/app:main@${DIGEST}`, { registry: "ghcr.io", path: "org/app", tag: "main", digest: DIGEST }],
        [
            "registry.example.com:5000/team/sub/group/api:v2",
            { registry: "registry.example.com:5000", path: "team/sub/group/api", tag: "v2" },
        ],
        [
            `image-registry.openshift-image-registry.svc:5000/shop-dev/api@${DIGEST}`,
            { registry: "image-registry.openshift-image-registry.svc:5000", path: "shop-dev/api", digest: DIGEST },
        ],
        ["localhost/app:dev", { registry: "localhost", path: "app", tag: "dev" }],
        ["localhost:5000/a__b/c-d.e_f:T_1.x-y", { registry: "localhost:5000", path: "a__b/c-d.e_f", tag: "T_1.x-y" }],
        ["[::1]:5000/app:1", { registry: "[::1]:5000", path: "app", tag: "1" }],
        // Short names, filled in as the runtime does: Docker Hub, library/ for official images.
        ["nginx:1.27", { registry: "docker.io", path: "library/nginx", tag: "1.27" }],
        ["nginxinc/nginx-unprivileged", { registry: "docker.io", path: "nginxinc/nginx-unprivileged" }],
    ];
    for (const [ref, expected] of valid) {
        it(`parses ${ref}`, () => {
            assert.deepStrictEqual(parseImageRef(ref, "api.image"), expected);
        });
    }

    const malformed: Array<[unknown, RegExp]> = [
        ["", /must be a non-empty string/],
        [42, /must be a non-empty string/],
        ["ghcr.io/org/app:1.2.3 ", /must not contain whitespace/],
        ["https://ghcr.io/org/app:1", /must not carry a URL scheme.*drop the "https:\/\/" prefix/],
        [`ghcr.io/org/app@${DIGEST}@${DIGEST}`, /more than one '@'/],
        ["ghcr.io/org/app@sha256:abc", /not 64 lowercase hex characters \(3 characters\)/],
        [`ghcr.io/org/app@sha256:${"A1".repeat(32)}`, /not 64 lowercase hex/],
        [`ghcr.io/org/app@sha512:${"a".repeat(128)}`, /not sha256/],
        ["ghcr.io/org/app:-bad", /tag "-bad" which is not a valid tag/],
        [`ghcr.io/org/app:${"x".repeat(129)}`, /not a valid tag/],
        ["ghcr.io/org/App:1", /path segment "App" with upper-case letters.*lower-case/],
        ["ghcr.io/org//app:1", /empty path segment/],
        ["ghcr.io/org/app/:1", /empty path segment/],
        ["ghcr.io/org/a--.b:1", /path segment "a--.b"/],
        ["bad_host.io/app:1", /registry "bad_host.io" which is not a valid host\[:port\]/],
        ["registry.io:99999/app:1", /port 99999 outside 1–65535/],
        [":1.0", /has no repository name/],
        [`ghcr.io/${"a".repeat(250)}:1`, /repository name of 258 characters \(limit 255\)/],
    ];
    for (const [ref, message] of malformed) {
        it(`rejects ${JSON.stringify(ref).slice(0, 60)} naming the field, the value and the fix`, () => {
            assert.throws(
                () => parseImageRef(ref, "api.image"),
                (err: Error) => {
                    assert.match(err.message, /^api\.image: image reference /);
                    assert.match(err.message, message);
                    // Long values are cut short in messages (components/errors.ts describeValue): their start is there.
                    assert.ok(err.message.includes(`(got ${JSON.stringify(ref).slice(0, 200)}`), err.message);
                    assert.match(err.message, /Fix: .+\[L12\]$/);
                    return true;
                },
            );
        });
    }
});

describe("image references: the deployed form (L12, L28)", () => {
    it("L12/L28: pins the fully qualified repository with the digest and drops the tag", () => {
        assert.strictEqual(pinnedRef(parseImageRef("nginx:1.27", "f"), DIGEST), `docker.io/library/nginx@${DIGEST}`);
        assert.strictEqual(
            pinnedRef(parseImageRef(`registry.example.com:5000/team/api:main@${DIGEST}`, "f"), DIGEST),
            `registry.example.com:5000/team/api@${DIGEST}`,
        );
    });

    it("L12: refuses to pin to something that is not a sha256 digest", () => {
        assert.throws(
            () => pinnedRef(parseImageRef("ghcr.io/org/app:1", "f"), "main"),
            /cannot pin ghcr.io\/org\/app to "main"/,
        );
    });

    it("L24: reads the digest from a reference or a kubelet imageID", () => {
        assert.strictEqual(digestOf(`docker-pullable://ghcr.io/org/app@${DIGEST}`), DIGEST);
        assert.strictEqual(digestOf("ghcr.io/org/app:1"), undefined);
        assert.strictEqual(repositoryOf(parseImageRef("ghcr.io/org/app:1", "f")), "ghcr.io/org/app");
    });
});
