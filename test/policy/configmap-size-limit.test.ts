import { TYPES } from "../../policy/k8s";
import { configMapSizeLimit as policy } from "../../policy/rules/configmap-size-limit";
import { assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy configmap-size-limit [L08]", () => {
    it("[L08] passes the baseline and a 512 KiB ConfigMap (advisory territory only)", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            stackWith(TYPES.configMap, "config", (o) => {
                o.data = { k: "x".repeat(512 * 1024) };
            }),
            [],
        );
    });

    it("[L08] rejects (mandatory) a 3 MB video in binaryData, above the 1 MiB API limit", async () => {
        const base64 = "A".repeat(4 * 1024 * 1024); // decodes to 3 MiB
        await expectMessages(
            policy,
            stackWith(TYPES.configMap, "config", (o) => {
                o.binaryData = { "winning.mp4": base64 };
            }),
            [
                `ConfigMap "config" (data/binaryData): ${3 * 1024 * 1024 + "winning.mp4".length + "app.conf".length + "listen 8080\n".length} bytes exceeds 1048576 bytes. Fix: move the content to a PersistentVolumeClaim or a content image and keep only configuration in the ConfigMap.`,
            ],
        );
    });

    it("[L08] is not applicable to types other than ConfigMap", async () => {
        await assertAppliesOnlyTo(policy, [TYPES.configMap]);
    });
});
