// Domain facts of webstack, defined once and imported by the components, the policy pack, the scripts, the
// offline checker and the admission generator. No imports: the package ships it as its own file, and the pack
// loads it without loading any component (test/policy/pack.test.ts, test/package.test.ts).

/** A sha256 content digest as registries and the kubelet report it: "sha256:<64 lowercase hex>". */
export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The sha256 digest at the end of an image reference or a kubelet imageID ("…@sha256:<hex>"), if any. */
export function digestOf(imageOrImageId: string): string | undefined {
    const { digest } = writtenParts(imageOrImageId);
    return digest !== undefined && SHA256_DIGEST.test(digest) ? digest : undefined;
}

/** A glob as regular-expression source (unanchored): JavaScript and RE2 (the API server's CEL) read it alike. */
export function globSource(pattern: string): string {
    return pattern
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
}

/** Glob match where "*" stands for any run of characters (including "/"): the pattern language of pack settings. */
export function globMatches(pattern: string, text: string): boolean {
    return new RegExp(`^${globSource(pattern)}$`).test(text);
}

/** Whether an environment variable name matches one of the globs, ignoring case (env settings of the pack). */
export function envNameMatchesAny(patterns: readonly string[], name: string): boolean {
    return patterns.some((p) => globMatches(p.toUpperCase(), name.toUpperCase()));
}

/**
 * A DNS-1123 label (k8s.io/apimachinery IsDNS1123Label: namespaces, Service names): lower case alphanumerics and
 * "-", starting and ending alphanumeric, at most 63 characters.
 */
export const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain (IsDNS1123Subdomain: most object names, hosts): dot-separated labels, at most 253 characters. */
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** OpenShift's cluster-internal registry; the first path segment of an image there is the namespace. */
export const INTERNAL_REGISTRY_HOST = "image-registry.openshift-image-registry.svc:5000";

/** The role of each image a stack deploys: the keys of the stack output `images`. */
export type ImageRole = "api" | "migration" | "nginx" | "content" | "redis";
/** Every image a stack deploys, by role → its argument / config path. */
export const IMAGE_ROLE_FIELDS = {
    api: "api.image",
    migration: "migration.image",
    nginx: "site.image",
    content: "site.content.image",
    redis: "redis.image",
} as const satisfies Record<ImageRole, string>;

/** Response header nginx adds with the deployed version unless the stack names another (L24). */
export const VERSION_HEADER_DEFAULT_NAME = "X-Webstack-Version";
/** An HTTP header name as nginx's add_header takes it unquoted: letters, digits and "-", not starting with "-". */
export const HTTP_HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/** Lowest port a non-root process may bind (ports below it need root, which OpenShift never grants: L02, L30). */
export const UNPRIVILEGED_PORT_MIN = 1024;
/** Highest TCP port. */
export const MAX_PORT = 65535;

/** A port a non-root container can listen on: an integer from UNPRIVILEGED_PORT_MIN to MAX_PORT. */
export function isUnprivilegedPort(port: unknown): boolean {
    return Number.isInteger(port) && (port as number) >= UNPRIVILEGED_PORT_MIN && (port as number) <= MAX_PORT;
}

/** Invoke token of the docker provider's registry lookup (tag → digest at preview, L12, L17); mocks answer it. */
export const REGISTRY_LOOKUP_TOKEN = "docker:index/getRegistryImage:getRegistryImage";

/** Where nginx serves the static files from inside its container. */
export const NGINX_CONTENT_ROOT = "/usr/share/nginx/html";
/** Directory inside a content image that holds the site's files, unless the stack names another. */
export const CONTENT_IMAGE_DEFAULT_PATH = "/site";
/** Where the official redis and valkey images keep their data (RDB/AOF), and so where the volume goes (L10). */
export const REDIS_DATA_DIR = "/data";

/** The recommended `app.kubernetes.io/*` label keys every object carries (L16), in the order reports list them. */
export const LABEL_KEYS = {
    name: "app.kubernetes.io/name",
    instance: "app.kubernetes.io/instance",
    component: "app.kubernetes.io/component",
    partOf: "app.kubernetes.io/part-of",
    managedBy: "app.kubernetes.io/managed-by",
} as const;
/** Value of `app.kubernetes.io/managed-by` on everything the components create. */
export const MANAGED_BY = "pulumi";

// ---- image references -------------------------------------------------------------------------------
// The distribution reference grammar the container runtimes use:
//   [host[:port]/]path-component(/path-component)*[:tag][@sha256:<64 lowercase hex>]

/** An image reference split into its parts, with Docker Hub defaults applied as the container runtime does. */
export interface ImageRef {
    /** Registry `host[:port]`; "docker.io" when the reference names none. */
    registry: string;
    /** Repository path inside the registry, e.g. "team/app/api"; "library/<name>" for Docker Hub official images. */
    path: string;
    /** Tag, when written (e.g. "1.4.2"). */
    tag?: string;
    /** Content digest "sha256:<64 hex>", when written. */
    digest?: string;
}

/** How a reference is written, for messages. */
export const IMAGE_REF_FORMAT = "registry[:port]/path[:tag][@sha256:<64 hex>]";
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const HOST = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::([0-9]+))?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
/** Longest repository name (registry + path) the reference grammar allows. */
const MAX_NAME_LENGTH = 255;

/**
 * The reference as written: the name (registry and path, no defaults applied), the tag after the last ":" that
 * follows the last "/", and everything after the first "@" as the digest. The one place a reference is split.
 */
