// What every component schema is built from. A component's schema sits beside it and is tied to its Args type
// by argsSchema: the schema must have exactly the Args' keys, each parsing to a value the Args accept, so a field
// added to one and not the other fails `tsc`. The stack config schema (program/config.ts) is composed from them.
import { z } from "zod";
import { DNS_SUBDOMAIN, imageRefProblem } from "./facts";
import { FieldProblem } from "./errors";

/** A strict zod object whose keys are exactly those of `Args` and whose values parse to `Args`' types. */
export function argsSchema<Args>() {
    return <Shape extends { [K in keyof Args]-?: z.ZodType<Args[K]> }>(
        shape: Shape & Record<Exclude<keyof Shape, keyof Args>, never>,
    ) => z.strictObject(shape);
}

export const int = z.number().int();

/**
 * A schema whose rule is a component's own check (`problemOf(field, value)`), so the stack config and the
 * component's arguments are refused with the same words: one rule, one place. The issue carries the check, so the
 * stack config layer reports the component's problems under the key's own path (see {@link problemsOfIssue}).
 */
export function checkedSchema<T>(
    schema: z.ZodType<T>,
    problemOf: (field: string, value: T) => FieldProblem | FieldProblem[] | undefined,
): z.ZodType<T> {
    const problemsOf = (field: string, value: T): FieldProblem[] => {
        const found = problemOf(field, value);
        return Array.isArray(found) ? found : found ? [found] : [];
    };
    return schema.superRefine((value, ctx) => {
        const found = problemsOf("", value);
        if (found.length > 0) {
            const problemsAt = (field: string) => problemsOf(field, value);
            ctx.addIssue({ code: "custom", message: found.map((p) => p.problem).join("; "), params: { problemsAt } });
        }
    });
}

/** The component's problems behind an issue of a {@link checkedSchema}, at `field`; undefined for zod's own issues. */
export function problemsOfIssue(issue: z.core.$ZodIssue, field: string): FieldProblem[] | undefined {
    const problemsAt: unknown = issue.code === "custom" ? issue.params?.problemsAt : undefined;
    return typeof problemsAt === "function" ? (problemsAt as (field: string) => FieldProblem[])(field) : undefined;
}
/** An image reference in the grammar of facts.ts (tag and/or digest). */
export const imageRefSchema = z.string().superRefine((value, ctx) => {
    const bad = imageRefProblem(value);
    if (bad) ctx.addIssue({ code: "custom", message: `is not an image reference: it ${bad.problem}` });
});
/** A Kubernetes quantity ("5Gi", "250m"); its grammar is checked by the components (quantityProblems). */
export const quantitySchema = z.string();
export const storageClassNameSchema = z.string().regex(DNS_SUBDOMAIN, { error: "is not a valid StorageClass name" });
/** Container requests and limits as stack config can give them: cpu and memory. */
export const resourcesSchema = z.strictObject({
    requests: z.strictObject({ cpu: quantitySchema.optional(), memory: quantitySchema.optional() }).optional(),
    limits: z.strictObject({ cpu: quantitySchema.optional(), memory: quantitySchema.optional() }).optional(),
});
