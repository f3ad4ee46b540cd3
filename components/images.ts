// Turns an image reference from config into the digest-pinned reference that is deployed (L12, L17, L28).
// Tags are resolved against the registry at preview; pinned digests are checked to exist there, so an image
// whose build failed ("manifest unknown") fails the preview before anything is applied.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { argError, WebStackArgError } from "./errors";
import { REGISTRY_LOOKUP_TOKEN } from "./facts";
import { digestRequiredProblem, ImageRef, parseImageRef, pinnedRef, SHA256_DIGEST } from "./image-ref";

export interface ImageRequest {
    /**
     * The reference as written in config, `registry[:port]/path[:tag][@sha256:<64 hex>]`, or the Output of a
     * build (ApiImageBuild.imageRef), which must carry a digest. Required.
     */
    ref: pulumi.Input<string>;
    /** The config key it came from, for error messages, e.g. "api.image". Required. */
    field: string;
}

/** Credentials for one private registry; pass them from secret config (L19). */
export interface RegistryCredential {
    /** Registry host[:port] as it appears in image references, e.g. "ghcr.io". Required. */
    address: string;
    /** User name. Required. */
    username: string;
    /** Password or token. Required. */
    password: pulumi.Input<string>;
}

export interface ImageRegistryArgs {
    /**
     * Credentials for private registries (config `registryAuth`, secret).
     * @defaultValue none: anonymous lookups
     */
    registryAuth?: pulumi.Input<RegistryCredential[]>;
    /**
     * Look pinned digests up in the registry too, so a digest that was never pushed (or was garbage-collected)
     * fails the preview instead of the rollout (L17).
     * @defaultValue true
     */
    verifyDigests?: boolean;
    /**
     * Registry host → host to query instead, for registries that are not reachable from where `pulumi preview`
     * runs, e.g. OpenShift's internal "image-registry.openshift-image-registry.svc:5000" → its external route.
     * Digests are content addresses, so both answer the same; the deployed reference keeps the original host.
     * @defaultValue none
     */
    lookupHosts?: Record<string, string>;
}

/**
 * The docker provider that performs registry lookups, with the stack's lookup settings. It never needs a
 * Docker daemon (lookups go straight to the registry API). Pass it to a component with
 * `{ providers: [registry] }`: every image resolved beneath it uses it.
 */
export class ImageRegistry extends docker.Provider {
    readonly verifyDigests: boolean;
    readonly lookupHosts: Record<string, string>;

    constructor(name: string, args: ImageRegistryArgs = {}, opts?: pulumi.ResourceOptions) {
        super(name, { disableDockerDaemonCheck: true, registryAuth: args.registryAuth }, opts);
        this.verifyDigests = args.verifyDigests ?? true;
        this.lookupHosts = args.lookupHosts ?? {};
    }
}

export interface ResolveOptions {
    /**
     * Reject references without a digest outright (qa: only promoted digests run).
     * @defaultValue false
     */
    requireDigest?: boolean;
    /**
     * Parent of the lookup; its inherited ImageRegistry (`providers` option of an ancestor) performs it.
     * Without one, a default ImageRegistry is created as the parent's child. Default none.
     */
    parent?: pulumi.Resource;
}

export { REGISTRY_LOOKUP_TOKEN };

/** A request whose reference is written out (config), not the Output of a build. */
type WrittenImageRequest = ImageRequest & { ref: string };

function isWritten(req: ImageRequest): req is WrittenImageRequest {
    return typeof req.ref === "string";
}

/**
 * Returns `registry/path@sha256:<digest>` for the request. Throws at once (failing the preview) for malformed
 * references and, with `requireDigest`, for tags; the returned Output fails for registry lookups that fail
 * or disagree with the pinned digest. Every error names `req.field` and the fix.
 */
