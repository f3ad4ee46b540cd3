import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { IndexedObject, StackIndex } from "../stackIndex";

/** [service name, field path] of every Service backend of a Route or Ingress. */
function backends(object: IndexedObject): [string, string][] {
    const spec = object.resource.props.spec ?? {};
    if (object.resource.type === TYPES.route) {
        return [
            ...(spec.to && (spec.to.kind ?? "Service") === "Service" ? [[spec.to.name, "spec.to.name"] as [string, string]] : []),
            ...(spec.alternateBackends ?? []).map((b: any, i: number): [string, string] => [b.name, `spec.alternateBackends[${i}].name`]),
        ];
    }
    const found: [string, string][] = [];
    if (spec.defaultBackend?.service?.name) {
        found.push([spec.defaultBackend.service.name, "spec.defaultBackend.service.name"]);
    }
    (spec.rules ?? []).forEach((rule: any, i: number) => (rule.http?.paths ?? []).forEach((p: any, j: number) => {
        if (p.backend?.service?.name) {
            found.push([p.backend.service.name, `spec.rules[${i}].http.paths[${j}].backend.service.name`]);
        }
    }));
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
                const selector: Record<string, string> = service?.resource.props.spec?.selector ?? {};
                const problem = service === undefined ? `Service "${serviceName}" does not exist in namespace "${route.namespace}" of this stack (dangling backend)`
                    : service.resource.props.spec?.type === "ExternalName" ? `Service "${serviceName}" is ExternalName, which has no endpoints, so the router answers 503`
                    : Object.keys(selector).length === 0 ? `Service "${serviceName}" has no selector, so it has no endpoints`
                    : index.selectWorkloads(route.namespace, { matchLabels: selector }).length === 0 ? `Service "${serviceName}" selects ${JSON.stringify(selector)}, which matches no workload in namespace "${route.namespace}"`
                    : undefined;
                if (problem !== undefined) {
                    report(`${where}: ${problem}. Fix: target a Service in "${route.namespace}" whose selector matches the pods that serve this route.`, route.resource.urn);
                }
            }
        }
    },
};
