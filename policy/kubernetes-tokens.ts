/**
 * What a Pulumi type token says about the Kubernetes object behind it.
 * Typed classes use `kubernetes:<group>/<version>:<Kind>` (core group spelled "core");
 * CustomResource uses `kubernetes:<apiVersion>:<Kind>` with the real apiVersion.
 */
export interface KubernetesTypeInfo {
    /** apiVersion as the API server spells it ("v1" for the core group). */
    apiVersion: string;
    /** Group ("" for core) and version, used to find the schema model. */
    group: string;
    version: string;
    kind: string;
}

const PROVIDER_NAMESPACES = ["helm.sh/", "yaml/", "kustomize/"];
/** A kind as the API server accepts one: a Go identifier of letters and digits (ConfigMap, Route, ...). */
const KIND_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
/** Longest kind accepted: a CRD's kind is a DNS-label-length identifier. */
const MAX_KIND_LENGTH = 63;
const OBJECT_TOKEN = /^kubernetes:([^:]+):([^:]+)$/;

export function isKindName(kind: string): boolean {
    return kind.length <= MAX_KIND_LENGTH && KIND_NAME.test(kind);
}

/** The API group of an apiVersion ("" for the core group's "v1"). */
export function apiGroupOf(apiVersion: string): string {
    const slash = apiVersion.lastIndexOf("/");
    return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/**
 * Returns the object's apiVersion/kind, or undefined for tokens that are not one applied object:
 * providers, components (yaml, helm), `...List` wrappers and server-side-apply `...Patch` resources
 * (partial by design: they cannot be rendered or validated as whole objects), and the provider's own
 * resources in the helm.sh/yaml/kustomize namespaces (a helm.v3.Release is custom but is no object).
 */
export function kubernetesTypeInfo(token: string): KubernetesTypeInfo | undefined {
    const match = OBJECT_TOKEN.exec(token);
    if (!match || !isKindName(match[2])) {
        return undefined;
    }
    const [, groupVersion, kind] = match;
    if (PROVIDER_NAMESPACES.some((prefix) => groupVersion.startsWith(prefix))) {
        return undefined;
    }
    if (kind.endsWith("Patch") || kind.endsWith("List") || (!groupVersion.includes("/") && groupVersion !== "v1")) {
        return undefined;
    }
    const group = apiGroupOf(groupVersion);
    const version = groupVersion.slice(groupVersion.lastIndexOf("/") + 1);
    const coreGroup = group === "core" || group === "";
    return {
        apiVersion: coreGroup ? version : `${group}/${version}`,
        group: coreGroup ? "" : group,
        version,
        kind,
    };
}
