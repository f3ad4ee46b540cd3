import { TYPES } from "../../policy/k8s";
import { readOnlyRootFilesystem as policy } from "../../policy/rules/read-only-root-filesystem";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy read-only-root-filesystem [L26]", () => {
    it("[L26] passes the baseline", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L26] warns when readOnlyRootFilesystem is unset (data cloned into the container filesystem)", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.daemonSet, "agent", (o) => {
                delete o.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem;
            }),
            [
                `DaemonSet "agent" container "app" (spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem): not true, so writes to the container filesystem silently vanish on restart. Fix: set readOnlyRootFilesystem: true; mount emptyDir (/tmp) or a PVC for writable paths.`,
            ],
        );
    });

    it("[L26] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
