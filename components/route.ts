import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { argsSchema } from "./args-schema";
import { FieldProblem, rejectProblems } from "./errors";
import { recommendedLabels } from "./labels";
import { ServiceTarget } from "./static-site";

export type RouteKind = "openshift" | "ingress";
export const ROUTE_DEFAULT_TIMEOUT = "1h";
export const SSE_TIMEOUT_ANNOTATION = "haproxy.router.openshift.io/timeout";

export interface RouteArgs {
    /** Namespace of the Route/Ingress (the Service's namespace). Required. */
    namespace: string;
    /** The stack's own selector Service, as given by StaticSite.serviceTarget (L05). Required. */
    target: ServiceTarget;
    /**
     * "openshift": route.openshift.io/v1 Route; "ingress": networking.k8s.io/v1 Ingress.
     * @defaultValue "openshift"
     */
    kind?: RouteKind;
    /**
     * Public host name.
     * @defaultValue OpenShift generates one; an Ingress then matches every host
     */
    host?: string;
    /**
     * Idle timeout for long responses such as SSE (L11: the router's default is 30 s).
     * @defaultValue {@link ROUTE_DEFAULT_TIMEOUT}
     */
    timeout?: string;
    /**
     * Ingress only: IngressClass.
     * @defaultValue the cluster's default class
     */
    ingressClassName?: string;
    /**
     * Ingress only: TLS Secret for `host`.
     * @defaultValue no TLS section (the controller's default certificate)
     */
    tlsSecretName?: string;
    /**
     * Extra annotations (e.g. the ingress controller's read timeout).
     * @defaultValue none
     */
    annotations?: Record<string, string>;
    /**
     * Application the object belongs to (`app.kubernetes.io/part-of`).
     * @defaultValue the component name
     */
    partOf?: string;
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const DURATION = /^[1-9][0-9]*(ms|s|m|h|d)$/;

/** The settings of a Route as data (WebStack argument `route`, stack config `webstack:route`). */
export const routeSchema = argsSchema<Omit<RouteArgs, "namespace" | "target" | "partOf">>()({
    kind: z.enum(["openshift", "ingress"]).optional(),
    host: z.string().optional(),
    timeout: z.string().optional(),
    ingressClassName: z.string().optional(),
    tlsSecretName: z.string().optional(),
    annotations: z.record(z.string(), z.string()).optional(),
});

/** Rules for the Route's arguments; `prefix` is the path of the arguments in the caller's terms ("route.") or "". */
export function routeProblems(
    args: Pick<RouteArgs, "host" | "timeout" | "kind" | "tlsSecretName" | "ingressClassName">,
    prefix: string,
): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const kind = args.kind ?? "openshift";
    if (kind === "openshift" && (args.ingressClassName !== undefined || args.tlsSecretName !== undefined)) {
        const field = args.ingressClassName !== undefined ? "ingressClassName" : "tlsSecretName";
        problems.push({
            field: `${prefix}${field}`,
            problem: "only applies to an Ingress (an OpenShift Route terminates TLS at the router)",
            got: args[field],
            fix: `remove it, or set ${prefix}kind to ingress`,
        });
    }
    if (args.host !== undefined && !HOST.test(args.host)) {
        problems.push({
            field: `${prefix}host`,
            problem: "is not a lowercase DNS host name",
            got: args.host,
            fix: `set ${prefix}host to a lowercase host name such as north.apps.example.com, or leave it unset to let OpenShift generate one`,
            suggested: "north.apps.example.com",
            lessons: ["L29"],
        });
    }
    if (args.timeout !== undefined && !DURATION.test(args.timeout)) {
        problems.push({
            field: `${prefix}timeout`,
            problem: "is not a duration the router understands",
            got: args.timeout,
            fix: `set ${prefix}timeout to a number and a unit (ms, s, m, h, d), e.g. 1h`,
            suggested: "1h",
            lessons: ["L11"],
        });
    }
    if (args.kind === "ingress" && args.tlsSecretName !== undefined && args.host === undefined) {
        problems.push({
            field: `${prefix}tlsSecretName`,
            problem: "TLS on an Ingress needs a host",
            got: args.tlsSecretName,
            fix: `set ${prefix}host too, or remove ${prefix}tlsSecretName`,
        });
    }
    return problems;
}

/**
 * The public entry point, part of the stack (L29: no hand-patched routes). It always targets the stack's own
 * selector Service (L05), terminates TLS at the edge and redirects plain HTTP, and allows long SSE responses (L11).
 */
export class Route extends pulumi.ComponentResource {
    /** https://<host>; on OpenShift without a configured host, the host the router assigned; "" while unknown. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: RouteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webstack:index:Route", name, {}, opts);
        rejectProblems(routeProblems(args, ""));
        const timeout = args.timeout ?? ROUTE_DEFAULT_TIMEOUT;
        const metadata = {
            name,
            namespace: args.namespace,
            labels: recommendedLabels({ name, component: "route", partOf: args.partOf }),
        };

        if ((args.kind ?? "openshift") === "openshift") {
            const route = new k8s.apiextensions.CustomResource(
                name,
                {
                    apiVersion: "route.openshift.io/v1",
                    kind: "Route",
                    metadata: { ...metadata, annotations: { [SSE_TIMEOUT_ANNOTATION]: timeout, ...args.annotations } },
                    spec: {
                        host: args.host,
                        to: { kind: "Service", name: args.target.serviceName, weight: 100 },
                        port: { targetPort: args.target.portName },
                        tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" },
                        wildcardPolicy: "None",
                    },
                },
                { parent: this },
            );
            // CustomResource exposes the object's fields as untyped outputs; the router writes spec.host when we did not.
            // Empty until the router has assigned one (first `pulumi up`).
            const spec = (route as unknown as { spec: pulumi.Output<{ host?: string } | undefined> }).spec;
            this.url = args.host
                ? pulumi.output(`https://${args.host}`)
                : pulumi.output(spec).apply((s) => (s?.host ? `https://${s.host}` : ""));
        } else {
            new k8s.networking.v1.Ingress(
                name,
                {
                    metadata: { ...metadata, annotations: args.annotations },
                    spec: {
                        ingressClassName: args.ingressClassName,
                        tls:
                            args.tlsSecretName && args.host
                                ? [{ hosts: [args.host], secretName: args.tlsSecretName }]
                                : undefined,
                        rules: [
                            {
                                host: args.host,
                                http: {
                                    paths: [
                                        {
                                            path: "/",
                                            pathType: "Prefix",
                                            backend: {
                                                service: {
                                                    name: args.target.serviceName,
                                                    port: { name: args.target.portName },
                                                },
                                            },
                                        },
                                    ],
                                },
                            },
                        ],
                    },
                },
                { parent: this },
            );
            this.url = pulumi.output(args.host ? `${args.tlsSecretName ? "https" : "http"}://${args.host}` : "");
        }
        this.registerOutputs({ url: this.url });
    }
}
