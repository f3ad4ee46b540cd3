import { apiVersionPolicy } from "../api-versions";

/**
 * Lesson L15: fail early with the reason instead of late. An apiVersion deprecated in the target release
 * (policy config kubernetesVersion) still applies, but the API server warns on every write and a later
 * upgrade removes it; moving now is a one-line change. Remediation: the replacement named in the message.
 */
export const apiVersionDeprecated = apiVersionPolicy("api-version-deprecated", false);
