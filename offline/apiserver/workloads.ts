/**
 * Workload specs beyond their pod templates, after k8s.io/kubernetes pkg/apis/apps/validation
 * (ValidateDeploymentSpec, ValidateReplicaSetSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec) and
 * pkg/apis/batch/validation (ValidateJob, validateJobSpec, ValidateCronJobCreate, validateCronJobSpec).
 */
import { checkSelector, isConvertibleSelector, selects } from "./metadata";
import { checkPvcSpec } from "./storage";
import { ApiServerRule, notIn, child, integer, items, Json, nonNegative, record, Report, show, text } from "./rule";
import { isDnsLabel, isPercent } from "./syntax";

/** Kinds whose pods must restart Always and have a selector matching their template. */
const LONG_RUNNING = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"];
const MAX_INDEXED_PARALLELISM = 100_000;

/** ValidatePositiveIntOrPercent + IsNotMoreThan100Percent; returns the value as a number (a percentage's digits), if valid. */
export function checkIntOrPercent(
    report: Report,
    path: string,
    value: unknown,
    upTo100Percent = true,
): number | undefined {
    if (typeof value === "string") {
        if (!isPercent(value)) {
            report(path, `${show(value)}: must be an integer or a percentage such as "25%"`);
            return undefined;
        }
        const percent = Number(value.slice(0, -1));
        if (upTo100Percent && percent > 100) {
            report(path, `${show(value)}: must not be greater than 100%`);
        }
        return percent;
    }
    const n = integer(value);
    if (n !== undefined && n < 0) {
        report(path, `${n}: must be greater than or equal to 0`);
    }
    return n;
}

/** A selector with neither matchLabels nor matchExpressions. */
const isEmptySelector = (s: Json) =>
    Object.keys(record(s.matchLabels) ?? {}).length === 0 &&
    (Array.isArray(s.matchExpressions) ? s.matchExpressions.length : 0) === 0;

function checkTemplateMatches(report: Report, templatePath: string, selector: Json, template: Json | undefined): void {
    if (!selects(selector, record(template?.metadata)?.labels)) {
        report(
            child(child(templatePath, "metadata"), "labels"),
            `\`selector\` does not match template \`labels\` (selector ${JSON.stringify(selector)}). Fix: give the pod template every label the selector requires`,
        );
    }
}

/**
 * robfig/cron's standard parser (cron.ParseStandard), which ParseCronScheduleWithPanicRecovery uses: five fields
 * (minute hour day-of-month month day-of-week) of `*`, `?`, values, ranges, lists and steps, or a descriptor.
 */
export function cronProblem(schedule: string): string | undefined {
    const trimmed = schedule.trim();
    if (trimmed.startsWith("@")) {
        return /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(trimmed) || /^@every \S+$/.test(trimmed)
            ? undefined
            : `unrecognized descriptor: ${trimmed}`;
    }
    const fields = trimmed.replace(/^(CRON_)?TZ=\S+\s+/, "").split(/\s+/);
    if (fields.length !== 5) {
        return `expected exactly 5 fields, found ${fields.length}: ${trimmed}`;
    }
    const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    const bounds: [number, number, string[]?][] = [
        [0, 59],
        [0, 23],
        [1, 31],
        [1, 12, months],
        [0, 6, days],
    ];
    for (const [i, field] of fields.entries()) {
        const [min, max, names] = bounds[i];
        const value = (s: string) => {
            const named = names?.indexOf(s.toLowerCase()) ?? -1;
            return named >= 0 ? named + min : /^\d+$/.test(s) ? Number(s) : NaN;
        };
        for (const part of field.split(",")) {
            const [range, step, extra] = part.split("/");
            if (extra !== undefined || (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0))) {
                return `invalid step in ${part}`;
            }
            if (range === "*" || range === "?") {
                continue;
            }
            const [from, to, more] = range.split("-");
            const start = value(from);
            const end = to === undefined ? start : value(to);
            if (more !== undefined || Number.isNaN(start) || Number.isNaN(end)) {
                return `failed to parse ${show(part)} in ${trimmed}`;
            }
            if (start < min || end > max || start > end) {
                return `${part}: out of range (${min}-${max}) or beginning of range after end`;
            }
        }
    }
    return undefined;
}

