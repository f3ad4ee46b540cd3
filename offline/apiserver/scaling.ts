/**
 * PodDisruptionBudgets and HorizontalPodAutoscalers, after k8s.io/kubernetes pkg/apis/policy/validation
 * (ValidatePodDisruptionBudgetSpec) and pkg/apis/autoscaling/validation (validateHorizontalPodAutoscalerSpec).
 */
import { checkSelector } from "./metadata";
import { quantityValue } from "./pod";
import { checkIntOrPercent } from "./workloads";
import { ApiServerRule, notIn, child, integer, items, record, Report, show, text } from "./rule";

/** MaxStabilizationWindowSeconds, MaxPeriodSeconds. */
const MAX_WINDOW_SECONDS = 3600;
const MAX_PERIOD_SECONDS = 1800;
const METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"];

/** validateMetricTarget. */
function checkTarget(report: Report, path: string, target: Record<string, unknown>): void {
    if (target.type === undefined || notIn(target.type, ["Utilization", "Value", "AverageValue"])) {
        report(child(path, "type"), `${show(target.type)}: must be either Utilization, Value, or AverageValue`);
    }
    for (const field of ["value", "averageValue"]) {
        const v = quantityValue(target[field]);
        if (v !== undefined && v <= 0) {
            report(child(path, field), `${show(target[field])}: must be positive`);
        }
    }
    const utilization = integer(target.averageUtilization);
    if (utilization !== undefined && utilization < 1) {
        report(child(path, "averageUtilization"), `${utilization}: must be greater than 0`);
    }
}

export const SCALING_RULES: ApiServerRule[] = [
    {
        kinds: ["PodDisruptionBudget"],
        rejects:
            "minAvailable and maxUnavailable both set; either one malformed, negative or above 100%; a malformed selector",
        source: "ValidatePodDisruptionBudgetSpec, ValidatePositiveIntOrPercent, IsNotMoreThan100Percent",
        check: ({ spec }, report) => {
            const s = spec ?? {};
            if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) {
                report(
                    "spec",
                    "minAvailable and maxUnavailable cannot be both set. Fix: keep one (maxUnavailable: 1 lets drains proceed)",
                );
            }
            for (const field of ["minAvailable", "maxUnavailable"]) {
                if (s[field] !== undefined) {
                    checkIntOrPercent(report, child("spec", field), s[field]);
                }
            }
            checkSelector(report, "spec.selector", s.selector);
        },
    },
    {
        kinds: ["HorizontalPodAutoscaler"],
        rejects:
            "minReplicas below 1, maxReplicas below 1 or below minReplicas; a scaleTargetRef without kind or name, or whose apiVersion has no group; metrics of an unknown type, a Resource metric without name or target, targets ≤ 0; behavior windows outside 0–3600 s, policies with a value ≤ 0 or a period outside 1–1800 s",
        source: "ValidateHorizontalPodAutoscaler, validateHorizontalPodAutoscalerSpec, ValidateCrossVersionObjectReference, validateMetricSpec, validateResourceSource, validateMetricTarget, validateScalingRules, validateScalingPolicy",
        check: ({ object, spec }, report) => {
            const s = spec ?? {};
            const min = integer(s.minReplicas);
            const max = integer(s.maxReplicas);
            if (min !== undefined && min < 1) {
                report("spec.minReplicas", `${min}: must be greater than or equal to 1`);
            }
            const external = items("spec.metrics", s.metrics).some(
                ({ item }) => item.type === "Object" || item.type === "External",
            );
            if (min === 0 && !external) {
                report(
                    "spec.metrics",
                    "must specify at least one Object or External metric to support scaling to zero replicas",
                );
            }
            if (max !== undefined && max < 1) {
                report("spec.maxReplicas", `${max}: must be greater than or equal to 1`);
            } else if (max !== undefined && min !== undefined && max < min) {
                report("spec.maxReplicas", `${max}: must be greater than or equal to \`minReplicas\` (${min})`);
            }
            const ref = record(s.scaleTargetRef) ?? {};
            for (const field of ["kind", "name"]) {
                const value = text(ref[field]);
                if (value === "") {
                    report(child("spec.scaleTargetRef", field), "required");
                } else if (value !== undefined && (value === "." || value === ".." || /[/%]/.test(value))) {
                    report(
                        child("spec.scaleTargetRef", field),
                        `${show(value)}: may not be '.' or '..' or contain '/' or '%'`,
                    );
                }
            }
            const apiVersion = text(ref.apiVersion);
            if (apiVersion !== undefined && !apiVersion.includes("/")) {
                report(
                    "spec.scaleTargetRef.apiVersion",
                    `${show(apiVersion)}: apiVersion must specify API group (e.g. apps/v1)`,
                );
            }
            if (object.apiVersion !== "autoscaling/v2") {
                return; // autoscaling/v1 has targetCPUUtilizationPercentage instead of metrics and behavior
            }
            for (const { item: metric, path } of items("spec.metrics", s.metrics)) {
                if (metric.type === undefined || notIn(metric.type, METRIC_TYPES)) {
                    report(
                        child(path, "type"),
                        `${show(metric.type)}: supported values: ${METRIC_TYPES.map((t) => `"${t}"`).join(", ")}`,
                    );
                }
                const resource = record(metric.resource);
                if (metric.type === "Resource" && resource) {
                    const at = child(path, "resource");
                    if (resource.name === undefined || resource.name === "") {
                        report(child(at, "name"), "must specify a resource name");
                    }
                    const target = record(resource.target) ?? {};
                    checkTarget(report, child(at, "target"), target);
                    if (target.averageUtilization === undefined && target.averageValue === undefined) {
                        report(
                            child(at, "target.averageUtilization"),
                            "must set either a target raw value or a target utilization",
                        );
                    } else if (target.averageUtilization !== undefined && target.averageValue !== undefined) {
                        report(
                            child(at, "target.averageValue"),
                            "may not set both a target raw value and a target utilization",
                        );
                    }
                }
            }
            const behavior = record(s.behavior);
            for (const direction of ["scaleUp", "scaleDown"]) {
                const rules = record(behavior?.[direction]);
                if (rules === undefined) {
                    continue;
                }
                const at = child("spec.behavior", direction);
                const window = integer(rules.stabilizationWindowSeconds);
                if (window !== undefined && (window < 0 || window > MAX_WINDOW_SECONDS)) {
                    report(
                        child(at, "stabilizationWindowSeconds"),
                        `${window}: must be between 0 and ${MAX_WINDOW_SECONDS}`,
                    );
                }
                if (notIn(rules.selectPolicy, ["Max", "Min", "Disabled"])) {
                    report(
                        child(at, "selectPolicy"),
                        `${show(rules.selectPolicy)}: supported values: "Disabled", "Max", "Min"`,
                    );
                }
                for (const { item: policy, path } of items(child(at, "policies"), rules.policies)) {
                    if (policy.type !== "Pods" && policy.type !== "Percent") {
                        report(child(path, "type"), `${show(policy.type)}: supported values: "Percent", "Pods"`);
                    }
                    const value = integer(policy.value);
                    if (value !== undefined && value <= 0) {
                        report(child(path, "value"), `${value}: must be greater than zero`);
                    }
                    const period = integer(policy.periodSeconds);
                    if (period !== undefined && (period <= 0 || period > MAX_PERIOD_SECONDS)) {
                        report(
                            child(path, "periodSeconds"),
                            `${period}: must be greater than zero and at most ${MAX_PERIOD_SECONDS}`,
                        );
                    }
                }
            }
        },
    },
];
