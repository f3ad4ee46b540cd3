import { repositoryOf, splitImageRef } from "../components/facts";

/** "registry/repository" without tag or digest, e.g. "docker.io/library/nginx". */
export function imageName(image: string): string {
    return repositoryOf(splitImageRef(image));
}
