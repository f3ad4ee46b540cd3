import { BASELINE } from "../pod-security";
import { podSecurityPolicy } from "../pod-security-policy";

/**
 * Lesson L30: containers ran as root and privileged by default, and the relay DaemonSet's proposed fix mounted
 * a hostPath. Pod Security "baseline" is what every namespace of a cluster enforces at the least (OpenShift's
 * restricted-v2 SCC is stricter): a pod breaking one of its controls is rejected at admission, so the rollout
 * hangs with no new pods. Every control of the profile, on pods and every pod template, for containers,
 * initContainers and ephemeralContainers. Remediation: remove the host access or privilege the message names.
 */
export const podSecurityBaseline = podSecurityPolicy("pod-security-baseline", BASELINE);
