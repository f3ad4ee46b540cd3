import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { argsSchema, int, resourcesSchema } from "./args-schema";
import { FieldProblem } from "./errors";
import { defaultsOf, OptionRule, OptionTable, optionSchema, tableProblems, withDefaults } from "./option-table";
import { restrictedPodSecurityContext } from "./security-context";

export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 180;
export const DEFAULT_ROLLOUT_TIMEOUT_SECONDS = 600;
export const DEFAULT_REVISION_HISTORY_LIMIT = 3;
export const DEFAULT_CPU_UTILIZATION = 70;

/**
 * Workload annotations: on a field a hand edit took over (`kubectl set image`, `oc edit`), server-side apply
 * lets the program's value win instead of failing on the field-manager conflict, so the drift check reports the
 * edit and `pulumi up` restores the declared state (L14). Fields the program leaves out (an HPA's replicas) stay
 * with whoever sets them.
 */
export const WORKLOAD_ANNOTATIONS: Record<string, string> = { "pulumi.com/patchForce": "true" };

/** HorizontalPodAutoscaler bounds. */
export interface Autoscaling {
    /** Fewest replicas. Required. */
    min: number;
    /** Most replicas. Required, ≥ min. */
    max: number;
    /**
     * Target average CPU utilization in percent of the request.
     * @defaultValue {@link DEFAULT_CPU_UTILIZATION}
     */
    cpuUtilization?: number;
}

/** Either a fixed count or an HPA's bounds. */
export type HorizontalScaling = { replicas: number } | { autoscaling: Autoscaling };

/** Rollout and lifecycle knobs shared by every Deployment the components create. */
export interface WorkloadTuning {
    /**
     * Container resources.
     * @defaultValue requests 100m CPU / 128Mi, limit 512Mi (nginx: 50m / 64Mi, 256Mi)
     */
    resources?: k8s.types.input.core.v1.ResourceRequirements;
    /**
     * Seconds a pod gets to finish in-flight requests on shutdown (L21).
     * @defaultValue {@link DEFAULT_TERMINATION_GRACE_SECONDS}
     */
    terminationGracePeriodSeconds?: number;
    /**
     * Seconds before a stuck rollout is reported failed, so `pulumi up` fails fast with the reason (L15).
     * @defaultValue {@link DEFAULT_PROGRESS_DEADLINE_SECONDS}
     */
    progressDeadlineSeconds?: number;
    /**
     * Seconds `pulumi up` waits for the Deployment's rollout (its create/update customTimeouts) before it fails naming
     * the Deployment and the controller's reason (e.g. `[ProgressDeadlineExceeded]`). The provider does not stop at
     * the progress deadline by itself: without this, a crash-looping pod holds the deploy for 10 minutes (L15).
     * Must exceed progressDeadlineSeconds.
     * @defaultValue {@link DEFAULT_ROLLOUT_TIMEOUT_SECONDS}, or progressDeadlineSeconds + 60 when that is longer
     */
    rolloutTimeoutSeconds?: number;
    /**
     * Old ReplicaSets kept for rollback, bounded (L16).
     * @defaultValue {@link DEFAULT_REVISION_HISTORY_LIMIT}
     */
    revisionHistoryLimit?: number;
}

/** A bounded setting: an integer from `lo` to `hi`, else `why`; the fix suggests its default. */
function boundedInteger(lo: number, hi: number, why: string, suggested: number): OptionRule<number>["check"] {
    return (field, value) =>
        Number.isInteger(value) && value >= lo && value <= hi
            ? undefined
            : { field, problem: why, got: value, fix: `set ${field} to ${suggested}`, suggested: String(suggested) };
}

/**
 * Every WorkloadTuning setting with its default, its check and its lessons: the checks {@link workloadProblems}
 * runs before anything is built and the rules of {@link workloadTuningShape}. A check names the setting by its
 * path in the caller's terms ("api.revisionHistoryLimit"). resources has no rule and a default per component;
 * rolloutTimeoutSeconds's default follows progressDeadlineSeconds (rolloutTimeoutOf).
 */
export const WORKLOAD_OPTIONS: OptionTable<WorkloadTuning> = {
    resources: { check: () => undefined },
    terminationGracePeriodSeconds: {
        default: DEFAULT_TERMINATION_GRACE_SECONDS,
        check: boundedInteger(
            5,
            600,
            "must be an integer from 5 to 600 seconds so pods can drain",
            DEFAULT_TERMINATION_GRACE_SECONDS,
        ),
        lessons: ["L21"],
    },
    progressDeadlineSeconds: {
        default: DEFAULT_PROGRESS_DEADLINE_SECONDS,
        check: boundedInteger(
            30,
            1200,
            "must be an integer from 30 to 1200 seconds so a stuck rollout fails fast",
            DEFAULT_PROGRESS_DEADLINE_SECONDS,
        ),
        lessons: ["L15"],
    },
    rolloutTimeoutSeconds: {
        check: boundedInteger(
            60,
            3600,
            "must be an integer from 60 to 3600 seconds so a stuck rollout fails the deploy instead of holding it",
            DEFAULT_ROLLOUT_TIMEOUT_SECONDS,
        ),
        lessons: ["L15"],
    },
    revisionHistoryLimit: {
        default: DEFAULT_REVISION_HISTORY_LIMIT,
        check: boundedInteger(
            1,
            10,
            "must be an integer from 1 to 10 (bounded history, still one rollback target)",
            DEFAULT_REVISION_HISTORY_LIMIT,
        ),
        lessons: ["L16"],
    },
};

