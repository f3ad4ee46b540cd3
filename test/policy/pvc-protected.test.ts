import { TYPES } from "../../policy/k8s";
import { pvcProtected as policy } from "../../policy/rules/pvc-protected";
import { assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy pvc-protected [L32]", () => {
    it("[L32] passes the baseline PVC created with protect: true", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L32] rejects a PVC without protect", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.pvc, "content", (o) => o, { protect: false }),
            [
                `PersistentVolumeClaim "content" (resource option protect): not protected, so a replacement (e.g. RWO -> RWX) deletes the volume and its data. Fix: create it with { protect: true }.`,
            ],
        );
    });

    it("[L32] is not applicable to types other than PersistentVolumeClaim", async () => {
        await assertAppliesOnlyTo(policy, [TYPES.pvc]);
    });
});