/** validateJobSpec: counts, completion mode, restartPolicy OnFailure or Never. `base` is spec or spec.jobTemplate.spec. */
function checkJobSpec(report: Report, base: string, spec: Json): void {
    for (const field of [
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
    ]) {
        nonNegative(report, child(base, field), spec[field]);
    }
    if (spec.maxFailedIndexes !== undefined && spec.backoffLimitPerIndex === undefined) {
        report(child(base, "backoffLimitPerIndex"), "required when maxFailedIndexes is specified");
    }
    const mode = spec.completionMode ?? "NonIndexed";
    if (mode === "Indexed") {
        // Completions default to 1 only when parallelism is not set either (SetDefaults_Job).
        if (spec.completions === undefined && spec.parallelism !== undefined) {
            report(child(base, "completions"), "required when completion mode is Indexed");
        }
        const parallelism = integer(spec.parallelism);
        if (parallelism !== undefined && parallelism > MAX_INDEXED_PARALLELISM) {
            report(
                child(base, "parallelism"),
                `${parallelism}: must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`,
            );
        }
    } else if (mode === "NonIndexed") {
        for (const field of ["backoffLimitPerIndex", "maxFailedIndexes"]) {
            if (spec[field] !== undefined) {
                report(child(base, field), `${show(spec[field])}: requires indexed completion mode`);
            }
        }
    } else {
        report(child(base, "completionMode"), `${show(mode)}: supported values: "NonIndexed", "Indexed"`);
    }
    const restartPath = child(base, "template.spec.restartPolicy");
    const restart = record(record(spec.template)?.spec)?.restartPolicy;
    if (restart === undefined || restart === "Always" || restart === "") {
        report(
            restartPath,
            `required: valid values "OnFailure", "Never" (a Job's pods default to Always, which a Job may not have)`,
        );
    } else if (spec.podFailurePolicy !== undefined && restart !== "Never") {
        report(restartPath, `${show(restart)}: only "Never" is supported when podFailurePolicy is specified`);
    }
}

