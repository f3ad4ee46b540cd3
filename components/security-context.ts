import * as k8s from "@pulumi/kubernetes";

/**
 * Pod Security Standards "restricted" (L30) without a fixed `runAsUser`: OpenShift's restricted-v2 SCC
 * assigns a UID from the namespace range and rejects any other, so the images must run under any UID.
 */
export function restrictedPodSecurityContext(): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * Container half of "restricted" (L30) plus a read-only root filesystem (L26): data written anywhere but a
 * mounted volume fails loudly instead of vanishing on the next restart.
 */
export function restrictedContainerSecurityContext(): k8s.types.input.core.v1.SecurityContext {
    return {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}