export function resolveImage(req: ImageRequest, opts: ResolveOptions = {}): pulumi.Output<string> {
    if (!isWritten(req)) {
        return pulumi.output(req.ref).apply((built) => builtRef(built, req.field));
    }
    const ref = parseImageRef(req.ref, req.field);
    const undigested = opts.requireDigest ? digestRequiredProblem(req.field, req.ref) : undefined;
    if (undigested) {
        throw argError(undigested);
    }
    const registry = registryFor(req.field, opts.parent);
    if (ref.digest !== undefined && !registry.verifyDigests) {
        return pulumi.output(pinnedRef(ref, ref.digest));
    }
    const lookupHost = registry.lookupHosts[ref.registry];
    const name =
        lookupHost === undefined
            ? req.ref
            : `${lookupHost}/${ref.path}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
    const lookup = docker.getRegistryImage({ name }, { provider: registry, parent: opts.parent }).then(
        (found) => pinnedRef(ref, checkedDigest(req, ref, found.sha256Digest)),
        (err: unknown) => {
            throw lookupError(req, ref, name, err);
        },
    );
    return pulumi.output(lookup);
}

/** A reference produced by a build is pinned by the push itself; it only has to carry the digest. */
function builtRef(built: string, field: string): string {
    const ref = parseImageRef(built, field);
    if (ref.digest === undefined) {
        throw argError({
            field,
            problem: "the built image has no digest",
            got: built,
            fix: "deploy the build's repoDigest, never its tag",
            lessons: ["L12"],
        });
    }
    return pinnedRef(ref, ref.digest);
}

function checkedDigest(req: WrittenImageRequest, ref: ImageRef, reported: unknown): string {
    if (typeof reported !== "string" || !SHA256_DIGEST.test(reported)) {
        throw argError({
            field: req.field,
            problem: `the registry lookup of "${req.ref}" returned no sha256 digest`,
            got: reported,
            fix: `check that ${ref.registry} serves the image over the registry v2 API`,
            lessons: ["L17"],
        });
    }
    if (ref.digest !== undefined && reported !== ref.digest) {
        throw argError({
            field: req.field,
            problem: `registry ${ref.registry} serves ${reported} for this reference, not the pinned ${ref.digest}`,
            got: req.ref,
            fix: "pin the digest the registry serves, or push the intended image again",
            lessons: ["L12", "L17"],
        });
    }
    return reported;
}

function lookupError(req: WrittenImageRequest, ref: ImageRef, queried: string, err: unknown): WebStackArgError {
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim();
    const detail = message === "" ? "the provider gave no detail" : message;
    const via = queried === req.ref ? "" : ` (queried as ${queried})`;
    const problem = { field: req.field, got: req.ref };
    if (/manifest unknown|not found|404|name unknown/i.test(detail)) {
        return argError({
            ...problem,
            problem: `the image does not exist in registry ${ref.registry}${via} (${detail})`,
            fix: `push it first (a failed build leaves no manifest) or correct the tag/digest in ${req.field}; nothing was deployed`,
            lessons: ["L17"],
        });
    }
    if (/unauthori[sz]ed|denied|forbidden|401|403/i.test(detail)) {
        return argError({
            ...problem,
            problem: `registry ${ref.registry} refused the lookup${via} (${detail})`,
            fix: `give credentials for ${ref.registry} in the secret config registryAuth`,
            lessons: ["L17", "L19"],
        });
    }
    return argError({
        ...problem,
        problem: `could not look up the image in registry ${ref.registry}${via} (${detail})`,
        fix: "make the registry reachable from where pulumi preview runs (or map it with registryLookupHosts); a tag cannot be deployed without its digest",
        lessons: ["L17"],
    });
}

const defaultRegistries = new WeakMap<pulumi.Resource, ImageRegistry>();

/** The ImageRegistry a parent inherited, else a default one: per parent, or per image field without a parent. */
function registryFor(field: string, parent: pulumi.Resource | undefined): ImageRegistry {
    const inherited = parent?.getProvider(REGISTRY_LOOKUP_TOKEN);
    if (inherited instanceof ImageRegistry) {
        return inherited;
    }
    const cached = parent && defaultRegistries.get(parent);
    if (cached) {
        return cached;
    }
    const name = parent
        ? `${pulumi.resourceName(parent)}-registry`
        : `${field.replace(/[^A-Za-z0-9-]+/g, "-")}-registry`;
    const registry = new ImageRegistry(name, {}, { parent });
    if (parent) {
        defaultRegistries.set(parent, registry);
    }
    return registry;
}
