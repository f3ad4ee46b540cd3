import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { serviceSelectsPods as policy } from "../../policy/rules/service-selects-pods";
import { compliantStack, expectMessages, stackWith, violationsOf } from "./fixtures";

describe("policy service-selects-pods [L05]", () => {
    it("[L05] passes a Service selecting the web Deployment's pods", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L05] passes ExternalName and selector-less Services (endpoints managed elsewhere)", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.spec = { type: "ExternalName", externalName: "db.example.com" };
            }),
            [],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                delete o.spec.selector;
            }),
            [],
        );
    });

    it("[L05] reports a selector with a typo, naming the pods that exist", async () => {
        const messages = (
            await violationsOf(
                policy,
                stackWith(TYPES.service, "web", (o) => {
                    o.spec.selector["app.kubernetes.io/component"] = "wbe";
                }),
            )
        ).map((v) => v.message);
        assert.equal(messages.length, 1, messages.join("\n"));
        assert.ok(
            messages[0].startsWith(
                `Service "web" (spec.selector): {"app.kubernetes.io/instance":"shop","app.kubernetes.io/component":"wbe"} matches no pod template in namespace "shop" (pods there: Deployment "web" {`,
            ),
            messages[0],
        );
        assert.ok(
            messages[0].endsWith(
                `so it has no endpoints. Fix: set spec.selector to the labels of the pods it should reach.`,
            ),
            messages[0],
        );
    });

    it("[L05] reports a Service in a namespace without workloads", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.metadata.namespace = "other";
            }),
            [
                `Service "web" (spec.selector): {"app.kubernetes.io/instance":"shop","app.kubernetes.io/component":"web"} matches no pod template in namespace "other" (it has no workloads), so it has no endpoints. Fix: set spec.selector to the labels of the pods it should reach.`,
            ],
        );
    });
});
