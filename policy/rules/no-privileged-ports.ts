import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { UNPRIVILEGED_PORT_MIN } from "../../components/facts";
import { fieldOf, validateWorkloads } from "../validate";

export const noPrivilegedPorts: ResourceValidationPolicy = {
    ...policyMetadata("no-privileged-ports"),
    validateResource: validateWorkloads((workload, _args, report, who) => {
        const podUser = workload.podSpec.securityContext?.runAsUser;
        for (const ref of workload.containers) {
            if ((ref.container.securityContext?.runAsUser ?? podUser) === 0) {
                continue; // explicitly root: pod-security-restricted reports that instead
            }
            (ref.container.ports ?? []).forEach((port, i) => {
                if (port.containerPort < UNPRIVILEGED_PORT_MIN) {
                    report(
                        `${fieldOf(who, ref, `ports[${i}].containerPort`)}: port ${port.containerPort} is below ${UNPRIVILEGED_PORT_MIN} and cannot be bound by a non-root process. Fix: listen on a port >= ${UNPRIVILEGED_PORT_MIN} (e.g. 8080) and expose ${port.containerPort} through the Service's port/targetPort.`,
                    );
                }
            });
        }
    }),
};
