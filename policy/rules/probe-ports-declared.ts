import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { Container } from "../k8s";
import { fieldOf, validateWorkloads } from "../validate";

const PROBES = ["readinessProbe", "livenessProbe", "startupProbe"] as const;

/** The probe's port and where it sits, e.g. [50053, "httpGet.port"]. */
function probePort(probe: Container["readinessProbe"]): [number | string, string] | undefined {
    for (const handler of ["httpGet", "tcpSocket", "grpc"] as const) {
        if (probe?.[handler]?.port !== undefined) {
            return [probe[handler].port, `${handler}.port`];
        }
    }
    return undefined;
}

export function declaresPort(container: Container, port: number | string): boolean {
    return (container.ports ?? []).some((p) => (typeof port === "number" ? p.containerPort === port : p.name === port));
}

export const probePortsDeclared: ResourceValidationPolicy = {
    ...policyMetadata("probe-ports-declared"),
    validateResource: validateWorkloads((workload, _args, report, who) => {
        for (const ref of workload.containers) {
            for (const probe of PROBES) {
                const found = probePort(ref.container[probe]);
                if (found && !declaresPort(ref.container, found[0])) {
                    const declared =
                        (ref.container.ports ?? [])
                            .map((p) => (p.name ? `${p.containerPort} (${p.name})` : `${p.containerPort}`))
                            .join(", ") || "none";
                    report(
                        `${fieldOf(who, ref, `${probe}.${found[1]}`)}: probe port ${JSON.stringify(found[0])} is not a declared container port (declared: ${declared}). Fix: probe the port the server listens on and declare it in ports.`,
                    );
                }
            }
        }
    }),
};
