import { ResourceValidationPolicy } from "@pulumi/policy";
import { closedSchema } from "../config";
import { globMatches, imageName } from "../images";
import { fieldOf, validateWorkloads } from "../validate";

export interface RootOnlyImagesConfig {
    /** globs matched against "registry/repository" of each image */
    rootOnlyImages: string[];
}

export const noRootOnlyImages: ResourceValidationPolicy = {
    name: "no-root-only-images",
    description: "[L02] No image that needs root (library nginx, httpd: they write /var/cache/nginx and /run/nginx.pid): under runAsNonRoot or OpenShift's arbitrary UID they crash. Fix: use an unprivileged variant such as nginxinc/nginx-unprivileged (listens on 8080, pid and temp paths under /tmp).",
    enforcementLevel: "mandatory",
    configSchema: closedSchema({
        rootOnlyImages: {
            type: "array",
            items: { type: "string" },
            description: "Globs matched against registry/repository of each image; matching images need root to start.",
            default: ["docker.io/library/nginx", "docker.io/library/httpd"],
        },
    }),
    validateResource: validateWorkloads((workload, args, report, who) => {
        const { rootOnlyImages } = args.getConfig<RootOnlyImagesConfig>();
        for (const ref of workload.containers) {
            const image = ref.container.image ?? "";
            if (rootOnlyImages.some(pattern => globMatches(pattern, imageName(image)))) {
                report(`${fieldOf(who, ref, "image")}: "${image}" needs root and fails under a non-root or arbitrary UID (permission denied on its cache and pid paths). Fix: use an unprivileged image, e.g. nginxinc/nginx-unprivileged listening on 8080.`);
            }
        }
    }),
};
