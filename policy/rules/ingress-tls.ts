import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { StackIndex } from "../stack-index";

/**
 * Lesson L31: traffic a component did not need to accept reached it anyway. An Ingress without `tls`, or an
 * OpenShift Route without `spec.tls`, serves the site over plain HTTP: session cookies, tokens and form posts
 * cross every network between the user and the router in clear text. Advisory: TLS may be terminated in front
 * of the cluster. Remediation: the components' route (edge TLS, HTTP redirected) or `tlsSecretName` + `host`
 * for an Ingress.
 */
export const ingressTls: StackValidationPolicy = {
    ...policyMetadata("ingress-tls"),
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        for (const route of index.ofType(TYPES.route)) {
            if (route.props.spec?.tls === undefined) {
                report(
                    `${route.who} (spec.tls): not set, so the route serves plain HTTP. Fix: set spec.tls: { termination: edge, insecureEdgeTerminationPolicy: Redirect }.`,
                    route.resource.urn,
                );
            }
        }
        for (const ingress of index.ofType(TYPES.ingress)) {
            const spec = ingress.props.spec ?? {};
            const tls = spec.tls ?? [];
            const secured = new Set(tls.flatMap((t) => t.hosts ?? []));
            const hosts = (spec.rules ?? []).map((r) => r.host).filter((h): h is string => typeof h === "string");
            const plain = hosts.filter((h) => !secured.has(h));
            if (tls.length === 0) {
                report(
                    `${ingress.who} (spec.tls): not set, so ${hosts.length > 0 ? hosts.join(", ") : "the Ingress"} is served over plain HTTP. Fix: add spec.tls with the hosts and a certificate Secret (components: route.host + route.tlsSecretName).`,
                    ingress.resource.urn,
                );
            } else if (plain.length > 0) {
                report(
                    `${ingress.who} (spec.tls): no tls entry covers ${plain.join(", ")}, which is served over plain HTTP. Fix: add these hosts to spec.tls[].hosts.`,
                    ingress.resource.urn,
                );
            }
        }
    },
};
