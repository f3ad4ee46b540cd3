import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { imageName } from "../images";
import { fieldOf, validateWorkloads } from "../validate";

export interface AllowedImagePrefixesConfig {
    /** image prefixes (e.g. "quay.io/swe-ai-fleet/"); empty = policy off */
    allowedPrefixes: string[];
}

export const allowedImagePrefixes: ResourceValidationPolicy = {
    ...policyMetadata("allowed-image-prefixes"),
    configSchema: closedSchema({
        allowedPrefixes: {
            type: "array",
            items: { type: "string" },
            default: [],
            description:
                "Allowed image prefixes, matched against the image as written and as registry/repository (docker.io/library/... for Docker Hub). Empty: no restriction.",
        },
    }),
    validateResource: validateWorkloads((workload, args, report, who) => {
        const { allowedPrefixes } = args.getConfig<AllowedImagePrefixesConfig>();
        if (allowedPrefixes.length === 0) {
            args.notApplicable("no allowedPrefixes configured");
        }
        for (const ref of workload.containers) {
            const image = ref.container.image ?? "";
            if (!allowedPrefixes.some((prefix) => image.startsWith(prefix) || imageName(image).startsWith(prefix))) {
                report(
                    `${fieldOf(who, ref, "image")}: "${image}" is outside the allowed prefixes (${allowedPrefixes.join(", ")}). Fix: push the image under an allowed prefix and reference it there.`,
                );
            }
        }
    }),
};