function writtenParts(image: string): { name: string; tag?: string; digest?: string } {
    const at = image.indexOf("@");
    const nameAndTag = at < 0 ? image : image.slice(0, at);
    const digest = at < 0 ? undefined : image.slice(at + 1);
    const lastColon = nameAndTag.lastIndexOf(":");
    const hasTag = lastColon > nameAndTag.lastIndexOf("/");
    return {
        name: hasTag ? nameAndTag.slice(0, lastColon) : nameAndTag,
        ...(hasTag ? { tag: nameAndTag.slice(lastColon + 1) } : {}),
        ...(digest === undefined ? {} : { digest }),
    };
}

/** The reference without its tag and digest, as written ("ghcr.io/org/api:1@sha256:…" → "ghcr.io/org/api"). */
export function unpinnedName(image: string): string {
    return writtenParts(image).name;
}

/** The reference without its digest, tag kept, as written ("ghcr.io/org/api:1@sha256:…" → "ghcr.io/org/api:1"). */
export function withoutDigest(image: string): string {
    const { name, tag } = writtenParts(image);
    return tag === undefined ? name : `${name}:${tag}`;
}

/** The parts of `image` without judging them (policies see whatever a program deployed). */
export function splitImageRef(image: string): ImageRef {
    const { name, tag, digest } = writtenParts(image);
    const firstSlash = name.indexOf("/");
    const first = firstSlash < 0 ? "" : name.slice(0, firstSlash);
    // The first segment is a registry when it has a dot or a port, or is localhost.
    const hasRegistry = firstSlash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
    const registry = hasRegistry ? first : "docker.io";
    let path = hasRegistry ? name.slice(firstSlash + 1) : name;
    if (registry === "docker.io" && !path.includes("/")) {
        path = `library/${path}`;
    }
    return { registry, path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** "registry/path", the repository without tag or digest, e.g. "docker.io/library/nginx". */
export function repositoryOf(ref: ImageRef): string {
    return `${ref.registry}/${ref.path}`;
}

/** What is wrong with a reference and how to write it instead; undefined when it follows the grammar. */
export interface ImageRefProblem {
    problem: string;
    fix: string;
}

/** Checks `ref` against the reference grammar; short Docker Hub names ("nginx", "org/app") are valid. */
export function imageRefProblem(ref: unknown): ImageRefProblem | undefined {
    const bad = (problem: string, fix = `write it as ${IMAGE_REF_FORMAT}, e.g. ghcr.io/org/app:1.2.3`) => ({
        problem,
        fix,
    });
    if (typeof ref !== "string" || ref.length === 0) {
        return bad("must be a non-empty string");
    }
    if (/\s/.test(ref)) {
        return bad("must not contain whitespace", "remove the spaces or line breaks around or inside it");
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
        return bad("must not carry a URL scheme", `drop the "${ref.split("://")[0]}://" prefix`);
    }
    if (ref.split("@").length > 2) {
        return bad("has more than one '@'", "keep a single @sha256:<digest> at the end");
    }
    const { name, tag, digest } = writtenParts(ref);
    if (digest !== undefined && !SHA256_DIGEST.test(digest)) {
        const hex = digest.startsWith("sha256:") ? digest.slice("sha256:".length) : undefined;
        if (hex === undefined) {
            return bad(
                `has digest "${digest}" which is not sha256`,
                "pin the sha256 digest the registry reports: repo@sha256:<64 hex>",
            );
        }
        return bad(
            `has digest "${digest}" which is not 64 lowercase hex characters (${hex.length} characters)`,
            "copy the full digest, e.g. from `docker buildx imagetools inspect <image>` or the stack output `images`",
        );
    }
    if (tag !== undefined && !TAG.test(tag)) {
        return bad(
            `has tag "${tag}" which is not a valid tag`,
            "a tag is 1–128 characters of letters, digits, '_', '.', '-', not starting with '.' or '-'",
        );
    }
    if (name.length === 0) {
        return bad("has no repository name");
    }
    if (name.length > MAX_NAME_LENGTH) {
        return bad(
            `has a repository name of ${name.length} characters (limit ${MAX_NAME_LENGTH})`,
            "shorten the repository path",
        );
    }
    const { registry } = splitImageRef(ref);
    const components = name.split("/");
    const hasRegistry = components.length > 1 && components[0] === registry;
    if (hasRegistry) {
        const host = HOST.exec(registry);
        if (!host) {
            return bad(
                `has registry "${registry}" which is not a valid host[:port]`,
                "write the registry as host or host:port, e.g. registry.example.com:5000",
            );
        }
        const port = host[1] === undefined ? undefined : Number(host[1]);
        if (port !== undefined && (port < 1 || port > MAX_PORT)) {
            return bad(`has registry port ${host[1]} outside 1–${MAX_PORT}`, "use the port the registry listens on");
        }
    }
    for (const component of hasRegistry ? components.slice(1) : components) {
        if (component.length === 0) {
            return bad("has an empty path segment ('//' or a trailing '/')", "remove the extra '/'");
        }
        if (!PATH_COMPONENT.test(component)) {
            return component.toLowerCase() !== component
                ? bad(
                      `has path segment "${component}" with upper-case letters`,
                      "repository paths are lower-case; write the path as the registry lists it",
                  )
                : bad(
                      `has path segment "${component}" with characters other than a-z, 0-9 and single '.', '_', '__' or '-' separators`,
                  );
        }
    }
    return undefined;
}
