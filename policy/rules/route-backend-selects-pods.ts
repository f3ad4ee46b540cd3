import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { IngressProps, RouteProps, TYPES, propsAs } from "../k8s";
import { IndexedObject, StackIndex } from "../stack-index";

/** [service name, field path] of every Service backend of a Route or Ingress. */
function backends(object: IndexedObject<RouteProps | IngressProps>): [string, string][] {
    if (object.resource.type === TYPES.route) {
        const spec = propsAs(TYPES.route, object.props).spec ?? {};
        return [
            ...(spec.to && (spec.to.kind ?? "Service") === "Service"
                ? [[spec.to.name, "spec.to.name"] as [string, string]]
                : []),
            ...(spec.alternateBackends ?? []).map((b, i): [string, string] => [
                b.name,
                `spec.alternateBackends[${i}].name`,
            ]),
        ];
    }
    const spec = propsAs(TYPES.ingress, object.props).spec ?? {};
    const found: [string, string][] = [];
    if (spec.defaultBackend?.service?.name) {
        found.push([spec.defaultBackend.service.name, "spec.defaultBackend.service.name"]);
    }
    (spec.rules ?? []).forEach((rule, i) =>
        (rule.http?.paths ?? []).forEach((p, j) => {
            if (p.backend?.service?.name) {
                found.push([p.backend.service.name, `spec.rules[${i}].http.paths[${j}].backend.service.name`]);
            }
        }),
    );
    return found;
}

export const routeBackendSelectsPods: StackValidationPolicy = {
    ...policyMetadata("route-backend-selects-pods"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        for (const route of index.ofType(TYPES.route, TYPES.ingress)) {
            for (const [serviceName, path] of backends(route)) {
                const service = index.find(TYPES.service, route.namespace, serviceName);
                const where = `${route.who} (${path})`;
                const selector: Record<string, string> = service?.props.spec?.selector ?? {};
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
                        `${where}: ${problem}. Fix: target a Service in "${route.namespace}" whose selector matches the pods that serve this route.`,
                        route.resource.urn,
                    );
                }
            }
        }
    },
};
