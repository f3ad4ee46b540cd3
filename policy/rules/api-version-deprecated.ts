import { apiVersionPolicy } from "../apiVersions";

/**
 * Lesson L15: fail early with the reason instead of late. An apiVersion deprecated in the target release
 * (policy config kubernetesVersion) still applies, but the API server warns on every write and a later
 * upgrade removes it; moving now is a one-line change. Remediation: the replacement named in the message.
 */
export const apiVersionDeprecated = apiVersionPolicy("api-version-deprecated", false,
    "[L15] No object uses an API version deprecated in the target Kubernetes release (policy config kubernetesVersion): it works today and breaks at the upgrade that removes it. Fix: move the object to the replacement API version named in the message.");
