/**
 * Object metadata, labels and label selectors, after k8s.io/apimachinery pkg/api/validation (ValidateObjectMeta,
 * ValidateAnnotations) and pkg/apis/meta/v1/validation (ValidateLabels, ValidateLabelSelector).
 */
import { selectorMatches } from "../../policy/k8s";
import { ApiServerRule, child, Json, list, record, Report, show, stringEntries, text } from "./rule";
import { isDnsLabel, isDnsSubdomain, isLabelValue, isQualifiedName } from "./syntax";

/** Kinds whose names must be DNS labels: ValidateNamespaceName, ValidateServiceName (RelaxedServiceNameValidation, on in 1.36), ValidateStatefulSetName. */
const DNS_LABEL_NAMED = new Set(["Namespace", "Service", "StatefulSet"]);
/** ValidateCronJobCreate: the controller appends an 11-character suffix to the Job name, which must stay ≤ 63. */
const CRONJOB_NAME_MAX = 52;
/** TotalAnnotationSizeLimitB. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** ValidateLabels: every key a qualified name, every value a label value; the path is the map's own. */
export function checkLabels(report: Report, path: string, labels: unknown): void {
    for (const [key, value] of Object.entries(record(labels) ?? {})) {
        if (!isQualifiedName(key)) {
            report(
                path,
                `key ${show(key)} is not a valid label key (an optional DNS-subdomain prefix and '/', then ≤ 63 alphanumerics, '-', '_', '.')`,
            );
        }
        if (typeof value === "string" && !isLabelValue(value)) {
            report(
                path,
                `value ${show(value)} of key ${show(key)} is not a valid label value (≤ 63, alphanumeric, '-', '_', '.')`,
            );
        }
    }
}

/** ValidateAnnotations: keys are qualified names (case-insensitive), keys and values together ≤ 256 KiB. */
function checkAnnotations(report: Report, path: string, annotations: unknown): void {
    let bytes = 0;
    for (const [key, value] of Object.entries(record(annotations) ?? {})) {
        if (!isQualifiedName(key.toLowerCase())) {
            report(
                path,
                `key ${show(key)} is not a valid annotation key (an optional DNS-subdomain prefix and '/', then ≤ 63 alphanumerics, '-', '_', '.')`,
            );
        }
        bytes += Buffer.byteLength(key) + (typeof value === "string" ? Buffer.byteLength(value) : 0);
    }
    if (bytes > ANNOTATIONS_MAX_BYTES) {
        report(
            path,
            `${bytes} bytes: annotations may hold at most ${ANNOTATIONS_MAX_BYTES} bytes. Fix: move the data to a ConfigMap`,
        );
    }
}

const OPERATORS_WITH_VALUES = new Set(["In", "NotIn"]);
const OPERATORS_WITHOUT_VALUES = new Set(["Exists", "DoesNotExist"]);

