// A component's options as one table: each option's default, its check and the lessons its rule comes from. The
// defaults, the checks run before anything is built, and the zod schema's rules (optionSchema) are all read from
// it, so no rule or default is written twice.
import { z } from "zod";
import { checkedSchema } from "./args-schema";
import { FieldProblem } from "./errors";

/** What a check finds: nothing, one problem, or one per element of a list. */
export type Problems = FieldProblem | (FieldProblem | undefined)[] | undefined;

/** One option: its default (when it has one), its check (which names the option by `field`) and its lessons. */
export interface OptionRule<T> {
    default?: T;
    check: (field: string, value: T) => Problems;
    /** Lessons cited by every problem the check finds that names none itself. */
    lessons?: string[];
}

/** Every option of `Options`, each with its rule. */
export type OptionTable<Options> = { [K in keyof Options]-?: OptionRule<Exclude<Options[K], undefined>> };

/** The problems of one option's value, with the option's lessons. */
export function optionProblems<T>(rule: OptionRule<T>, field: string, value: T): FieldProblem[] {
    const found = rule.check(field, value);
    return (Array.isArray(found) ? found : [found])
        .filter((p): p is FieldProblem => p !== undefined)
        .map((p) => (p.lessons === undefined && rule.lessons ? { ...p, lessons: rule.lessons } : p));
}

/** The defaults of the table's options that have one. */
export function defaultsOf<Defaults>(table: Record<string, { default?: unknown }>): Readonly<Defaults> {
    return Object.freeze(
        Object.fromEntries(
            Object.entries(table).flatMap(([key, option]) =>
                option.default === undefined ? [] : [[key, option.default]],
            ),
        ) as Defaults,
    );
}

/** The options with every default filled in (an option given as undefined takes its default). */
export function withDefaults<Options extends object, Defaults>(defaults: Defaults, opts: Options): Defaults & Options {
    const given = Object.fromEntries(Object.entries(opts).filter(([, value]) => value !== undefined));
    return { ...defaults, ...(given as Options) };
}

/**
 * Every problem of the options, named by the options' own keys after `prefix` ("api."); `required` options are
 * checked even when absent (their check reports the missing value), the others only when given or defaulted.
 */
export function tableProblems<Options extends object>(
    table: OptionTable<Options>,
    filled: Partial<Options>,
    required: readonly (keyof Options)[] = [],
    prefix = "",
): FieldProblem[] {
    return (Object.keys(table) as (keyof Options & string)[]).flatMap((key) => {
        const value = filled[key];
        if (value === undefined && !required.includes(key)) return [];
        return optionProblems(table[key] as OptionRule<unknown>, `${prefix}${key}`, value);
    });
}

/** A schema whose rule is the option's check (with its lessons): see {@link checkedSchema}. */
export function optionSchema<T>(schema: z.ZodType<T>, rule: OptionRule<T>): z.ZodType<T> {
    return checkedSchema(schema, (field, value) => optionProblems(rule, field, value));
}
