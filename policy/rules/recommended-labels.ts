import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { LABEL_KEYS } from "../../components/facts";
import { kindOf, propsAs } from "../k8s";
import { kubernetesTypeInfo } from "../kubernetes-tokens";
import { subject } from "../validate";
import { workloadOf } from "../workloads";

export const RECOMMENDED_LABELS: string[] = Object.values(LABEL_KEYS);

export const recommendedLabels: ResourceValidationPolicy = {
    ...policyMetadata("recommended-labels"),
    validateResource: (args, report) => {
        // Kubernetes API objects, typed or custom (any kind name, EC2NodeClass too); not components (helm, yaml,
        // kustomize) nor *Patch / *List resources.
        if (kubernetesTypeInfo(args.type) === undefined) {
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
