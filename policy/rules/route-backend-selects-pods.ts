import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { globMatches } from "../facts";
import { IngressBackend, IngressProps, RouteProps, ServiceProps, TYPES, propsAs } from "../k8s";
import { IndexedObject, StackIndex } from "../stack-index";

/** A Service backend of a Route or Ingress: the Service, where it is named, and the port it asks for (if any). */
interface Backend {
    service: string;
    path: string;
    /** Route targetPort (a port name, or a number the endpoints listen on); Ingress port name or number. */
    port?: { value: string | number; path: string; of: "route" | "ingress" };
}

/** Every Service backend of a Route or Ingress. */
function backends(object: IndexedObject<RouteProps | IngressProps>): Backend[] {
    if (object.resource.type === TYPES.route) {
        const spec = propsAs(TYPES.route, object.props).spec ?? {};
        const targetPort = spec.port?.targetPort;
        const port =
            targetPort === undefined
                ? undefined
                : { value: targetPort, path: "spec.port.targetPort", of: "route" as const };
        return [
            ...(spec.to && (spec.to.kind ?? "Service") === "Service"
                ? [{ service: spec.to.name, path: "spec.to.name", port }]
                : []),
            ...(spec.alternateBackends ?? []).map((b, i) => ({
                service: b.name,
                path: `spec.alternateBackends[${i}].name`,
                port,
            })),
        ];
    }
    const spec = propsAs(TYPES.ingress, object.props).spec ?? {};
    const found: Backend[] = [];
    const add = (backend: IngressBackend | undefined, path: string) => {
        const service = backend?.service;
        if (service?.name) {
            const port = service.port?.name ?? service.port?.number;
            found.push({
                service: service.name,
                path: `${path}.service.name`,
                port:
                    port === undefined
                        ? undefined
                        : {
                              value: port,
                              path: `${path}.service.port.${typeof port === "string" ? "name" : "number"}`,
                              of: "ingress",
                          },
            });
        }
    };
    add(spec.defaultBackend, "spec.defaultBackend");
    (spec.rules ?? []).forEach((rule, i) =>
        (rule.http?.paths ?? []).forEach((p, j) => add(p.backend, `spec.rules[${i}].http.paths[${j}].backend`)),
    );
    return found;
}

/**
 * Whether the Service has the port a backend asks for: a name is a Service port's name; an Ingress number is a
 * Service port; a Route number is where the endpoints listen (a targetPort, or a port without one).
 */
function hasPort(
    ports: NonNullable<NonNullable<ServiceProps["spec"]>["ports"]>,
    port: NonNullable<Backend["port"]>,
): boolean {
    if (typeof port.value === "string") {
        return ports.some((p) => p.name === port.value);
    }
    return ports.some(
        (p) =>
            p.port === port.value ||
            (port.of === "route" && (p.targetPort === port.value || typeof p.targetPort === "string")),
    );
}

export interface RouteBackendConfig {
    /** Service names (globs) created outside the program */
    externalNames: string[];
}

export const routeBackendSelectsPods: StackValidationPolicy = {
    ...policyMetadata("route-backend-selects-pods"),
    configSchema: closedSchema({
        externalNames: {
            type: "array",
            items: { type: "string" },
            default: [],
            description:
                "Service names (globs) created outside the program (another stack, another team); backends naming them are not checked.",
        },
    }),
    validateStack: (args, report) => {
        const { externalNames } = args.getConfig<RouteBackendConfig>();
        const index = new StackIndex(args.resources);
        for (const route of index.ofType(TYPES.route, TYPES.ingress)) {
            for (const backend of backends(route).filter(
                (b) => !externalNames.some((pattern) => globMatches(pattern, b.service)),
            )) {
                const serviceName = backend.service;
                const service = index.find(TYPES.service, route.namespace, serviceName);
                const selector: Record<string, string> = service?.props.spec?.selector ?? {};
                const ports = service?.props.spec?.ports ?? [];
                const problem =
                    service === undefined
                        ? `Service "${serviceName}" does not exist in namespace "${route.namespace}" of this stack (dangling backend)`
                        : service.props.spec?.type === "ExternalName"
                          ? `Service "${serviceName}" is ExternalName, which has no endpoints, so the router answers 503`
                          : Object.keys(selector).length === 0
                            ? `Service "${serviceName}" has no selector, so it has no endpoints`
                            : index.selectWorkloads(route.namespace, { matchLabels: selector }).length === 0
                              ? `Service "${serviceName}" selects ${JSON.stringify(selector)}, which matches no workload in namespace "${route.namespace}"`
                              : undefined;
                if (problem !== undefined) {
                    report(
                        `${route.who} (${backend.path}): ${problem}. Fix: target a Service in "${route.namespace}" whose selector matches the pods that serve this route (or list a Service of another stack in externalNames).`,
                        route.resource.urn,
                    );
                } else if (backend.port && !hasPort(ports, backend.port)) {
                    report(
                        `${route.who} (${backend.port.path}): Service "${serviceName}" has no port ${JSON.stringify(backend.port.value)} (its ports: ${ports.map((p) => (p.name ? `${p.name}/${p.port}` : String(p.port))).join(", ") || "none"}), so the router has nowhere to send the traffic (503). Fix: name a port of the Service (derive both from one port value).`,
                        route.resource.urn,
                    );
                }
            }
        }
    },
};
