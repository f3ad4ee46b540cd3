import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { StackIndex } from "../stack-index";
import { declaresPort } from "./probe-ports-declared";

export const serviceTargetPortMatchesPods: StackValidationPolicy = {
    ...policyMetadata("service-target-port-matches-pods"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        for (const service of index.ofType(TYPES.service)) {
            const spec = service.props.spec ?? {};
            if (spec.type === "ExternalName" || Object.keys(spec.selector ?? {}).length === 0) {
                continue;
            }
            const selected = index.selectWorkloads(service.namespace, { matchLabels: spec.selector });
            (spec.ports ?? []).forEach((port, i) => {
                const target: number | string = port.targetPort ?? port.port;
                for (const w of selected) {
                    const containers = w.workload.containers.filter((r) => !r.init).map((r) => r.container);
                    if (!containers.some((c) => declaresPort(c, target))) {
                        const declared =
                            containers
                                .flatMap((c) =>
                                    (c.ports ?? []).map((p) =>
                                        p.name ? `${p.containerPort} (${p.name})` : `${p.containerPort}`,
                                    ),
                                )
                                .join(", ") || "none";
                        report(
                            `${service.who} (spec.ports[${i}].${port.targetPort === undefined ? "port" : "targetPort"}): ${JSON.stringify(target)} is not a port of the selected pods of ${w.who} (declared: ${declared}). Fix: set targetPort to the port the container declares and listens on.`,
                            service.resource.urn,
                        );
                    }
                }
            });
        }
    },
};