export const WORKLOAD_RULES: ApiServerRule[] = [
    {
        kinds: LONG_RUNNING,
        rejects:
            "no selector, an empty selector, a malformed selector, a selector that does not match the pod template's labels",
        source: "ValidateDeploymentSpec, ValidateReplicaSetSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec, ValidatePodTemplateSpecForReplicaSet/ForStatefulSet, ValidateLabelSelector",
        check: ({ kind, spec }, report) => {
            const selector = record(spec?.selector);
            if (spec === undefined || selector === undefined) {
                return; // a missing selector is the OpenAPI schema's finding (required in apps/v1)
            }
            checkSelector(report, "spec.selector", selector);
            if (isEmptySelector(selector)) {
                report(
                    "spec.selector",
                    `empty selector is invalid for ${kind.toLowerCase()}: it would select every pod of the namespace`,
                );
            } else if (isConvertibleSelector(selector)) {
                checkTemplateMatches(report, "spec.template", selector, record(spec.template));
            } else if (kind !== "DaemonSet") {
                report("spec.selector", "invalid label selector (see the problems of its parts)");
            }
        },
    },
    {
        kinds: LONG_RUNNING,
        rejects: "a pod template restartPolicy other than Always, an activeDeadlineSeconds in the template",
        source: "ValidatePodTemplateSpecForReplicaSet, ValidateStatefulSetSpec, ValidateDaemonSetSpec",
        check: ({ kind, spec }, report) => {
            const podSpec = record(record(spec?.template)?.spec);
            const restart = podSpec?.restartPolicy;
            if (typeof restart === "string" && restart !== "Always") {
                report(
                    "spec.template.spec.restartPolicy",
                    `${show(restart)}: supported values: "Always" (a ${kind} restarts its pods; use a Job for run-to-completion)`,
                );
            }
            if (podSpec?.activeDeadlineSeconds !== undefined) {
                report("spec.template.spec.activeDeadlineSeconds", `activeDeadlineSeconds in ${kind} is not supported`);
            }
        },
    },
    {
        kinds: ["Deployment", "ReplicaSet"],
        rejects:
            "negative replicas, minReadySeconds or revisionHistoryLimit; progressDeadlineSeconds not above minReadySeconds; a rolling update with maxSurge and maxUnavailable both 0, a malformed or > 100% maxUnavailable; rollingUpdate with strategy Recreate",
        source: "ValidateDeploymentSpec, ValidateDeploymentStrategy, ValidateRollingUpdateDeployment, ValidateReplicaSetSpec",
        check: ({ kind, spec }, report) => {
            if (spec === undefined) {
                return;
            }
            for (const field of ["replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"]) {
                nonNegative(report, child("spec", field), spec[field]);
            }
            if (kind !== "Deployment") {
                return;
            }
            const minReady = integer(spec.minReadySeconds) ?? 0;
            const deadline = integer(spec.progressDeadlineSeconds) ?? 600;
            if (deadline <= minReady) {
                report(
                    "spec.progressDeadlineSeconds",
                    `${deadline}: must be greater than minReadySeconds (${minReady})`,
                );
            }
            const strategy = record(spec.strategy) ?? {};
            const type = strategy.type ?? "RollingUpdate";
            const rolling = record(strategy.rollingUpdate);
            if (type === "Recreate") {
                if (strategy.rollingUpdate !== undefined) {
                    report("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
                }
            } else if (type === "RollingUpdate") {
                const path = "spec.strategy.rollingUpdate";
                const unavailable = checkIntOrPercent(
                    report,
                    `${path}.maxUnavailable`,
                    rolling?.maxUnavailable ?? "25%",
                );
                const surge = checkIntOrPercent(report, `${path}.maxSurge`, rolling?.maxSurge ?? "25%", false);
                if (unavailable === 0 && surge === 0) {
                    report(
                        `${path}.maxUnavailable`,
                        "may not be 0 when `maxSurge` is 0: the rollout could make no progress",
                    );
                }
            } else if (typeof type === "string") {
                report("spec.strategy", `type ${show(type)}: supported values: "Recreate", "RollingUpdate"`);
            }
        },
    },
    {
        kinds: ["StatefulSet"],
        rejects:
            "a serviceName that is not a DNS label; negative replicas, minReadySeconds, ordinals.start or partition; an unknown podManagementPolicy or updateStrategy; rollingUpdate with OnDelete; volumeClaimTemplates the PVC rules reject",
        source: "ValidateStatefulSetSpec, validateRollingUpdateStatefulSet, validateVolumeClaimTemplates",
        check: ({ spec }, report) => {
            if (spec === undefined) {
                return;
            }
            const service = text(spec.serviceName);
            if (service !== undefined && service !== "" && !isDnsLabel(service)) {
                report(
                    "spec.serviceName",
                    `${show(service)} is not a DNS-1123 label (it names the governing headless Service)`,
                );
            }
            nonNegative(report, "spec.replicas", spec.replicas);
            nonNegative(report, "spec.minReadySeconds", spec.minReadySeconds);
            nonNegative(report, "spec.ordinals.start", record(spec.ordinals)?.start);
            const policy = spec.podManagementPolicy;
            if (policy !== undefined && policy !== "OrderedReady" && policy !== "Parallel") {
                report("spec.podManagementPolicy", `${show(policy)}: must be 'OrderedReady' or 'Parallel'`);
            }
            const strategy = record(spec.updateStrategy) ?? {};
            const type = strategy.type ?? "RollingUpdate";
            if (type === "OnDelete") {
                if (strategy.rollingUpdate !== undefined) {
                    report("spec.updateStrategy.rollingUpdate", "only allowed for updateStrategy 'RollingUpdate'");
                }
            } else if (type === "RollingUpdate") {
                nonNegative(
                    report,
                    "spec.updateStrategy.rollingUpdate.partition",
                    record(strategy.rollingUpdate)?.partition,
                );
            } else {
                report("spec.updateStrategy", `type ${show(type)}: must be 'RollingUpdate' or 'OnDelete'`);
            }
            for (const { item, path } of items("spec.volumeClaimTemplates", spec.volumeClaimTemplates)) {
                checkPvcSpec(report, child(path, "spec"), record(item.spec) ?? {});
            }
        },
    },
    {
        kinds: ["DaemonSet"],
        rejects:
            "negative minReadySeconds or revisionHistoryLimit; a rolling update whose maxSurge and maxUnavailable (defaults 0 and 1) are both set or both 0, malformed, or above 100%",
        source: "ValidateDaemonSetSpec, ValidateDaemonSetUpdateStrategy, ValidateRollingUpdateDaemonSet",
        check: ({ spec }, report) => {
            if (spec === undefined) {
                return;
            }
            nonNegative(report, "spec.minReadySeconds", spec.minReadySeconds);
            nonNegative(report, "spec.revisionHistoryLimit", spec.revisionHistoryLimit);
            const strategy = record(spec.updateStrategy) ?? {};
            const type = strategy.type ?? "RollingUpdate";
            if (type === "RollingUpdate") {
                const path = "spec.updateStrategy.rollingUpdate";
                const rolling = record(strategy.rollingUpdate);
                const unavailable = checkIntOrPercent(report, `${path}.maxUnavailable`, rolling?.maxUnavailable ?? 1);
                const surge = checkIntOrPercent(report, `${path}.maxSurge`, rolling?.maxSurge ?? 0);
                if (unavailable !== 0 && surge !== 0 && unavailable !== undefined && surge !== undefined) {
                    report(
                        `${path}.maxSurge`,
                        "may not be set when maxUnavailable is non-zero (maxUnavailable defaults to 1: set it to 0 to surge)",
                    );
                } else if (unavailable === 0 && surge === 0) {
                    report(`${path}.maxUnavailable`, "cannot be 0 when maxSurge is 0");
                }
            } else if (type !== "OnDelete") {
                report("spec.updateStrategy", `type ${show(type)}: supported values: "RollingUpdate", "OnDelete"`);
            }
        },
    },
    {
        kinds: ["Job"],
        rejects:
            "a pod template without restartPolicy OnFailure or Never (Always is the pod default); negative counts; Indexed mode without completions; per-index limits without Indexed mode; a selector set without manualSelector, or not matching the template",
        source: "ValidateJob, ValidateJobSpec, validateJobSpec, validateGeneratedSelector",
        check: ({ spec }, report) => {
            if (spec === undefined) {
                return;
            }
            checkJobSpec(report, "spec", spec);
            const selector = record(spec.selector);
            if (selector === undefined) {
                return;
            }
            checkSelector(report, "spec.selector", selector);
            if (spec.manualSelector !== true) {
                report(
                    "spec.selector",
                    "`selector` not auto-generated: the Job controller generates it. Fix: remove spec.selector (or set manualSelector: true)",
                );
            }
            if (isConvertibleSelector(selector)) {
                // Without manualSelector the API server adds the Job's uid to the selector, which no template carries.
                const matched =
                    spec.manualSelector === true
                        ? selector
                        : {
                              ...selector,
                              matchLabels: {
                                  ...record(selector.matchLabels),
                                  "batch.kubernetes.io/controller-uid": "(generated)",
                              },
                          };
                checkTemplateMatches(report, "spec.template", matched, record(spec.template));
            }
        },
    },
    {
        kinds: ["CronJob"],
        rejects:
            "a schedule that is not a 5-field cron expression or descriptor, TZ in the schedule, an unknown concurrencyPolicy, negative deadlines and history limits, a jobTemplate with a selector or manualSelector, and every Job rule on the jobTemplate",
        source: "ValidateCronJobCreate, validateCronJobSpec, validateScheduleFormat, validateConcurrencyPolicy, ValidateJobTemplateSpec",
        check: ({ spec }, report) => {
            if (spec === undefined) {
                return;
            }
            const schedule = text(spec.schedule);
            if (schedule !== undefined) {
                const problem = schedule === "" ? "required" : cronProblem(schedule);
                if (problem !== undefined) {
                    report("spec.schedule", `${show(schedule)}: ${problem}`);
                } else if (schedule.includes("TZ")) {
                    report(
                        "spec.schedule",
                        `${show(schedule)}: cannot use TZ or CRON_TZ in schedule, use timeZone field instead`,
                    );
                }
            }
            const policy = spec.concurrencyPolicy;
            if (notIn(policy, ["Allow", "Forbid", "Replace"])) {
                report("spec.concurrencyPolicy", `${show(policy)}: supported values: "Allow", "Forbid", "Replace"`);
            }
            for (const field of ["startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"]) {
                nonNegative(report, child("spec", field), spec[field]);
            }
            const jobSpec = record(record(spec.jobTemplate)?.spec);
            if (jobSpec === undefined) {
                return;
            }
            checkJobSpec(report, "spec.jobTemplate.spec", jobSpec);
            if (jobSpec.selector !== undefined) {
                report("spec.jobTemplate.spec.selector", "`selector` will be auto-generated. Fix: remove it");
            }
            if (jobSpec.manualSelector === true) {
                report("spec.jobTemplate.spec.manualSelector", 'true: supported values: "nil", "false"');
            }
        },
    },
];
