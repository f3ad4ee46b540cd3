import * as pulumi from "@pulumi/pulumi";
import { LABEL_KEYS, MANAGED_BY } from "./facts";

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

/** Unique per application and stack, so two stacks sharing a cluster never select each other's pods. */
function instanceOf(id: Identity): string {
    return `${id.partOf ?? id.name}-${pulumi.getStack()}`;
}

/** Labels that select a workload's pods. Stable for the workload's life (a selector change replaces a Deployment). */
export function selectorLabels(id: Identity): Record<string, string> {
    return {
        [LABEL_KEYS.name]: id.name,
        [LABEL_KEYS.instance]: instanceOf(id),
        [LABEL_KEYS.component]: id.component,
    };
}

/** The full recommended label set (L16) for any object. */
export function recommendedLabels(id: Identity): Record<string, string> {
    return {
        ...selectorLabels(id),
        [LABEL_KEYS.partOf]: id.partOf ?? id.name,
        [LABEL_KEYS.managedBy]: MANAGED_BY,
    };
}

/** Selects every pod of one application in this stack (all components share part-of and instance). */
export function stackSelector(partOf: string): Record<string, string> {
    return {
        [LABEL_KEYS.partOf]: partOf,
        [LABEL_KEYS.instance]: instanceOf({ name: partOf, component: "", partOf }),
    };
}
