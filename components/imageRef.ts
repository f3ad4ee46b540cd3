// Parsing and validation of container image references as written in stack config (L12, L22).
// Grammar follows the distribution reference spec the container runtimes use:
//   [host[:port]/]path-component(/path-component)*[:tag][@sha256:<64 lowercase hex>]

/** An image reference split into its parts. */
export interface ImageRef {
    /** Registry `host[:port]`; "docker.io" when the reference names none (as the runtime assumes). */
    registry: string;
    /** Repository path inside the registry, e.g. "team/app/api"; "library/<name>" for Docker Hub official images. */
    path: string;
    /** Tag, when written (e.g. "1.4.2"); ignored for deployment once a digest is known. */
    tag?: string;
    /** Content digest "sha256:<64 hex>", when written. */
    digest?: string;
}

/** A sha256 content digest as registries and the kubelet report it. */
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

const FORMAT = "registry[:port]/path[:tag][@sha256:<64 hex>]";
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const HOST = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::([0-9]+))?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
/** Longest repository name (registry + path) the reference grammar allows. */
const MAX_NAME_LENGTH = 255;

/**
 * Parses `ref`; throws an error naming the config `field`, the value and the fix when it is malformed.
 * Short Docker Hub names ("nginx", "org/app") are accepted and filled in as the runtime would.
 */
export function parseImageRef(ref: unknown, field: string): ImageRef {
    const fail = (problem: string, fix = `write it as ${FORMAT}, e.g. ghcr.io/org/app:1.2.3`): never => {
        throw new Error(`${field}: image reference ${problem} (got ${JSON.stringify(ref)}). Fix: ${fix} [L12]`);
    };
    if (typeof ref !== "string" || ref.length === 0) {
        return fail("must be a non-empty string");
    }
    if (/\s/.test(ref)) {
        return fail("must not contain whitespace", "remove the spaces or line breaks around or inside it");
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
        return fail("must not carry a URL scheme", `drop the "${ref.split("://")[0]}://" prefix`);
    }
    const atParts = ref.split("@");
    if (atParts.length > 2) {
        return fail("has more than one '@'", "keep a single @sha256:<digest> at the end");
    }
    const [nameAndTag, digest] = atParts;
    if (digest !== undefined && !SHA256_DIGEST.test(digest)) {
        const hex = digest.startsWith("sha256:") ? digest.slice("sha256:".length) : undefined;
        if (hex === undefined) {
            return fail(`has digest "${digest}" which is not sha256`, "pin the sha256 digest the registry reports: repo@sha256:<64 hex>");
        }
        return fail(
            `has digest "${digest}" which is not 64 lowercase hex characters (${hex.length} characters)`,
            "copy the full digest, e.g. from `docker buildx imagetools inspect <image>` or the stack output `images`",
        );
    }
    const lastSlash = nameAndTag.lastIndexOf("/");
    const lastColon = nameAndTag.lastIndexOf(":");
    const hasTag = lastColon > lastSlash;
    const name = hasTag ? nameAndTag.slice(0, lastColon) : nameAndTag;
    const tag = hasTag ? nameAndTag.slice(lastColon + 1) : undefined;
    if (tag !== undefined && !TAG.test(tag)) {
        return fail(
            `has tag "${tag}" which is not a valid tag`,
            "a tag is 1–128 characters of letters, digits, '_', '.', '-', not starting with '.' or '-'",
        );
    }
    if (name.length === 0) {
        return fail("has no repository name");
    }
    if (name.length > MAX_NAME_LENGTH) {
        return fail(`has a repository name of ${name.length} characters (limit ${MAX_NAME_LENGTH})`, "shorten the repository path");
    }
    const components = name.split("/");
    const first = components[0];
    // As in the reference grammar: the first segment is a registry when it has a dot or a port, or is localhost.
    const hasRegistry = components.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
    const registry = hasRegistry ? first : "docker.io";
    if (hasRegistry) {
        const host = HOST.exec(first);
        if (!host) {
            return fail(`has registry "${first}" which is not a valid host[:port]`, "write the registry as host or host:port, e.g. registry.example.com:5000");
        }
        const port = host[1] === undefined ? undefined : Number(host[1]);
        if (port !== undefined && (port < 1 || port > 65535)) {
            return fail(`has registry port ${host[1]} outside 1–65535`, "use the port the registry listens on");
        }
    }
    const pathComponents = hasRegistry ? components.slice(1) : components;
    for (const component of pathComponents) {
        if (component.length === 0) {
            return fail("has an empty path segment ('//' or a trailing '/')", "remove the extra '/'");
        }
        if (!PATH_COMPONENT.test(component)) {
            const problem = component.toLowerCase() !== component
                ? `has path segment "${component}" with upper-case letters`
                : `has path segment "${component}" with characters other than a-z, 0-9 and single '.', '_', '__' or '-' separators`;
            const fix = component.toLowerCase() !== component
                ? "repository paths are lower-case; write the path as the registry lists it"
                : `write it as ${FORMAT}`;
            return fail(problem, fix);
        }
    }
    let path = pathComponents.join("/");
    if (registry === "docker.io" && pathComponents.length === 1) {
        path = `library/${path}`;
    }
    return { registry, path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** "registry/path", the repository without tag or digest, e.g. "docker.io/library/nginx". */
export function repositoryOf(ref: ImageRef): string {
    return `${ref.registry}/${ref.path}`;
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

/** The sha256 digest at the end of an image reference or a kubelet imageID, if any. */
export function digestOf(imageOrImageId: string): string | undefined {
    const match = /@(sha256:[0-9a-f]{64})$/.exec(imageOrImageId);
    return match ? match[1] : undefined;
}
