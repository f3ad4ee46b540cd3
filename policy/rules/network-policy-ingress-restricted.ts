import { ResourceValidationPolicy } from "@pulumi/policy";
import { fixOf, policyMetadata } from "../catalog";
import { LabelSelector, NetworkPolicyPeer, TYPES, propsAs } from "../k8s";
import { subject } from "../validate";

const FIX = fixOf("network-policy-ingress-restricted");

/** A selector that selects everything: `{}` (no labels, no expressions). */
function selectsAll(selector: LabelSelector | undefined): boolean {
    return (
        selector !== undefined &&
        Object.keys(selector.matchLabels ?? {}).length === 0 &&
        (selector.matchExpressions ?? []).length === 0
    );
}

/** Why a peer admits every pod of the cluster (or every address), or undefined when it names its clients. */
function openPeer(peer: NetworkPolicyPeer): string | undefined {
    if (peer.podSelector === undefined && peer.namespaceSelector === undefined && peer.ipBlock === undefined) {
        return "is empty";
    }
    if (selectsAll(peer.namespaceSelector) && (peer.podSelector === undefined || selectsAll(peer.podSelector))) {
        return "selects every pod of every namespace (namespaceSelector {})";
    }
    const cidr = peer.ipBlock?.cidr;
    if ((cidr === "0.0.0.0/0" || cidr === "::/0") && (peer.ipBlock?.except ?? []).length === 0) {
        return `admits every address (ipBlock ${cidr})`;
    }
    return undefined;
}

/**
 * Lesson L31: Redis was reachable by anything in the cluster. A NetworkPolicy that selects the pods but admits every
 * source is as open as none: an ingress rule without `from` (or with `from: []`), an empty peer, a peer selecting
 * every namespace, or 0.0.0.0/0. namespace-has-network-policy sees that a policy selects the pods; this sees
 * whether it restricts anything.
 */
export const networkPolicyIngressRestricted: ResourceValidationPolicy = {
    ...policyMetadata("network-policy-ingress-restricted"),
    validateResource: (args, report) => {
        if (args.type !== TYPES.networkPolicy) {
            args.notApplicable(`Policy only applies to resources of type ${TYPES.networkPolicy}`);
        }
        const props = propsAs(TYPES.networkPolicy, args.props);
        const who = subject(args.type, args.props, args.name);
        (props.spec?.ingress ?? []).forEach((rule, i) => {
            if (rule.from === undefined || rule.from.length === 0) {
                report(
                    `${who} (spec.ingress[${i}].from): the rule has no sources, so it admits every pod and address. ${FIX}`,
                );
                return;
            }
            rule.from.forEach((peer, j) => {
                const open = openPeer(peer);
                if (open !== undefined) {
                    report(
                        `${who} (spec.ingress[${i}].from[${j}]): the peer ${open}, so it admits every client. ${FIX}`,
                    );
                }
            });
        });
    },
};
