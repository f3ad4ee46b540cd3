import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "./catalog";
import { fieldOf, validateWorkloads } from "./validate";

/** The "long-running containers have probe X" check, shared by the readiness (L15) and liveness (L27) policies. */
export function probeRequiredPolicy(
    name: "readiness-probe-set" | "liveness-probe-set",
    probe: "readinessProbe" | "livenessProbe",
    why: string,
): ResourceValidationPolicy {
    return {
        ...policyMetadata(name),
        validateResource: validateWorkloads((workload, _args, report, who) => {
            if (!workload.longRunning) {
                return;
            }
            for (const ref of workload.containers.filter((r) => !r.init && r.container[probe] === undefined)) {
                report(
                    `${fieldOf(who, ref, probe)}: no ${probe}; ${why}. Fix: add ${probe} (httpGet/tcpSocket/grpc on the container's port).`,
                );
            }
        }),
    };
}
