/**
 * The OpenShift Route (route.openshift.io/v1), after the CRD in openshift/api: its schema is built in, as the
 * check has no kubernetes-models schema for it. Kept apart from schema.ts so zod loads only when a Route is checked.
 */
import { z } from "zod";
import { DNS_SUBDOMAIN, MAX_PORT } from "../components/facts";

// Without code generation: the check parses a few Routes once per process, and compiling the schema to a function
// first took longer than parsing them (50 ms of a 0.3 s check).
z.config({ jitless: true });

const routeBackend = z.strictObject({
    kind: z.literal("Service"),
    name: z.string().min(1),
    weight: z.number().int().min(0).max(256).optional(),
});

const routeSchema = z
    .strictObject({
        apiVersion: z.literal("route.openshift.io/v1"),
        kind: z.literal("Route"),
        metadata: z.looseObject({
            labels: z.record(z.string(), z.string()).optional(),
            annotations: z.record(z.string(), z.string()).optional(),
        }),
        spec: z.strictObject({
            host: z.string().max(253).regex(DNS_SUBDOMAIN, "must be a DNS-1123 subdomain").optional(),
            subdomain: z.string().optional(),
            path: z.string().startsWith("/").optional(),
            to: routeBackend,
            alternateBackends: z.array(routeBackend).max(3).optional(),
            port: z
                .strictObject({ targetPort: z.union([z.number().int().min(1).max(MAX_PORT), z.string().min(1)]) })
                .optional(),
            tls: z
                .strictObject({
                    termination: z.enum(["edge", "passthrough", "reencrypt"]),
                    insecureEdgeTerminationPolicy: z.enum(["Allow", "None", "Redirect", ""]).optional(),
                    certificate: z.string().optional(),
                    key: z.string().optional(),
                    caCertificate: z.string().optional(),
                    destinationCACertificate: z.string().optional(),
                    externalCertificate: z.strictObject({ name: z.string() }).optional(),
                })
                .optional(),
            wildcardPolicy: z.enum(["None", "Subdomain"]).optional(),
            httpHeaders: z.looseObject({}).optional(),
        }),
        status: z.unknown().optional(),
    })
    .superRefine((route, ctx) => {
        const tls = route.spec.tls;
        if (tls?.termination !== "passthrough") {
            return;
        }
        // The router cannot look inside passthrough TLS, so the API rejects anything that needs to.
        if (route.spec.path !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["spec", "path"],
                message: "passthrough termination does not support paths",
            });
        }
        if (tls.insecureEdgeTerminationPolicy === "Allow") {
            ctx.addIssue({
                code: "custom",
                path: ["spec", "tls", "insecureEdgeTerminationPolicy"],
                message: "passthrough termination does not support Allow (use None or Redirect)",
            });
        }
        for (const field of ["certificate", "key", "caCertificate", "destinationCACertificate"] as const) {
            if (tls[field] !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["spec", "tls", field],
                    message: "passthrough termination does not take certificates",
                });
            }
        }
    });

export function validateRoute(obj: Record<string, unknown>): string[] {
    const result = routeSchema.safeParse(obj);
    if (result.success) {
        return [];
    }
    return result.error.issues.map((issue) => {
        const at = issue.path.reduce<string>(
            (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
            "",
        );
        return `${at || "(object)"}: ${issue.message}`;
    });
}
