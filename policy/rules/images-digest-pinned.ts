import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { SHA256_DIGEST, splitImageRef } from "../../components/facts";
import { fieldOf, validateWorkloads } from "../validate";

export const imagesDigestPinned: ResourceValidationPolicy = {
    ...policyMetadata("images-digest-pinned"),
    validateResource: validateWorkloads((workload, _args, report, who) => {
        for (const ref of workload.containers) {
            const image = ref.container.image ?? "";
            const { digest } = splitImageRef(image);
            if (digest === undefined || !SHA256_DIGEST.test(digest)) {
                report(
                    `${fieldOf(who, ref, "image")}: "${image}" is not pinned by digest; a mutable tag like ":main" never rolls the pods. Fix: use "<repo>@sha256:<64 hex digest>" (resolve the tag at preview).`,
                );
            }
        }
    }),
};
