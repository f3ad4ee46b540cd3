// components/labels.ts: who owns an object (L16) and which pods a selector reaches. The instance label is unique per
// application and stack, so two stacks in one namespace never select each other's pods.
import * as assert from "assert";
import { recommendedLabels, selectorLabels, stackSelector } from "../../components/labels";
import { recordResources } from "../../offline/run-program";
import { selects } from "./support";

/** Evaluates `f` inside a mocked stack (the labels read the stack's name). */
async function inStack<T>(stack: string, f: () => T): Promise<T> {
    let result: T | undefined;
    await recordResources(
        () => {
            result = f();
        },
        { stack },
    );
    return result as T;
}

describe("labels (components/labels.ts)", () => {
    it("L16 the recommended set: name, instance per stack, component, part-of and managed-by", async () => {
        const id = { name: "north-api", component: "api", partOf: "north" };
        assert.deepStrictEqual(await inStack("qa", () => recommendedLabels(id)), {
            "app.kubernetes.io/name": "north-api",
            "app.kubernetes.io/instance": "north-qa",
            "app.kubernetes.io/component": "api",
            "app.kubernetes.io/part-of": "north",
            "app.kubernetes.io/managed-by": "pulumi",
        });
        assert.deepStrictEqual(await inStack("dev", () => selectorLabels({ name: "shop", component: "site" })), {
            "app.kubernetes.io/name": "shop",
            "app.kubernetes.io/instance": "shop-dev",
            "app.kubernetes.io/component": "site",
        });
    });

    it("L16 the stack selector: every pod of one application in this stack, and none of another stack's", async () => {
        assert.deepStrictEqual(await inStack("dev", () => stackSelector("north")), {
            "app.kubernetes.io/part-of": "north",
            "app.kubernetes.io/instance": "north-dev",
        });
        const dev = await inStack("dev", () => stackSelector("north"));
        const podOfQa = await inStack("qa", () =>
            recommendedLabels({ name: "north-api", component: "api", partOf: "north" }),
        );
        const podOfDev = await inStack("dev", () =>
            recommendedLabels({ name: "north-api", component: "api", partOf: "north" }),
        );
        assert.ok(selects(dev, podOfDev), "dev's selector reaches dev's API pods");
        assert.ok(!selects(dev, podOfQa), "dev's selector does not reach qa's");
    });
});
