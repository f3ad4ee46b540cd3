import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { LABEL_KEYS } from "../../components/facts";
import { kindOf, propsAs } from "../k8s";
import { subject } from "../validate";
import { workloadOf } from "../workloads";

export const RECOMMENDED_LABELS: string[] = Object.values(LABEL_KEYS);

/** Kubernetes API objects: "kubernetes:<group>/<version>:<Kind>", not components (helm, yaml, kustomize) nor *Patch resources. */
function isKubernetesObject(type: string): boolean {
    const match = /^kubernetes:([^/:]+)\/[^:]+:([A-Za-z]+)$/.exec(type);
    return (
        match !== null &&
        !["helm.sh", "yaml", "kustomize"].includes(match[1]) &&
        !match[2].endsWith("Patch") &&
        !match[2].endsWith("List")
    );
}

export const recommendedLabels: ResourceValidationPolicy = {
    ...policyMetadata("recommended-labels"),
    validateResource: (args, report) => {
        if (!isKubernetesObject(args.type)) {
            args.notApplicable("Policy only applies to Kubernetes objects");
        }
        const who = subject(args.type, args.props, args.name);
        const check = (labels: Record<string, string> | undefined, path: string) => {
            const missing = RECOMMENDED_LABELS.filter((key) => !labels?.[key]);
            if (missing.length > 0) {
                report(
                    `${who} (${path}): missing ${missing.join(", ")}. Fix: add these labels (e.g. app.kubernetes.io/managed-by: pulumi).`,
                );
            }
        };
        check(propsAs(args.type, args.props).metadata?.labels, "metadata.labels");
        const workload = workloadOf(args.type, args.props);
        if (workload && kindOf(args.type) !== "Pod") {
            check(workload.podLabels, workload.podLabelsPath);
        }
    },
};
