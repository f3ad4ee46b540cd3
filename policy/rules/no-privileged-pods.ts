import { ResourceValidationPolicy } from "@pulumi/policy";
import { fieldOf, validateWorkloads } from "../validate";

export const noPrivilegedPods: ResourceValidationPolicy = {
    name: "no-privileged-pods",
    description: "[L30] No privileged containers, allowPrivilegeEscalation: true, added capabilities, hostPath volumes or host namespaces (hostNetwork/hostPID/hostIPC). Fix: drop the setting; the pod runs under Pod Security \"restricted\" (non-root, no escalation, drop ALL).",
    enforcementLevel: "mandatory",
    validateResource: validateWorkloads((workload, _args, report, who) => {
        const spec = workload.podSpec;
        for (const host of ["hostNetwork", "hostPID", "hostIPC"] as const) {
            if (spec[host] === true) {
                report(`${who} (${workload.podSpecPath}.${host}): true shares the node's ${host.slice(4).toLowerCase()} namespace with the pod. Fix: remove ${host}.`);
            }
        }
        (spec.volumes ?? []).forEach((volume, i) => {
            if (volume.hostPath !== undefined) {
                report(`${who} (${workload.podSpecPath}.volumes[${i}].hostPath): volume "${volume.name}" mounts a node directory. Fix: use a PersistentVolumeClaim or emptyDir.`);
            }
        });
        for (const ref of workload.containers) {
            const sc = ref.container.securityContext ?? {};
            if (sc.privileged === true) {
                report(`${fieldOf(who, ref, "securityContext.privileged")}: true gives the container full access to the node. Fix: remove privileged.`);
            }
            if (sc.allowPrivilegeEscalation === true) {
                report(`${fieldOf(who, ref, "securityContext.allowPrivilegeEscalation")}: true lets processes gain more privileges than their parent. Fix: set allowPrivilegeEscalation: false.`);
            }
            if ((sc.capabilities?.add ?? []).length > 0) {
                report(`${fieldOf(who, ref, "securityContext.capabilities.add")}: adds ${sc.capabilities!.add!.join(", ")}. Fix: add no capabilities (drop ALL) and listen on a port >= 1024.`);
            }
        }
    }),
};
