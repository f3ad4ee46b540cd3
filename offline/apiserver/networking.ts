/**
 * Services, Ingresses and NetworkPolicies, after k8s.io/kubernetes pkg/apis/core/validation (validateService,
 * validateServicePort) and pkg/apis/networking/validation (ValidateIngressSpec, ValidateNetworkPolicySpec).
 */
import { checkLabels, checkSelector } from "./metadata";
import { checkPortNumOrName } from "./pod";
import { ApiServerRule, notIn, child, integer, items, Json, list, record, Report, show, text } from "./rule";
import {
    isCidr,
    isDnsLabel,
    isDnsSubdomain,
    isIpAddress,
    isPortName,
    isPortNumber,
    isWildcardDnsSubdomain,
} from "./syntax";

const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];

/** validateIngressBackend: exactly one of service and resource; the service's name and port name xor number. */
function checkIngressBackend(report: Report, path: string, backend: Json): void {
    const service = record(backend.service);
    if (service && backend.resource !== undefined) {
        report(path, "cannot set both resource and service backends");
        return;
    }
    if (!service) {
        if (backend.resource === undefined) {
            report(path, "resource or service backend is required");
        }
        return;
    }
    const name = text(service.name) ?? "";
    if (name === "") {
        report(child(path, "service.name"), "required");
    } else if (!isDnsLabel(name)) {
        report(child(path, "service.name"), `${show(name)} is not a DNS-1123 label (a Service name)`);
    }
    const port = record(service.port) ?? {};
    const portName = text(port.name) ?? "";
    const portNumber = integer(port.number) ?? 0;
    if (portName !== "" && portNumber !== 0) {
        report(path, "cannot set both port name & port number");
    } else if (portName !== "") {
        if (!isPortName(portName)) {
            report(
                child(path, "service.port.name"),
                `${show(portName)} is not an IANA service name (lower case, ≤ 15, a letter, no '--')`,
            );
        }
    } else if (portNumber !== 0) {
        if (!isPortNumber(portNumber)) {
            report(child(path, "service.port.number"), `${portNumber}: must be between 1 and 65535, inclusive`);
        }
    } else {
        report(path, "port name or number is required");
    }
}

/** A host rule: a DNS subdomain (or *.wildcard), never an IP address. */
function checkHost(report: Report, path: string, host: string): void {
    if (isIpAddress(host)) {
        report(path, `${show(host)}: must be a DNS name, not an IP address`);
    }
    if (host.includes("*") ? !isWildcardDnsSubdomain(host) : !isDnsSubdomain(host)) {
        report(path, `${show(host)} is not a DNS-1123 subdomain${host.includes("*") ? " with a leading '*.'" : ""}`);
    }
}

/** ValidateNetworkPolicyPort and ValidateNetworkPolicyPeer for one rule's ports and peers. */
function checkPolicyRule(report: Report, path: string, rule: Json, peersField: "from" | "to"): void {
    for (const { item: port, path: at } of items(child(path, "ports"), rule.ports)) {
        if (notIn(port.protocol, PROTOCOLS)) {
            report(child(at, "protocol"), `${show(port.protocol)}: supported values: "TCP", "UDP", "SCTP"`);
        }
        const endPort = integer(port.endPort);
        if (typeof port.port === "number") {
            checkPortNumOrName(report, child(at, "port"), port.port);
            if (endPort !== undefined) {
                if (endPort < port.port) {
                    report(child(at, "endPort"), `${endPort}: must be greater than or equal to \`port\``);
                }
                if (!isPortNumber(endPort)) {
                    report(child(at, "endPort"), `${endPort}: must be between 1 and 65535, inclusive`);
                }
            }
        } else if (typeof port.port === "string") {
            checkPortNumOrName(report, child(at, "port"), port.port);
            if (endPort !== undefined) {
                report(child(at, "endPort"), `${endPort}: may not be specified when \`port\` is non-numeric`);
            }
        } else if (endPort !== undefined) {
            report(child(at, "endPort"), `${endPort}: may not be specified when \`port\` is not specified`);
        }
    }
    for (const { item: peer, path: at } of items(child(path, peersField), rule[peersField])) {
        const kinds = ["podSelector", "namespaceSelector", "ipBlock"].filter((k) => record(peer[k]));
        if (kinds.length === 0) {
            report(at, "must specify a peer (podSelector, namespaceSelector or ipBlock)");
        } else if (kinds.length > 1 && kinds.includes("ipBlock")) {
            report(at, "may not specify both ipBlock and another peer");
        }
        checkSelector(report, child(at, "podSelector"), peer.podSelector);
        checkSelector(report, child(at, "namespaceSelector"), peer.namespaceSelector);
        const block = record(peer.ipBlock);
        if (block) {
            const cidr = text(block.cidr) ?? "";
            if (cidr === "") {
                report(child(at, "ipBlock.cidr"), "required");
            } else if (!isCidr(cidr)) {
                report(child(at, "ipBlock.cidr"), `${show(cidr)} is not a CIDR (e.g. 10.0.0.0/16)`);
            }
            list(block.except).forEach((except, i) => {
                if (typeof except === "string" && !isCidr(except)) {
                    report(child(child(at, "ipBlock.except"), i), `${show(except)} is not a CIDR (e.g. 10.0.1.0/24)`);
                }
            });
        }
    }
}

