import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { globMatches } from "../../components/facts";
import { imageName } from "../images";
import { fieldOf, validateWorkloads } from "../validate";

export interface RootOnlyImagesConfig {
    /** globs matched against "registry/repository" of each image */
    rootOnlyImages: string[];
}

export const noRootOnlyImages: ResourceValidationPolicy = {
    ...policyMetadata("no-root-only-images"),
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
            if (rootOnlyImages.some((pattern) => globMatches(pattern, imageName(image)))) {
                report(
                    `${fieldOf(who, ref, "image")}: "${image}" needs root and fails under a non-root or arbitrary UID (permission denied on its cache and pid paths). Fix: use an unprivileged image, e.g. nginxinc/nginx-unprivileged listening on 8080.`,
                );
            }
        }
    }),
};
