import { TYPES } from "../../policy/k8s";
import { noPrivilegedPods as policy } from "../../policy/rules/no-privileged-pods";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

const web = (change: (spec: Record<string, any>) => void) => stackWith(TYPES.deployment, "web", o => change(o.spec.template.spec));

describe("policy no-privileged-pods [L30]", () => {
    it("[L30] passes the restricted baseline", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L30] rejects privileged: true", async () => {
        await expectMessages(policy, web(s => { s.containers[0].securityContext.privileged = true; }), [
            `Deployment "web" container "app" (spec.template.spec.containers[0].securityContext.privileged): true gives the container full access to the node. Fix: remove privileged.`,
        ]);
    });

    it("[L30] rejects allowPrivilegeEscalation: true", async () => {
        await expectMessages(policy, web(s => { s.containers[0].securityContext.allowPrivilegeEscalation = true; }), [
            `Deployment "web" container "app" (spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation): true lets processes gain more privileges than their parent. Fix: set allowPrivilegeEscalation: false.`,
        ]);
    });

    it("[L30] rejects added capabilities on an initContainer", async () => {
        await expectMessages(policy, web(s => { s.initContainers = [{ name: "net", image: "x", securityContext: { capabilities: { add: ["NET_ADMIN"] } } }]; }), [
            `Deployment "web" initContainer "net" (spec.template.spec.initContainers[0].securityContext.capabilities.add): adds NET_ADMIN. Fix: add no capabilities (drop ALL) and listen on a port >= 1024.`,
        ]);
    });

    it("[L30] rejects hostNetwork", async () => {
        await expectMessages(policy, web(s => { s.hostNetwork = true; }), [
            `Deployment "web" (spec.template.spec.hostNetwork): true shares the node's network namespace with the pod. Fix: remove hostNetwork.`,
        ]);
    });

    it("[L30] rejects a hostPath volume (the relay DaemonSet's /srv/relay/data)", async () => {
        await expectMessages(policy, stackWith(TYPES.daemonSet, "agent", o => {
            o.spec.template.spec.volumes.push({ name: "relay-data", hostPath: { path: "/srv/relay/data", type: "DirectoryOrCreate" } });
        }), [`DaemonSet "agent" (spec.template.spec.volumes[1].hostPath): volume "relay-data" mounts a node directory. Fix: use a PersistentVolumeClaim or emptyDir.`]);
    });

    it("[L30] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
