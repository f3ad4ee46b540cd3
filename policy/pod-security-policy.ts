import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "./catalog";
import { PodSecurityControl } from "./pod-security";
import { validateWorkloads } from "./validate";

/** A mandatory policy running the controls of one Pod Security profile over every pod and pod template. */
export function podSecurityPolicy(
    name: "pod-security-baseline" | "pod-security-restricted",
    controls: PodSecurityControl[],
): ResourceValidationPolicy {
    return {
        ...policyMetadata(name),
        validateResource: validateWorkloads((workload, _args, report, who) => {
            for (const control of controls) {
                control.check(workload, who).forEach((message) => report(message));
            }
        }),
    };
}
