import * as pulumi from "@pulumi/pulumi";

/**
 * Who an object belongs to. Every object a component creates carries the recommended
 * `app.kubernetes.io/*` labels so ownership is never ambiguous (L16: Helm/Flux conflicts, untracked Secrets).
 */
export interface Identity {
  /** The component's name, e.g. "north-api"; becomes `app.kubernetes.io/name`. */
  name: string;
  /** Role inside the stack, e.g. "api", "static-site", "redis"; becomes `app.kubernetes.io/component`. */
  component: string;
  /** The application the object is part of, e.g. "north"; becomes `app.kubernetes.io/part-of`. Default: `name`. */
  partOf?: string;
}

export const MANAGED_BY = "pulumi";

/** Unique per application and stack, so two stacks sharing a cluster never select each other's pods. */
function instanceOf(id: Identity): string {
  return `${id.partOf ?? id.name}-${pulumi.getStack()}`;
}

/** Labels that select a workload's pods. Stable for the workload's life (a selector change replaces a Deployment). */
export function selectorLabels(id: Identity): Record<string, string> {
  return {
    "app.kubernetes.io/name": id.name,
    "app.kubernetes.io/instance": instanceOf(id),
    "app.kubernetes.io/component": id.component,
  };
}

/** The full recommended label set (L16) for any object. */
export function recommendedLabels(id: Identity): Record<string, string> {
  return {
    ...selectorLabels(id),
    "app.kubernetes.io/part-of": id.partOf ?? id.name,
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
}

/** Selects every pod of one application in this stack (all components share part-of and instance). */
export function stackSelector(partOf: string): Record<string, string> {
  return {
    "app.kubernetes.io/part-of": partOf,
    "app.kubernetes.io/instance": instanceOf({ name: partOf, component: "", partOf }),
  };
}
