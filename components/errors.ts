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
  /** What to do instead, ideally a command. */
  fix: string;
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

/** Thrown by components and config parsing; `problems` keeps every finding, `message` lists them all. */
export class WebStackArgError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "WebStackArgError";
  }
}

/** Throws a {@link WebStackArgError} when there is at least one problem. */
export function rejectProblems(problems: FieldProblem[]): void {
  if (problems.length > 0) {
    throw new WebStackArgError(problems);
  }
}
