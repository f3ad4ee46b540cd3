import * as pulumi from "@pulumi/pulumi";

/**
 * One format for every rejected argument or config value, so a reader always learns the field, the value
 * and the fix: "<field>: <problem> (got <value>). Fix: <how> [Lxx]".
 */
export interface FieldProblem {
    /** Config path or argument name, e.g. "site.replicas". */
    field: string;
    /** What is wrong, e.g. "must be 1 with ReadWriteOnce storage". */
    problem: string;
    /** The offending value (shown as JSON; pass {@link HIDDEN} for secrets). */
    got: unknown;
    /** What to do instead, in the caller's terms: argument paths such as "api.replicas", never a CLI command. */
    fix: string;
    /**
     * A value that fixes it as written on the command line, e.g. "2" (for `field`, or for another field and as a
     * secret): the stack config layer turns it into `pulumi config set [--secret] --path <field> <value>`
     * (program/config.ts); TypeScript callers read `fix`.
     */
    suggested?: string | { field: string; value: string; secret?: true };
    /** Removing the field fixes it: the config layer says `pulumi config rm --path <field>`. */
    remove?: true;
    /** Lesson ids the rule comes from, e.g. ["L03"]. */
    lessons?: string[];
}

/** Stands in for a value that must not appear in an error message (secrets). */
export const HIDDEN = Symbol("hidden");

export function describeValue(value: unknown): string {
    if (value === HIDDEN) {
        return "<secret, not shown>";
    }
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 240 ? `${text.slice(0, 237)}...` : text;
}

export function formatProblem(p: FieldProblem): string {
    const lessons = p.lessons && p.lessons.length > 0 ? ` [${p.lessons.join(", ")}]` : "";
    return `${p.field}: ${p.problem} (got ${describeValue(p.got)}). Fix: ${p.fix}${lessons}`;
}

/**
 * Thrown by components, config parsing and image resolution for anything the user wrote; `problems` keeps every
 * finding, `message` lists them all. A RunError: the Pulumi language host prints its message alone, with no stack
 * trace and no "Unhandled exception" (the trace would point into this package, not at the user's mistake).
 */
export class WebStackArgError extends pulumi.RunError {
    constructor(readonly problems: FieldProblem[]) {
        super(problems.map(formatProblem).join("\n"));
        this.name = "WebStackArgError";
    }
}

/**
 * Where a component's arguments sit in the caller's terms: `prefix` before each ("api."), except the arguments in
 * `moved`, which the caller holds under names of its own (a WebStack's Api `secretEnv` is its `apiSecrets`).
 */
export interface ArgPaths {
    /** Put before every argument path that is not moved, e.g. "api.". */
    prefix: string;
    /** Argument name → the caller's path of it, e.g. { secretEnv: "apiSecrets" }. */
    moved: Record<string, string>;
}

/** The prefix of a component's arguments and the caller's path of any argument path ("secretEnv.TOKEN"). */
export function argPaths(configPath: string | ArgPaths = ""): { prefix: string; path: (argPath: string) => string } {
    const { prefix, moved } = typeof configPath === "string" ? { prefix: configPath, moved: {} } : configPath;
    return {
        prefix,
        path: (argPath) => {
            const top = argPath.split(/[.[]/)[0];
            return top in moved ? `${moved[top]}${argPath.slice(top.length)}` : `${prefix}${argPath}`;
        },
    };
}

/** The problems of a part (e.g. nginx options) as problems of the arguments it sits under ("site."). */
export function prefixed(problems: FieldProblem[], prefix: string): FieldProblem[] {
    return prefix === "" ? problems : problems.map((p) => ({ ...p, field: `${prefix}${p.field}` }));
}

/** A {@link WebStackArgError} of one problem, to throw (inside an Output too: a failed lookup or build). */
export function argError(problem: FieldProblem): WebStackArgError {
    return new WebStackArgError([problem]);
}

/** Throws a {@link WebStackArgError} when there is at least one problem. */
export function rejectProblems(problems: FieldProblem[]): void {
    if (problems.length > 0) {
        throw new WebStackArgError(problems);
    }
}

/**
 * Thrown by {@link reportingProblems} once each problem is its own error diagnostic: its message only counts them,
 * so the run's failure (which the Automation API's inline runtime prints twice) repeats no problem.
 */
export class ProblemsReported extends WebStackArgError {
    constructor(problems: FieldProblem[], what: string) {
        super(problems);
        this.message = `${what}: ${problems.length} problem${problems.length === 1 ? "" : "s"}, each reported above; nothing was deployed`;
        this.name = "ProblemsReported";
    }
}

/**
 * Runs a program's setup (reading config, constructing components). A {@link WebStackArgError} is reported as one
 * error diagnostic per problem on the stack, then the run fails with {@link ProblemsReported}: `pulumi preview`
 * and `pulumi up` show every problem once, in the "field: problem (got v). Fix: …" format, with no stack trace.
 * It must throw, not just log: a program that logs errors and returns would let `pulumi up` go on.
 */
export function reportingProblems<T>(what: string, setup: () => T): T {
    try {
        return setup();
    } catch (err) {
        if (!(err instanceof WebStackArgError) || err instanceof ProblemsReported) {
            throw err;
        }
        for (const problem of err.problems) {
            void pulumi.log.error(formatProblem(problem));
        }
        throw new ProblemsReported(err.problems, what);
    }
}
