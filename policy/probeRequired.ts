import { ResourceValidationPolicy } from "@pulumi/policy";
import { fieldOf, validateWorkloads } from "./validate";

/** The "long-running containers have probe X" check, shared by the readiness (L15) and liveness (L27) policies. */
export function probeRequiredPolicy(
    name: string, probe: "readinessProbe" | "livenessProbe", lessons: string, why: string,
): ResourceValidationPolicy {
    return {
        name,
        description: `[${lessons}] Every container of a long-running workload has a ${probe}: ${why}. Fix: add ${probe} on the container's declared port.`,
        enforcementLevel: "advisory",
        validateResource: validateWorkloads((workload, _args, report, who) => {
            if (!workload.longRunning) {
                return;
            }
            for (const ref of workload.containers.filter(r => !r.init && r.container[probe] === undefined)) {
                report(`${fieldOf(who, ref, probe)}: no ${probe}; ${why}. Fix: add ${probe} (httpGet/tcpSocket/grpc on the container's port).`);
            }
        }),
    };
}