/** ValidateLabelSelector (strict label values, as for every selector a new object is created with). */
export function checkSelector(report: Report, path: string, selector: unknown): void {
    const s = record(selector);
    if (!s) {
        return;
    }
    checkLabels(report, child(path, "matchLabels"), s.matchLabels);
    list(s.matchExpressions).forEach((item, i) => {
        const expr = record(item);
        if (!expr) {
            return;
        }
        const at = child(child(path, "matchExpressions"), i);
        const operator = text(expr.operator);
        const values = list(expr.values);
        if (operator !== undefined && OPERATORS_WITH_VALUES.has(operator)) {
            if (values.length === 0) {
                report(child(at, "values"), "must be specified when `operator` is 'In' or 'NotIn'");
            }
        } else if (operator !== undefined && OPERATORS_WITHOUT_VALUES.has(operator)) {
            if (values.length > 0) {
                report(child(at, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
            }
        } else {
            report(
                child(at, "operator"),
                `${show(expr.operator)}: not a valid selector operator (In, NotIn, Exists, DoesNotExist)`,
            );
        }
        if (typeof expr.key === "string" && !isQualifiedName(expr.key)) {
            report(child(at, "key"), `${show(expr.key)} is not a valid label key`);
        }
        values.forEach((value, j) => {
            if (typeof value === "string" && !isLabelValue(value)) {
                report(
                    child(child(at, "values"), j),
                    `${show(value)} is not a valid label value (≤ 63, alphanumeric, '-', '_', '.')`,
                );
            }
        });
    });
}

/** metav1.LabelSelectorAsSelector succeeds: the selector has none of the problems checkSelector reports. */
export function isConvertibleSelector(selector: Json): boolean {
    let problems = 0;
    checkSelector(() => problems++, "", selector);
    return problems === 0;
}

/** Whether `selector` (a valid LabelSelector) selects these labels, as labels.Selector.Matches does. */
export function selects(selector: Json, labels: unknown): boolean {
    return selectorMatches(selector, Object.fromEntries(stringEntries(labels)));
}

export const METADATA_RULES: ApiServerRule[] = [
    {
        kinds: ["*"],
        rejects:
            "a missing name, or a name that is not a DNS-1123 subdomain (a DNS label for Namespace, Service, StatefulSet; ≤ 52 for CronJob; for a PodDisruptionBudget only no '/', '%', '.' or '..')",
        source: "ValidateObjectMeta (apimachinery), ValidateServiceCreate, ValidateStatefulSetName, ValidateCronJobCreate; rest.BeforeCreate (path-segment names of PodDisruptionBudgets)",
        check: ({ kind, metadata }, report) => {
            const name = metadata.name;
            if (kind === "PodDisruptionBudget" && typeof name === "string" && name !== "") {
                // ValidatePodDisruptionBudget leaves metadata out; BeforeCreate only checks the name is a path segment.
                if (name === "." || name === ".." || /[/%]/.test(name)) {
                    report("metadata.name", `${show(name)} may not be '.' or '..' or contain '/' or '%'`);
                }
            } else if (typeof name !== "string" || name === "") {
                report(
                    "metadata.name",
                    `required (got ${show(name)}). Fix: set a name or let the provider auto-name it`,
                );
            } else if (DNS_LABEL_NAMED.has(kind) ? !isDnsLabel(name) : !isDnsSubdomain(name)) {
                const rule = DNS_LABEL_NAMED.has(kind)
                    ? "a DNS-1123 label (lower case, digits, '-', ≤ 63)"
                    : "a DNS-1123 subdomain (lower case, digits, '-', '.', ≤ 253)";
                report("metadata.name", `${show(name)} is not ${rule}`);
            } else if (kind === "CronJob" && name.length > CRONJOB_NAME_MAX) {
                report(
                    "metadata.name",
                    `${show(name)} is ${name.length} characters: a CronJob name must be no more than ${CRONJOB_NAME_MAX} characters (its Jobs add an 11-character suffix)`,
                );
            }
        },
    },
    {
        kinds: ["*"],
        rejects: "a namespace that is not a DNS-1123 label",
        source: "ValidateObjectMeta → ValidateNamespaceName (apimachinery)",
        check: ({ metadata }, report) => {
            const namespace = metadata.namespace;
            if (namespace !== undefined && !(typeof namespace === "string" && isDnsLabel(namespace))) {
                report("metadata.namespace", `${show(namespace)} is not a DNS-1123 label`);
            }
        },
    },
    {
        kinds: ["*"],
        rejects:
            "label keys that are not qualified names, label values that are not label values, annotation keys that are not qualified names, annotations over 256 KiB (object and pod template)",
        source: "ValidateObjectMeta → ValidateLabels, ValidateAnnotations (apimachinery); ValidatePodTemplateSpec",
        check: ({ metadata, pods }, report) => {
            checkLabels(report, "metadata.labels", metadata.labels);
            checkAnnotations(report, "metadata.annotations", metadata.annotations);
            for (const pod of pods) {
                if (pod.templatePath === undefined) {
                    continue;
                }
                // ValidatePodTemplateSpec names the template's labels `<template>.labels` (ObjectMeta is embedded).
                const templateMeta = record(pod.template?.metadata);
                checkLabels(report, child(pod.templatePath, "labels"), templateMeta?.labels);
                checkAnnotations(report, child(pod.templatePath, "annotations"), templateMeta?.annotations);
            }
        },
    },
];
