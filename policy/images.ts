import { repositoryOf, splitImageRef } from "./facts";

/** "registry/repository" without tag or digest, e.g. "docker.io/library/nginx". */
export function imageName(image: string): string {
    return repositoryOf(splitImageRef(image));
}

/** Glob match where "*" stands for any run of characters (including "/"). */
export function globMatches(pattern: string, text: string): boolean {
    const source = pattern
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
    return new RegExp(`^${source}$`).test(text);
}
