import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { configMapBytes } from "../../policy/config-map-size";
import { configMapSizeAdvisory as policy } from "../../policy/rules/configmap-size-advisory";
import { assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

const fix =
    "Fix: move the content to a PersistentVolumeClaim or a content image and keep only configuration in the ConfigMap.";

describe("policy configmap-size-advisory [L08]", () => {
    it("[L08] counts UTF-8 bytes of keys and values and decoded binaryData", () => {
        assert.equal(configMapBytes({ data: { a: "é€" } }), 1 + 2 + 3);
        assert.equal(configMapBytes({ binaryData: { b: "AAAA", c: "AA==" } }), 1 + 3 + 1 + 1);
    });

    it("[L08] passes the small baseline and exactly 256 KiB", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            stackWith(TYPES.configMap, "config", (o) => {
                o.data = { k: "x".repeat(256 * 1024 - 1) };
            }),
            [],
        );
    });

    it("[L08] warns (advisory) above 256 KiB: a site stuffed into a ConfigMap", async () => {
        const bytes = 256 * 1024 + 1;
        await expectMessages(
            policy,
            stackWith(TYPES.configMap, "config", (o) => {
                o.data = { k: "x".repeat(bytes - 1) };
            }),
            [`ConfigMap "config" (data/binaryData): ${bytes} bytes exceeds 262144 bytes. ${fix}`],
        );
    });

    it("[L08] the threshold is configurable and validated like the engine does", async () => {
        const stack = stackWith(TYPES.configMap, "config", (o) => {
            o.data = { k: "x".repeat(99) };
        });
        await expectMessages(
            policy,
            stack,
            [`ConfigMap "config" (data/binaryData): 100 bytes exceeds 64 bytes. ${fix}`],
            { packConfig: { "configmap-size-advisory": { maxBytes: 64 } } },
        );
        await assert.rejects(
            expectMessages(policy, stack, [], { packConfig: { "configmap-size-advisory": { maxBytes: "64k" } } }),
            /configmap-size-advisory: maxBytes: expected integer, got "64k"/,
        );
    });

    it("[L08] is not applicable to types other than ConfigMap", async () => {
        await assertAppliesOnlyTo(policy, [TYPES.configMap]);
    });
});
