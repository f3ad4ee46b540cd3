import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { globMatches } from "../../components/facts";
import { imageName } from "../images";
import { fieldOf, validateWorkloads } from "../validate";

export interface S2iConfig {
    /** globs ("*" = any text) matched against "registry/repository" of each image */
    builderImages: string[];
}

const REDHAT_REGISTRIES = ["registry.access.redhat.com", "registry.redhat.io"];
const BUILDERS = ["python-*", "nodejs-*", "ruby-*", "php-*", "perl-*", "s2i-*"];

export const s2iBuilderCommandSet: ResourceValidationPolicy = {
    ...policyMetadata("s2i-builder-command-set"),
    configSchema: closedSchema({
        builderImages: {
            type: "array",
            items: { type: "string" },
            description: "Globs matched against registry/repository of each image; matching images are S2I builders.",
            default: REDHAT_REGISTRIES.flatMap((registry) => BUILDERS.map((builder) => `${registry}/ubi*/${builder}`)),
        },
    }),
    validateResource: validateWorkloads((workload, args, report, who) => {
        const { builderImages } = args.getConfig<S2iConfig>();
        for (const ref of workload.containers) {
            const image = ref.container.image ?? "";
            const builder = builderImages.find((pattern) => globMatches(pattern, imageName(image)));
            if (builder !== undefined && (ref.container.command ?? []).length === 0) {
                report(
                    `${fieldOf(who, ref, "command")}: image "${image}" is an S2I builder (matches "${builder}") and no command is set, so its S2I run script starts instead of the app. Fix: set command to the app's real start command.`,
                );
            }
        }
    }),
};
