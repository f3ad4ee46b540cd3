/** An image reference split into its parts, with Docker Hub defaults applied as the container runtime does. */
export interface ImageRef {
    /** registry host, "docker.io" when the reference names none */
    registry: string;
    /** path inside the registry, "library/nginx" for "nginx" */
    repository: string;
    tag?: string;
    digest?: string;
}

export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function parseImage(image: string): ImageRef {
    const [nameAndTag, digest] = image.split("@", 2);
    const lastSlash = nameAndTag.lastIndexOf("/");
    const lastColon = nameAndTag.lastIndexOf(":");
    const hasTag = lastColon > lastSlash;
    const name = hasTag ? nameAndTag.slice(0, lastColon) : nameAndTag;
    const tag = hasTag ? nameAndTag.slice(lastColon + 1) : undefined;
    const firstSlash = name.indexOf("/");
    const first = firstSlash < 0 ? "" : name.slice(0, firstSlash);
    // As in the Docker reference grammar: the first segment is a host when it has a dot or port, or is localhost.
    const hasRegistry = firstSlash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
    const registry = hasRegistry ? first : "docker.io";
    let repository = hasRegistry ? name.slice(firstSlash + 1) : name;
    if (registry === "docker.io" && !repository.includes("/")) {
        repository = `library/${repository}`;
    }
    return { registry, repository, tag, digest };
}

/** "registry/repository" without tag or digest, e.g. "docker.io/library/nginx". */
export function imageName(image: string): string {
    const ref = parseImage(image);
    return `${ref.registry}/${ref.repository}`;
}

/** Glob match where "*" stands for any run of characters (including "/"). */
export function globMatches(pattern: string, text: string): boolean {
    const source = pattern.split("*").map(part => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
    return new RegExp(`^${source}$`).test(text);
}
