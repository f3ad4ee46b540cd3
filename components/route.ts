import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { argsSchema } from "./args-schema";
import { FieldProblem, rejectProblems } from "./errors";
import { recommendedLabels } from "./labels";
import { OptionTable, optionSchema, tableProblems } from "./option-table";
import { ServiceTarget } from "./static-site";

/** "openshift": route.openshift.io/v1 Route; "ingress": networking.k8s.io/v1 Ingress. */
export const ROUTE_KINDS = ["openshift", "ingress"] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];
export const ROUTE_DEFAULT_KIND: RouteKind = "openshift";
export const ROUTE_DEFAULT_TIMEOUT = "1h";
export const SSE_TIMEOUT_ANNOTATION = "haproxy.router.openshift.io/timeout";

export interface RouteArgs {
    /** Namespace of the Route/Ingress (the Service's namespace). Required. */
    namespace: string;
    /** The stack's own selector Service, as given by StaticSite.serviceTarget (L05). Required. */
    target: ServiceTarget;
    /**
     * "openshift": route.openshift.io/v1 Route; "ingress": networking.k8s.io/v1 Ingress.
     * @defaultValue {@link ROUTE_DEFAULT_KIND}
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

/** The Route's options that have a rule of their own; the Ingress-only settings are checked together (routeProblems). */
type RouteOptions = Pick<RouteArgs, "kind" | "host" | "timeout">;

/**
 * The Route's options with their defaults, checks and lessons: the checks {@link routeProblems} runs before anything
 * is built and the rules of {@link routeSchema} (kind's rule is its schema's enum). A check names the option by its
 * path in the caller's terms ("route.host").
 */
export const ROUTE_OPTIONS: OptionTable<RouteOptions> = {
    kind: { default: ROUTE_DEFAULT_KIND, check: () => undefined },
    host: {
        check: (field, host) =>
            HOST.test(host)
                ? undefined
                : {
                      field,
                      problem: "is not a lowercase DNS host name",
                      got: host,
                      fix: `set ${field} to a lowercase host name such as north.apps.example.com, or leave it unset to let OpenShift generate one`,
                      suggested: "north.apps.example.com",
                  },
        lessons: ["L29"],
    },
    timeout: {
        default: ROUTE_DEFAULT_TIMEOUT,
        check: (field, timeout) =>
            DURATION.test(timeout)
                ? undefined
                : {
                      field,
                      problem: "is not a duration the router understands",
                      got: timeout,
                      fix: `set ${field} to a number and a unit (ms, s, m, h, d), e.g. ${ROUTE_DEFAULT_TIMEOUT}`,
                      suggested: ROUTE_DEFAULT_TIMEOUT,
                  },
        lessons: ["L11"],
    },
};

/** The settings of a Route as data (WebStack argument `route`, stack config `webstack:route`). */
export const routeSchema = argsSchema<Omit<RouteArgs, "namespace" | "target" | "partOf">>()({
    kind: z.enum(ROUTE_KINDS).optional(),
    host: optionSchema(z.string(), ROUTE_OPTIONS.host).optional(),
    timeout: optionSchema(z.string(), ROUTE_OPTIONS.timeout).optional(),
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
    const kind = args.kind ?? ROUTE_DEFAULT_KIND;
    if (kind === "openshift" && (args.ingressClassName !== undefined || args.tlsSecretName !== undefined)) {
        const field = args.ingressClassName !== undefined ? "ingressClassName" : "tlsSecretName";
        problems.push({
            field: `${prefix}${field}`,
            problem: "only applies to an Ingress (an OpenShift Route terminates TLS at the router)",
            got: args[field],
            fix: `remove it, or set ${prefix}kind to ingress`,
        });
    }
    problems.push(...tableProblems(ROUTE_OPTIONS, { host: args.host, timeout: args.timeout }, [], prefix));
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

        if ((args.kind ?? ROUTE_DEFAULT_KIND) === "openshift") {
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
