/**
 * The string grammars kube-apiserver checks outside the OpenAPI schema, after k8s.io/apimachinery
 * pkg/util/validation (IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName, IsValidLabelValue,
 * IsValidPortName, IsValidPortNum, IsConfigMapKey, IsRelaxedEnvVarName, IsValidPercent, IsWildcardDNS1123Subdomain).
 */
import * as net from "net";
import { DNS_LABEL, DNS_SUBDOMAIN, MAX_PORT } from "../../components/facts";

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const PERCENT = /^[0-9]+%$/;

/** IsDNS1123Label: lower case alphanumerics and '-', ≤ 63. */
export function isDnsLabel(s: string): boolean {
    return DNS_LABEL.test(s);
}

/** IsDNS1123Subdomain: dot-separated DNS labels, ≤ 253. */
export function isDnsSubdomain(s: string): boolean {
    return DNS_SUBDOMAIN.test(s);
}

/** IsDNS1035Label: a DNS label that starts with a letter. */
export function isDns1035Label(s: string): boolean {
    return s.length <= 63 && DNS_1035_LABEL.test(s);
}

/** IsWildcardDNS1123Subdomain: `*.` followed by a DNS subdomain. */
export function isWildcardDnsSubdomain(s: string): boolean {
    return s.length <= 253 && s.startsWith("*.") && DNS_SUBDOMAIN.test(s.slice(2));
}

/** IsQualifiedName (label and annotation keys): an optional DNS-subdomain prefix and '/', then a name ≤ 63. */
export function isQualifiedName(key: string): boolean {
    const parts = key.split("/");
    if (parts.length > 2) {
        return false;
    }
    const name = parts[parts.length - 1];
    const prefix = parts.length === 2 ? parts[0] : undefined;
    return (
        (prefix === undefined || (prefix !== "" && isDnsSubdomain(prefix))) &&
        name.length <= 63 &&
        QUALIFIED_NAME.test(name)
    );
}

/** IsValidLabelValue: empty, or ≤ 63 alphanumerics, '-', '_', '.' that start and end alphanumeric. */
export function isLabelValue(s: string): boolean {
    return s.length <= 63 && LABEL_VALUE.test(s);
}

/** IsValidPortName: an IANA service name (≤ 15, lower case, at least one letter, no '--', no '-' at either end). */
export function isPortName(s: string): boolean {
    return s.length <= 15 && PORT_NAME.test(s) && /[a-z]/.test(s) && !s.includes("--");
}

/** IsValidPortNum: 1–65535. */
export function isPortNumber(n: number): boolean {
    return Number.isInteger(n) && n >= 1 && n <= MAX_PORT;
}

/** IsConfigMapKey: ≤ 253 of alphanumerics, '-', '_', '.', and not `.`, `..` or `..`-prefixed. */
export function isConfigMapKey(s: string): boolean {
    return s.length <= 253 && CONFIG_KEY.test(s) && s !== "." && !s.startsWith("..");
}

/** IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, GA): printable ASCII without '='. */
export function isEnvVarName(s: string): boolean {
    return s.length > 0 && /^[\x20-\x7e]+$/.test(s) && !s.includes("=");
}

/** IsValidPercent: digits then '%'. */
export function isPercent(s: string): boolean {
    return PERCENT.test(s);
}

/** netutils.ParseIPSloppy accepts it: an IPv4 or IPv6 address. */
export function isIpAddress(s: string): boolean {
    return net.isIP(s) !== 0;
}

/** A CIDR as netutils.ParseCIDRSloppy reads it: an address, '/', a prefix length within the family's bits. */
export function isCidr(s: string): boolean {
    const slash = s.indexOf("/");
    if (slash < 0) {
        return false;
    }
    const family = net.isIP(s.slice(0, slash));
    const bits = s.slice(slash + 1);
    return family !== 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