export const NETWORKING_RULES: ApiServerRule[] = [
    {
        kinds: ["Service"],
        rejects:
            "no ports (unless headless or ExternalName); unnamed ports when there are several, port names that are not DNS labels or repeat; ports out of 1–65535, malformed targetPorts, unknown protocols, a repeated port/protocol pair; a nodePort on a ClusterIP Service; clusterIP None on NodePort/LoadBalancer; ExternalName without a DNS externalName; an unknown type or sessionAffinity; malformed selector labels",
        source: "ValidateServiceCreate, validateService, validateServicePort, ValidatePortNumOrName",
        check: ({ spec }, report) => {
            const s = spec ?? {};
            const type = text(s.type) ?? "ClusterIP";
            const headless = s.clusterIP === "None" || list(s.clusterIPs)[0] === "None";
            const ports = items("spec.ports", s.ports);
            if (ports.length === 0 && !headless && type !== "ExternalName") {
                report("spec.ports", "required: at least one port (unless the Service is headless or ExternalName)");
            }
            if (!SERVICE_TYPES.includes(type)) {
                report(
                    "spec.type",
                    `${show(type)}: supported values: ${SERVICE_TYPES.map((t) => `"${t}"`).join(", ")}`,
                );
            }
            if (headless && (type === "NodePort" || type === "LoadBalancer")) {
                report("spec.clusterIPs[0]", `"None": may not be set to 'None' for ${type} services`);
            }
            if (type === "ExternalName") {
                const cname = (text(s.externalName) ?? "").replace(/\.$/, "");
                if (cname === "") {
                    report("spec.externalName", "required for an ExternalName Service");
                } else if (!isDnsSubdomain(cname)) {
                    report("spec.externalName", `${show(s.externalName)} is not a DNS-1123 subdomain`);
                }
            }
            const names = new Set<string>();
            const pairs = new Set<string>();
            for (const { item: port, path } of ports) {
                const name = text(port.name) ?? "";
                if (ports.length > 1 && name === "") {
                    report(child(path, "name"), "required when the Service has more than one port");
                } else if (name !== "") {
                    if (!isDnsLabel(name)) {
                        report(child(path, "name"), `${show(name)} is not a DNS-1123 label`);
                    }
                    if (names.has(name)) {
                        report(child(path, "name"), `Duplicate value: ${show(name)}`);
                    }
                    names.add(name);
                }
                const number = integer(port.port);
                if (number !== undefined && !isPortNumber(number)) {
                    report(child(path, "port"), `${number}: must be between 1 and 65535, inclusive`);
                }
                if (notIn(port.protocol, PROTOCOLS)) {
                    report(child(path, "protocol"), `${show(port.protocol)}: supported values: "SCTP", "TCP", "UDP"`);
                }
                // A targetPort of 0 or "" defaults to the port (SetDefaults_Service).
                if (port.targetPort !== 0 && port.targetPort !== "") {
                    checkPortNumOrName(report, child(path, "targetPort"), port.targetPort);
                }
                if (type === "ClusterIP" && port.nodePort !== undefined && port.nodePort !== 0) {
                    report(child(path, "nodePort"), "may not be used when `type` is 'ClusterIP'");
                }
                const pair = `${show(port.protocol ?? "TCP")}/${show(port.port)}`;
                if (pairs.has(pair)) {
                    report(path, `Duplicate value: port ${pair} is already exposed by an earlier port`);
                }
                pairs.add(pair);
            }
            checkLabels(report, "spec.selector", s.selector);
            const affinity = s.sessionAffinity;
            if (affinity !== undefined && affinity !== "None" && affinity !== "ClientIP") {
                report("spec.sessionAffinity", `${show(affinity)}: supported values: "ClientIP", "None"`);
            }
        },
    },
    {
        kinds: ["Ingress"],
        rejects:
            "neither rules nor defaultBackend; hosts that are IPs or not DNS subdomains; an http rule without paths, a path without pathType, a relative Exact/Prefix path; a backend with no or both of service and resource, a service name that is not a DNS label, a port name and number both or neither, a malformed port; TLS hosts and secretNames that are not DNS subdomains; a malformed ingressClassName",
        source: "ValidateIngressCreate, ValidateIngressSpec, validateIngressRules, validateHTTPIngressPath, validateIngressBackend, validateIngressTLS",
        check: ({ spec }, report) => {
            const s = spec ?? {};
            const rules = items("spec.rules", s.rules);
            const defaultBackend = record(s.defaultBackend);
            if (rules.length === 0 && defaultBackend === undefined) {
                report("spec", "either `defaultBackend` or `rules` must be specified");
            }
            if (defaultBackend) {
                checkIngressBackend(report, "spec.defaultBackend", defaultBackend);
            }
            for (const { item: rule, path } of rules) {
                if (typeof rule.host === "string" && rule.host !== "") {
                    checkHost(report, child(path, "host"), rule.host);
                }
                const http = record(rule.http);
                if (http === undefined) {
                    continue;
                }
                const paths = items(child(path, "http.paths"), http.paths);
                if (paths.length === 0) {
                    report(child(path, "http.paths"), "required");
                }
                for (const { item: p, path: at } of paths) {
                    const pathType = p.pathType;
                    if (pathType === undefined) {
                        report(
                            child(at, "pathType"),
                            "pathType must be specified (Prefix, Exact or ImplementationSpecific)",
                        );
                        continue;
                    }
                    const value = text(p.path) ?? "";
                    if (notIn(pathType, PATH_TYPES)) {
                        report(
                            child(at, "pathType"),
                            `${show(pathType)}: supported values: "Exact", "ImplementationSpecific", "Prefix"`,
                        );
                    } else if ((pathType !== "ImplementationSpecific" || value !== "") && !value.startsWith("/")) {
                        report(child(at, "path"), `${show(value)}: must be an absolute path`);
                    }
                    checkIngressBackend(report, child(at, "backend"), record(p.backend) ?? {});
                }
            }
            for (const { item: tls, path } of items("spec.tls", s.tls)) {
                list(tls.hosts).forEach((host, i) => {
                    if (
                        typeof host === "string" &&
                        (host.includes("*") ? !isWildcardDnsSubdomain(host) : !isDnsSubdomain(host))
                    ) {
                        report(child(child(path, "hosts"), i), `${show(host)} is not a DNS-1123 subdomain`);
                    }
                });
                if (typeof tls.secretName === "string" && tls.secretName !== "" && !isDnsSubdomain(tls.secretName)) {
                    report(
                        child(path, "secretName"),
                        `${show(tls.secretName)} is not a DNS-1123 subdomain (a Secret name)`,
                    );
                }
            }
            if (typeof s.ingressClassName === "string" && !isDnsSubdomain(s.ingressClassName)) {
                report("spec.ingressClassName", `${show(s.ingressClassName)} is not a DNS-1123 subdomain`);
            }
        },
    },
    {
        kinds: ["NetworkPolicy"],
        rejects:
            "malformed podSelector; ports with an unknown protocol, out of range, endPort below port or beside a named port; peers with no selector or ipBlock, ipBlock beside another peer, malformed CIDRs; more than two or unknown policyTypes",
        source: "ValidateNetworkPolicy, ValidateNetworkPolicySpec, ValidateNetworkPolicyPort, ValidateNetworkPolicyPeer, ValidateIPBlock",
        check: ({ spec }, report) => {
            const s = spec ?? {};
            checkSelector(report, "spec.podSelector", s.podSelector);
            for (const { item, path } of items("spec.ingress", s.ingress)) {
                checkPolicyRule(report, path, item, "from");
            }
            for (const { item, path } of items("spec.egress", s.egress)) {
                checkPolicyRule(report, path, item, "to");
            }
            const types = list(s.policyTypes);
            if (types.length > 2) {
                report("spec.policyTypes", "may not specify more than two policyTypes");
                return;
            }
            types.forEach((t, i) => {
                if (t !== "Ingress" && t !== "Egress") {
                    report(`spec.policyTypes[${i}]`, `${show(t)}: supported values: "Ingress", "Egress"`);
                }
            });
        },
    },
];
