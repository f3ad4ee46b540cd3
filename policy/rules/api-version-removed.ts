import { apiVersionPolicy } from "../api-versions";

/**
 * Lesson L15: a deploy failed late, after part of the stack had changed. An object whose apiVersion the target
 * cluster no longer serves (extensions/v1beta1 Ingress, policy/v1beta1 PodDisruptionBudget, batch/v1beta1
 * CronJob...) is rejected at apply, in the middle of `pulumi up`. Checked against policy config
 * kubernetesVersion (default: the current release). Remediation: the replacement named in the message.
 */
export const apiVersionRemoved = apiVersionPolicy("api-version-removed", true);
