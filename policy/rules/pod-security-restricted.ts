import { RESTRICTED } from "../pod-security";
import { podSecurityPolicy } from "../pod-security-policy";

/**
 * Lesson L30: containers ran as root by default. Pod Security "restricted" (PSA enforce=restricted, OpenShift's
 * restricted-v2 SCC) rejects a pod that may run as root, escalate privileges, keep capabilities, run without a
 * seccomp profile or mount a volume type outside the list, so these are mandatory: preview fails instead of the
 * rollout. The controls restricted adds to baseline (run pod-security-baseline too); no fixed runAsUser is
 * required, which is what OpenShift needs. Remediation: the components' restrictedPodSecurityContext() and
 * restrictedContainerSecurityContext().
 */
export const podSecurityRestricted = podSecurityPolicy("pod-security-restricted", RESTRICTED);
