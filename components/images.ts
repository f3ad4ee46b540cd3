// Turns an image reference from config into the digest-pinned reference that is deployed (L12, L17, L28).
// Tags are resolved against the registry at preview; pinned digests are checked to exist there, so an image
// whose build failed ("manifest unknown") fails the preview before anything is applied.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ImageRef, parseImageRef, pinnedRef, SHA256_DIGEST } from "./imageRef";

export interface ImageRequest {
    /** The reference as written in config: `registry[:port]/path[:tag][@sha256:<64 hex>]`. Required. */
    ref: string;
    /** The config key it came from, for error messages, e.g. "api.image". Required. */
    field: string;
}

/** Credentials for one private registry; pass the password from secret config (L19). */
export interface RegistryCredential {
    /** Registry host[:port] as it appears in image references, e.g. "ghcr.io". Required. */
    address: string;
    /** User name. Required. */
    username: string;
    /** Password or token; a secret Output from `config.requireSecret`. Required. */
    password: pulumi.Input<string>;
}

export interface ResolveOptions {
    /** Reject references without a digest outright (qa: only promoted digests run). Default false. */
    requireDigest?: boolean;
    /**
     * Look pinned digests up in the registry too, so a digest that was never pushed (or was garbage-collected)
     * fails the preview instead of the rollout (L17). Needs the registry reachable from where `pulumi preview`
     * runs. Default true.
     */
    verifyDigest?: boolean;
    /**
     * Credentials for private registries, used by the registry lookups. All images resolved under one parent
     * share one docker provider, so pass the same list for each of them. Default none (anonymous lookups).
     */
    registryAuth?: pulumi.Input<RegistryCredential[]>;
    /** Parent of the docker provider that performs the lookups. Default none (a provider per image). */
    parent?: pulumi.Resource;
}

/** Invoke token of the registry lookup; mocks answer it in tests. */
export const REGISTRY_LOOKUP_TOKEN = "docker:index/getRegistryImage:getRegistryImage";

/**
 * Returns `registry/path@sha256:<digest>` for the request. Throws at once (failing the preview) for malformed
 * references and, with `requireDigest`, for tags; the returned Output fails for registry lookups that fail
 * or disagree with the pinned digest. Every error names `req.field` and the fix.
 */
export function resolveImage(req: ImageRequest, opts: ResolveOptions = {}): pulumi.Output<string> {
    const ref = parseImageRef(req.ref, req.field);
    if (ref.digest === undefined && opts.requireDigest) {
        throw new Error(
            `${req.field}: image "${req.ref}" has no digest, and this stack sets requireDigest (got tag ${JSON.stringify(ref.tag ?? "latest")}). ` +
            `Fix: promote the digest dev deployed (npm run promote -- --from dev --to <stack>) or pin it as ${ref.registry}/${ref.path}@sha256:<64 hex> [L12]`,
        );
    }
    if (ref.digest !== undefined && opts.verifyDigest === false) {
        return pulumi.output(pinnedRef(ref, ref.digest));
    }
    const provider = registryProvider(req.field, opts);
    const lookup = docker
        .getRegistryImage({ name: req.ref }, { provider, parent: opts.parent })
        .then(
            (found) => pinnedRef(ref, checkedDigest(req, ref, found.sha256Digest)),
            (err: unknown) => {
                throw lookupError(req, ref, err);
            },
        );
    return pulumi.output(lookup);
}

function checkedDigest(req: ImageRequest, ref: ImageRef, reported: unknown): string {
    if (typeof reported !== "string" || !SHA256_DIGEST.test(reported)) {
        throw new Error(
            `${req.field}: the registry lookup of "${req.ref}" returned no sha256 digest (got ${JSON.stringify(reported)}). ` +
            `Fix: check that ${ref.registry} serves the image over the registry v2 API [L17]`,
        );
    }
    if (ref.digest !== undefined && reported !== ref.digest) {
        throw new Error(
            `${req.field}: registry ${ref.registry} serves ${reported} for "${req.ref}", not the pinned ${ref.digest}. ` +
            `Fix: pin the digest the registry serves, or push the intended image again [L12, L17]`,
        );
    }
    return reported;
}

function lookupError(req: ImageRequest, ref: ImageRef, err: unknown): Error {
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim();
    const detail = message === "" ? "the provider gave no detail" : message;
    if (/manifest unknown|not found|404|name unknown/i.test(detail)) {
        return new Error(
            `${req.field}: image "${req.ref}" does not exist in registry ${ref.registry} (${detail}). ` +
            `Fix: push it first (a failed build leaves no manifest) or correct the tag/digest in ${req.field}; nothing was deployed [L17]`,
        );
    }
    if (/unauthori[sz]ed|denied|forbidden|401|403/i.test(detail)) {
        return new Error(
            `${req.field}: registry ${ref.registry} refused the lookup of "${req.ref}" (${detail}). ` +
            `Fix: give credentials for ${ref.registry} in the secret config registryAuth [L17, L19]`,
        );
    }
    return new Error(
        `${req.field}: could not look up image "${req.ref}" in registry ${ref.registry} (${detail}). ` +
        `Fix: make the registry reachable from where pulumi preview runs; a tag cannot be deployed without its digest [L17]`,
    );
}

const providersByParent = new WeakMap<pulumi.Resource, docker.Provider>();

/**
 * An explicit docker provider that never needs a Docker daemon (lookups go straight to the registry API).
 * One per parent component; without a parent, one per image field.
 */
function registryProvider(field: string, opts: ResolveOptions): docker.Provider {
    const cached = opts.parent && providersByParent.get(opts.parent);
    if (cached) {
        return cached;
    }
    const name = opts.parent ? `${pulumi.resourceName(opts.parent)}-registry` : `${field.replace(/[^A-Za-z0-9-]+/g, "-")}-registry`;
    const provider = new docker.Provider(
        name,
        { disableDockerDaemonCheck: true, registryAuth: opts.registryAuth },
        { parent: opts.parent },
    );
    if (opts.parent) {
        providersByParent.set(opts.parent, provider);
    }
    return provider;
}
