/**
 * PersistentVolumeClaims, ConfigMaps and Secrets, after k8s.io/kubernetes pkg/apis/core/validation
 * (ValidatePersistentVolumeClaimSpec, ValidateConfigMap, ValidateSecret).
 */
import { checkSelector } from "./metadata";
import { quantityValue } from "./pod";
import { ApiServerRule, child, Json, list, record, Report, show, text } from "./rule";
import { isConfigMapKey, isDnsSubdomain } from "./syntax";

const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

/** ValidatePersistentVolumeClaimSpec (also each StatefulSet volumeClaimTemplate's spec). */
export function checkPvcSpec(report: Report, base: string, spec: Json): void {
    const modes = list(spec.accessModes);
    if (modes.length === 0) {
        report(child(base, "accessModes"), "at least 1 access mode is required");
    }
    for (const mode of modes) {
        if (typeof mode === "string" && !ACCESS_MODES.includes(mode)) {
            report(
                child(base, "accessModes"),
                `${show(mode)}: supported values: ${ACCESS_MODES.map((m) => `"${m}"`).join(", ")}`,
            );
        }
    }
    if (
        modes.includes("ReadWriteOncePod") &&
        modes.some((m) => m !== "ReadWriteOncePod" && ACCESS_MODES.includes(String(m)))
    ) {
        report(child(base, "accessModes"), "may not use ReadWriteOncePod with other access modes");
    }
    checkSelector(report, child(base, "selector"), spec.selector);
    const requests = record(record(spec.resources)?.requests);
    const storagePath = `${child(base, "resources")}[storage]`;
    if (requests?.storage === undefined) {
        report(storagePath, "required: the size to request (e.g. 1Gi)");
    } else {
        const size = quantityValue(requests.storage);
        if (size !== undefined && size <= 0) {
            report(storagePath, `${show(requests.storage)}: must be greater than zero`);
        }
    }
    const storageClass = text(spec.storageClassName);
    if (storageClass !== undefined && storageClass !== "" && !isDnsSubdomain(storageClass)) {
        report(child(base, "storageClassName"), `${show(storageClass)} is not a DNS-1123 subdomain`);
    }
    const mode = spec.volumeMode;
    if (mode !== undefined && mode !== "Block" && mode !== "Filesystem") {
        report(child(base, "volumeMode"), `${show(mode)}: supported values: "Block", "Filesystem"`);
    }
}

function checkKeys(report: Report, field: string, map: unknown): void {
    for (const key of Object.keys(record(map) ?? {})) {
        if (!isConfigMapKey(key)) {
            report(
                `${field}[${key}]`,
                `key ${show(key)} is not a valid config key (alphanumerics, '-', '_', '.'; ≤ 253; not . or ..)`,
            );
        }
    }
}

/** Keys a Secret of this type must hold (ValidateSecret); stringData counts, it is merged into data first. */
const SECRET_REQUIRED_KEYS: Record<string, string[]> = {
    "kubernetes.io/tls": ["tls.crt", "tls.key"],
    "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
    "kubernetes.io/dockercfg": [".dockercfg"],
    "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};

export const STORAGE_RULES: ApiServerRule[] = [
    {
        kinds: ["PersistentVolumeClaim"],
        rejects:
            "no access mode, an unknown one, ReadWriteOncePod with others; no storage request or a size ≤ 0; a storageClassName that is not a DNS subdomain; an unknown volumeMode",
        source: "ValidatePersistentVolumeClaim, ValidatePersistentVolumeClaimSpec",
        check: ({ spec }, report) => checkPvcSpec(report, "spec", spec ?? {}),
    },
    {
        kinds: ["ConfigMap", "Secret"],
        rejects:
            "data keys that are not config keys; a ConfigMap key in both data and binaryData; a typed Secret without its required keys (tls.crt/tls.key, .dockerconfigjson, ssh-privatekey, username or password for basic-auth)",
        source: "ValidateConfigMap, ValidateSecret, IsConfigMapKey",
        check: ({ kind, object }, report) => {
            checkKeys(report, "data", object.data);
            if (kind === "ConfigMap") {
                checkKeys(report, "binaryData", object.binaryData);
                for (const key of Object.keys(record(object.data) ?? {})) {
                    if (Object.prototype.hasOwnProperty.call(record(object.binaryData) ?? {}, key)) {
                        report(`data[${key}]`, `key ${show(key)}: duplicate of key present in binaryData`);
                    }
                }
                return;
            }
            // stringData is merged into data before validation, so its keys are reported there.
            checkKeys(report, "data", object.stringData);
            const keys = new Set([
                ...Object.keys(record(object.data) ?? {}),
                ...Object.keys(record(object.stringData) ?? {}),
            ]);
            const type = text(object.type) ?? "Opaque";
            for (const key of SECRET_REQUIRED_KEYS[type] ?? []) {
                if (!keys.has(key)) {
                    report(`data[${key}]`, `required: a Secret of type ${type} holds the key ${show(key)}`);
                }
            }
            if (type === "kubernetes.io/basic-auth" && !keys.has("username") && !keys.has("password")) {
                report("data[username]", `required: a Secret of type ${type} holds "username" or "password"`);
                report("data[password]", `required: a Secret of type ${type} holds "username" or "password"`);
            }
        },
    },
];
