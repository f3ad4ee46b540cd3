import { ResourceValidationPolicy } from "@pulumi/policy";
import { SHA256_DIGEST, splitImageRef } from "../facts";
import { fieldOf, validateWorkloads } from "../validate";

export const imagesDigestPinned: ResourceValidationPolicy = {
    name: "images-digest-pinned",
    description: "[L12, L28] Every container and initContainer image is pinned by digest (repo@sha256:<64 hex>), so a new build changes the pod template and rolls the pods. Fix: resolve the tag to its digest at preview and deploy the digest.",
    enforcementLevel: "mandatory",
    validateResource: validateWorkloads((workload, _args, report, who) => {
        for (const ref of workload.containers) {
            const image = ref.container.image ?? "";
            const { digest } = splitImageRef(image);
            if (digest === undefined || !SHA256_DIGEST.test(digest)) {
                report(`${fieldOf(who, ref, "image")}: "${image}" is not pinned by digest; a mutable tag like ":main" never rolls the pods. Fix: use "<repo>@sha256:<64 hex digest>" (resolve the tag at preview).`);
            }
        }
    }),
};
