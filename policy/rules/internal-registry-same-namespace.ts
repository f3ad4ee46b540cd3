import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { INTERNAL_REGISTRY_HOST, splitImageRef } from "../../components/facts";
import { fieldOf, validateWorkloads } from "../validate";

export interface InternalRegistryConfig {
    /** host[:port] of the cluster-internal registry, whose first path segment is a namespace */
    internalRegistries: string[];
}

export const internalRegistrySameNamespace: ResourceValidationPolicy = {
    ...policyMetadata("internal-registry-same-namespace"),
    configSchema: closedSchema({
        internalRegistries: {
            type: "array",
            items: { type: "string" },
            description: "Hosts of the cluster-internal registry (image path = <host>/<namespace>/<name>).",
            default: [INTERNAL_REGISTRY_HOST],
        },
    }),
    validateResource: validateWorkloads((workload, args, report, who) => {
        const namespace: string | undefined = args.props.metadata?.namespace;
        if (namespace === undefined) {
            return; // the provider's default namespace is not visible to policies, so there is nothing to compare
        }
        const { internalRegistries } = args.getConfig<InternalRegistryConfig>();
        for (const ref of workload.containers) {
            const image = ref.container.image ?? "";
            const { registry, path } = splitImageRef(image);
            const imageNamespace = path.split("/")[0];
            if (internalRegistries.includes(registry) && imageNamespace !== namespace) {
                report(
                    `${fieldOf(who, ref, "image")}: "${image}" is in namespace "${imageNamespace}" of the internal registry but the workload runs in "${namespace}". Fix: use ${registry}/${namespace}/<image> (build it here) or an external registry reference from stack config.`,
                );
            }
        }
    }),
};
