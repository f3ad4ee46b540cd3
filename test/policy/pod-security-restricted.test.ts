import { TYPES } from "../../policy/k8s";
import { podSecurityRestricted as policy } from "../../policy/rules/pod-security-restricted";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

const job = (change: (spec: Record<string, any>) => void) => stackWith(TYPES.job, "migrate", o => change(o.spec.template.spec));
const field = (name: string) => `Job "migrate" container "app" (spec.template.spec.containers[0].securityContext.${name})`;

describe("policy pod-security-restricted [L30]", () => {
    it("[L30] passes the baseline, which sets no runAsUser (OpenShift assigns one)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L30] warns when allowPrivilegeEscalation is unset", async () => {
        await expectMessages(policy, job(s => { delete s.containers[0].securityContext.allowPrivilegeEscalation; }), [
            `${field("allowPrivilegeEscalation")}: not set (defaults to true). Fix: set allowPrivilegeEscalation: false.`,
        ]);
    });

    it("[L30] warns when runAsNonRoot is missing from pod and container", async () => {
        await expectMessages(policy, job(s => { delete s.securityContext.runAsNonRoot; }), [
            `${field("runAsNonRoot")}: not true in the container or pod securityContext. Fix: set runAsNonRoot: true (leave runAsUser unset on OpenShift).`,
        ]);
    });

    it("[L30] warns about runAsUser 0", async () => {
        await expectMessages(policy, job(s => { s.containers[0].securityContext.runAsUser = 0; }), [
            `${field("runAsUser")}: 0 runs the container as root. Fix: remove runAsUser (OpenShift assigns a UID) or use a non-zero UID.`,
        ]);
    });

    it("[L30] warns about seccompProfile Unconfined", async () => {
        await expectMessages(policy, job(s => { s.securityContext.seccompProfile.type = "Unconfined"; }), [
            `${field("seccompProfile.type")}: "Unconfined" in the container or pod securityContext. Fix: set seccompProfile.type: RuntimeDefault.`,
        ]);
    });

    it("[L30] warns when capabilities do not drop ALL", async () => {
        await expectMessages(policy, job(s => { s.containers[0].securityContext.capabilities.drop = ["NET_RAW"]; }), [
            `${field("capabilities.drop")}: does not include ALL. Fix: set capabilities.drop: ["ALL"].`,
        ]);
    });

    it("[L30] warns about volume types outside restricted", async () => {
        await expectMessages(policy, job(s => { s.volumes.push({ name: "nfs", nfs: { server: "nas", path: "/" } }); }), [
            `Job "migrate" (spec.template.spec.volumes[1].nfs): volume "nfs" uses nfs, which Pod Security "restricted" forbids. Fix: use configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral or persistentVolumeClaim.`,
        ]);
    });

    it("[L30] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