const WORKLOAD_DEFAULTS =
    defaultsOf<
        Required<
            Pick<WorkloadTuning, "terminationGracePeriodSeconds" | "progressDeadlineSeconds" | "revisionHistoryLimit">
        >
    >(WORKLOAD_OPTIONS);

/** The WorkloadTuning fields, to spread into a component's schema; each setting's rule is its check in the table. */
export const workloadTuningShape = {
    resources: resourcesSchema.optional(),
    terminationGracePeriodSeconds: optionSchema(z.number(), WORKLOAD_OPTIONS.terminationGracePeriodSeconds).optional(),
    progressDeadlineSeconds: optionSchema(z.number(), WORKLOAD_OPTIONS.progressDeadlineSeconds).optional(),
    rolloutTimeoutSeconds: optionSchema(z.number(), WORKLOAD_OPTIONS.rolloutTimeoutSeconds).optional(),
    revisionHistoryLimit: optionSchema(z.number(), WORKLOAD_OPTIONS.revisionHistoryLimit).optional(),
};
argsSchema<WorkloadTuning>()(workloadTuningShape);

/** Seconds `pulumi up` waits for a rollout: as set, else 600 s or a minute beyond a longer progress deadline. */
function rolloutTimeoutOf(tuning: WorkloadTuning): number {
    const deadline = tuning.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
    return tuning.rolloutTimeoutSeconds ?? Math.max(DEFAULT_ROLLOUT_TIMEOUT_SECONDS, deadline + 60);
}

export function workloadProblems(args: WorkloadTuning, prefix: string): FieldProblem[] {
    const problems = tableProblems(WORKLOAD_OPTIONS, args, [], prefix);
    const deadline = args.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
    const timeout = rolloutTimeoutOf(args);
    if (problems.length === 0 && timeout <= deadline) {
        problems.push({
            field: `${prefix}rolloutTimeoutSeconds`,
            problem: `must exceed ${prefix}progressDeadlineSeconds (${deadline}), or pulumi up gives up before the Deployment says why`,
            got: timeout,
            fix: `set ${prefix}rolloutTimeoutSeconds to ${deadline + 60} or more`,
            suggested: String(deadline + 60),
            lessons: ["L15"],
        });
    }
    return problems;
}

/**
 * Every Autoscaling setting with its default, its check and its lessons, for a workload whose `min` may not be below
 * `minFloor` (2 for the API, which must survive losing a pod; 1 for the site): the checks
 * {@link autoscalingProblems} runs and the rules of {@link autoscalingSchema}. That max is at least min is a rule
 * across both (autoscalingProblems).
 */
function autoscalingOptions(minFloor: number): OptionTable<Autoscaling> {
    return {
        min: {
            check: (field, min) =>
                Number.isInteger(min) && min >= minFloor
                    ? undefined
                    : {
                          field,
                          problem: `must be an integer ≥ ${minFloor}`,
                          got: min,
                          fix: `set ${field} to ${minFloor}`,
                          suggested: String(minFloor),
                      },
            lessons: minFloor > 1 ? ["L10", "L21"] : [],
        },
        max: { check: () => undefined },
        cpuUtilization: CPU_UTILIZATION_OPTION,
    };
}

const CPU_UTILIZATION_OPTION: OptionRule<number> = {
    default: DEFAULT_CPU_UTILIZATION,
    check: boundedInteger(10, 95, "must be an integer percentage from 10 to 95", DEFAULT_CPU_UTILIZATION),
};
const AUTOSCALING_DEFAULTS = defaultsOf<Required<Pick<Autoscaling, "cpuUtilization">>>({
    cpuUtilization: CPU_UTILIZATION_OPTION,
});

/** The Autoscaling argument as data, for a workload whose `min` may not be below `minFloor`. */
export function autoscalingSchema(minFloor: number) {
    const options = autoscalingOptions(minFloor);
    // max's rule depends on min (autoscalingProblems): the schema only types it.
    return argsSchema<Autoscaling>()({
        min: optionSchema(int, options.min),
        max: int,
        cpuUtilization: optionSchema(int, options.cpuUtilization).optional(),
    });
}

/** The problems of `a` at `field` ("api.autoscaling"), whose `min` may not be below `minFloor`. */
export function autoscalingProblems(a: Autoscaling, field: string, minFloor: number): FieldProblem[] {
    const problems = tableProblems(autoscalingOptions(minFloor), a, ["min"], `${field}.`);
    if (!Number.isInteger(a.max) || a.max < a.min) {
        // After min's problem, as before the table.
        problems.splice(problems[0]?.field === `${field}.min` ? 1 : 0, 0, {
            field: `${field}.max`,
            problem: `must be an integer ≥ ${field}.min (${a.min})`,
            got: a.max,
            fix: `set ${field}.max to ${Math.max(a.min, minFloor) * 2}`,
            suggested: String(Math.max(a.min, minFloor) * 2),
        });
    }
    return problems;
}

