// Image references as components take them (L12, L22): the grammar itself is a domain fact (components/facts.ts).
import { argError, FieldProblem } from "./errors";
import { digestOf, ImageRef, imageRefProblem, repositoryOf, SHA256_DIGEST, splitImageRef, unpinnedName } from "./facts";

export { digestOf, ImageRef, repositoryOf, SHA256_DIGEST };

/**
 * Parses `ref`; throws an error naming the `field`, the value and the fix when it is malformed.
 * Short Docker Hub names ("nginx", "org/app") are accepted and filled in as the runtime would.
 */
export function parseImageRef(ref: unknown, field: string): ImageRef {
    const bad = imageRefProblem(ref);
    if (bad) {
        throw argError({ field, problem: `image reference ${bad.problem}`, got: ref, fix: bad.fix, lessons: ["L12"] });
    }
    return splitImageRef(ref as string);
}

/**
 * The reference that is deployed: fully qualified repository + digest, no tag. Fully qualified because
 * CRI-O (OpenShift) resolves short names through a search list; without a tag because the digest alone
 * decides what runs (L12, L28).
 */
export function pinnedRef(ref: ImageRef, digest: string): string {
    if (!SHA256_DIGEST.test(digest)) {
        throw new Error(`cannot pin ${repositoryOf(ref)} to "${digest}": not a sha256 digest`);
    }
    return `${repositoryOf(ref)}@${digest}`;
}

/**
 * The rule of a stack that deploys only promoted digests (`requireImageDigests`, qa): a reference without a
 * digest is refused, because a tag can move (L12). Undefined when `written` has a digest.
 */
export function digestRequiredProblem(field: string, written: string): FieldProblem | undefined {
    const ref = splitImageRef(written);
    if (ref.digest !== undefined) {
        return undefined;
    }
    return {
        field,
        problem: `has no digest, and this stack requires digests (a tag, ${JSON.stringify(ref.tag ?? "latest")}, can move)`,
        got: written,
        fix: `promote the digest dev deployed (npm run promote -- --from dev --to <stack>) or pin it as ${ref.registry}/${ref.path}@sha256:<64 hex>`,
        suggested: `${unpinnedName(written)}@sha256:<digest>`,
        lessons: ["L12"],
    };
}
