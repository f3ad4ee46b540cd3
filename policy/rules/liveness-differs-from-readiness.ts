import { ResourceValidationPolicy } from "@pulumi/policy";
import { isDeepStrictEqual } from "util";
import { fixOf, policyMetadata } from "../catalog";
import type { Probe } from "../k8s";
import { fieldOf, validateWorkloads } from "../validate";

/** A probe with the kubelet's defaults filled in, so `periodSeconds: 10` and no periodSeconds compare equal. */
function withDefaults(probe: Probe): Record<string, unknown> {
    return {
        initialDelaySeconds: 0,
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
        ...probe,
    };
}

/**
 * Lessons L27, L15: every long-running container has liveness and readiness probes, and they answer different
 * questions. A livenessProbe identical to the readinessProbe fails exactly when the pod is not ready: when a shared
 * dependency slows down, every pod fails both at once and the kubelet restarts all of them, turning a slow
 * dependency into an outage, instead of only taking them out of the Service. Remediation: probe liveness on a
 * cheap endpoint that checks the process only, with a higher failureThreshold than readiness.
 */
export const livenessDiffersFromReadiness: ResourceValidationPolicy = {
    ...policyMetadata("liveness-differs-from-readiness"),
    validateResource: validateWorkloads((workload, _args, report, who) => {
        for (const ref of workload.containers) {
            const { livenessProbe, readinessProbe } = ref.container;
            if (
                livenessProbe &&
                readinessProbe &&
                isDeepStrictEqual(withDefaults(livenessProbe), withDefaults(readinessProbe))
            ) {
                report(
                    `${fieldOf(who, ref, "livenessProbe")}: identical to the readinessProbe, so a slow dependency restarts every pod at once instead of taking them out of the Service. ${fixOf("liveness-differs-from-readiness")}`,
                );
            }
        }
    }),
};