/** Fewest pods the workload runs, for PDB decisions. */
export function minReplicas(scaling: HorizontalScaling): number {
    return "autoscaling" in scaling ? scaling.autoscaling.min : scaling.replicas;
}

/** Deployment and pod spec fields derived from the scaling and tuning choices. */
export function rolloutSettings(
    tuning: WorkloadTuning,
    scaling: HorizontalScaling,
    strategy: "RollingUpdate" | "Recreate",
    selector: Record<string, string>,
) {
    const filled = withDefaults(WORKLOAD_DEFAULTS, tuning);
    return {
        deploymentSpec: {
            // With an HPA the count is the HPA's: a fixed value here would fight it on every `pulumi up`.
            replicas: "autoscaling" in scaling ? undefined : scaling.replicas,
            // maxUnavailable 0: a rollout only removes an old pod once a new one is Ready (L29).
            strategy:
                strategy === "Recreate"
                    ? { type: "Recreate" }
                    : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            progressDeadlineSeconds: filled.progressDeadlineSeconds,
            revisionHistoryLimit: filled.revisionHistoryLimit,
        },
        podSpec: {
            terminationGracePeriodSeconds: filled.terminationGracePeriodSeconds,
            // Spread replicas over nodes so one node reboot does not take them all (L21); soft, so small clusters still schedule.
            topologySpreadConstraints: [
                {
                    maxSkew: 1,
                    topologyKey: "kubernetes.io/hostname",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: selector },
                },
            ],
        },
        // Longer than progressDeadlineSeconds, so the provider's timeout error carries the Deployment's own reason (L15).
        customTimeouts: {
            create: `${rolloutTimeoutOf(tuning)}s`,
            update: `${rolloutTimeoutOf(tuning)}s`,
            delete: "5m",
        },
    };
}

/** What differs between the components' pods; everything else in the Deployment is shared. */
export type PodParts = Pick<k8s.types.input.core.v1.PodSpec, "initContainers" | "containers" | "volumes">;

/**
 * Deployment args common to every component: rollout settings, the restricted pod security context (L30) and
 * no service-account token (no pod talks to the Kubernetes API). `pod` supplies the containers and volumes.
 */
export function deploymentArgsFor(
    w: {
        name: string;
        namespace: string;
        labels: Record<string, string>;
        selector: Record<string, string>;
        rollout: ReturnType<typeof rolloutSettings>;
    },
    pod: PodParts,
): k8s.apps.v1.DeploymentArgs {
    return {
        metadata: { name: w.name, namespace: w.namespace, labels: w.labels, annotations: WORKLOAD_ANNOTATIONS },
        spec: {
            ...w.rollout.deploymentSpec,
            selector: { matchLabels: w.selector },
            template: {
                metadata: { labels: w.labels },
                spec: {
                    ...w.rollout.podSpec,
                    automountServiceAccountToken: false,
                    securityContext: restrictedPodSecurityContext(),
                    ...pod,
                },
            },
        },
    };
}

/**
 * What serves a Deployment: its ClusterIP Service on the named port "http" (the one port that also feeds the
 * container and its probes, L18), a PodDisruptionBudget when at least 2 pods run (L21) and the HPA when
 * autoscaling is set.
 */
export function createServingCompanions(
    parent: pulumi.Resource,
    w: {
        name: string;
        namespace: string;
        labels: Record<string, string>;
        selector: Record<string, string>;
        port: number;
        scaling: HorizontalScaling;
        deployment: k8s.apps.v1.Deployment;
    },
): void {
    new k8s.core.v1.Service(
        w.name,
        {
            metadata: { name: w.name, namespace: w.namespace, labels: w.labels },
            spec: {
                type: "ClusterIP",
                selector: w.selector,
                ports: [{ name: "http", port: w.port, targetPort: w.port }],
            },
        },
        { parent },
    );
    if (minReplicas(w.scaling) >= 2) {
        new k8s.policy.v1.PodDisruptionBudget(
            w.name,
            {
                metadata: { name: w.name, namespace: w.namespace, labels: w.labels },
                spec: { maxUnavailable: 1, selector: { matchLabels: w.selector } },
            },
            { parent },
        );
    }
    if ("autoscaling" in w.scaling) {
        const a = w.scaling.autoscaling;
        new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            w.name,
            {
                metadata: { name: w.name, namespace: w.namespace, labels: w.labels },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: w.deployment.metadata.name },
                    minReplicas: a.min,
                    maxReplicas: a.max,
                    metrics: [
                        {
                            type: "Resource",
                            resource: {
                                name: "cpu",
                                target: {
                                    type: "Utilization",
                                    averageUtilization: withDefaults(AUTOSCALING_DEFAULTS, a).cpuUtilization,
                                },
                            },
                        },
                    ],
                },
            },
            { parent },
        );
    }
}
