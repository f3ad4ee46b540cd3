import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { fieldOf, validateWorkloads } from "../validate";

/**
 * Lesson L18: one value, one place (the port mismatch came from two settings that disagreed). The same env var name
 * twice in one container is two values for one setting: Kubernetes keeps the last one, and the API server only
 * warns ("hides previous definition", pkg/api/pod/warnings.go), so whichever entry someone edits may be the one that
 * is ignored. Advisory, as the API server's answer is a warning. Remediation: set each variable once.
 */
export const envNamesUnique: ResourceValidationPolicy = {
    ...policyMetadata("env-names-unique"),
    validateResource: validateWorkloads((workload, _args, report, who) => {
        for (const ref of workload.allContainers) {
            const first = new Map<string, number>();
            (ref.container.env ?? []).forEach((env, i) => {
                const earlier = first.get(env.name);
                if (earlier === undefined) {
                    first.set(env.name, i);
                    return;
                }
                report(
                    `${fieldOf(who, ref, `env[${i}].name`)}: "${env.name}" is already set by env[${earlier}]; only the last value takes effect. Fix: set each variable once.`,
                );
            });
        }
    }),
};
