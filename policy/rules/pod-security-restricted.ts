import { ResourceValidationPolicy } from "@pulumi/policy";
import { fieldOf, validateWorkloads } from "../validate";

/** Volume sources Pod Security "restricted" allows (hostPath is reported by no-privileged-pods). */
const RESTRICTED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret", "hostPath"];
const SECCOMP_TYPES = ["RuntimeDefault", "Localhost"];

export const podSecurityRestricted: ResourceValidationPolicy = {
    name: "pod-security-restricted",
    description: "[L30] Pods meet the rest of Pod Security \"restricted\": allowPrivilegeEscalation: false, runAsNonRoot: true (never runAsUser 0; no fixed UID required), seccompProfile RuntimeDefault, capabilities drop ALL, only restricted volume types. Fix: set these in the pod and container securityContext.",
    enforcementLevel: "advisory",
    validateResource: validateWorkloads((workload, _args, report, who) => {
        const pod = workload.podSpec.securityContext ?? {};
        for (const ref of workload.containers) {
            const sc = ref.container.securityContext ?? {};
            const field = (name: string) => fieldOf(who, ref, `securityContext.${name}`);
            if (sc.allowPrivilegeEscalation === undefined) {
                report(`${field("allowPrivilegeEscalation")}: not set (defaults to true). Fix: set allowPrivilegeEscalation: false.`);
            }
            if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) {
                report(`${field("runAsNonRoot")}: not true in the container or pod securityContext. Fix: set runAsNonRoot: true (leave runAsUser unset on OpenShift).`);
            }
            if ((sc.runAsUser ?? pod.runAsUser) === 0) {
                report(`${field("runAsUser")}: 0 runs the container as root. Fix: remove runAsUser (OpenShift assigns a UID) or use a non-zero UID.`);
            }
            const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
            if (seccomp === undefined || !SECCOMP_TYPES.includes(seccomp)) {
                report(`${field("seccompProfile.type")}: ${seccomp === undefined ? "not set" : `"${seccomp}"`} in the container or pod securityContext. Fix: set seccompProfile.type: RuntimeDefault.`);
            }
            if (!(sc.capabilities?.drop ?? []).includes("ALL")) {
                report(`${field("capabilities.drop")}: does not include ALL. Fix: set capabilities.drop: ["ALL"].`);
            }
        }
        (workload.podSpec.volumes ?? []).forEach((volume, i) => {
            const source = Object.keys(volume).find(key => key !== "name");
            if (source !== undefined && !RESTRICTED_VOLUMES.includes(source)) {
                report(`${who} (${workload.podSpecPath}.volumes[${i}].${source}): volume "${volume.name}" uses ${source}, which Pod Security "restricted" forbids. Fix: use configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral or persistentVolumeClaim.`);
            }
        });
    }),
};
