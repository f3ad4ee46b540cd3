import { ResourceValidationPolicy } from "@pulumi/policy";
import { PodSecurityControl } from "./podSecurity";
import { validateWorkloads } from "./validate";

/** A mandatory policy running the controls of one Pod Security profile over every pod and pod template. */
export function podSecurityPolicy(name: string, description: string, controls: PodSecurityControl[]): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateResource: validateWorkloads((workload, _args, report, who) => {
            for (const control of controls) {
                control.check(workload, who).forEach(message => report(message));
            }
        }),
    };
}
