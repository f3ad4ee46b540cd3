import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { serviceSelectsPods as policy } from "../../policy/rules/service-selects-pods";
import { WORKLOAD_TYPES, compliantStack, expectMessages, stackWith, violationsOf } from "./fixtures";

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

    it("[L05] passes an ExternalName Service that keeps a stale selector, and a selector-less one with no workloads around", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                o.spec = { type: "ExternalName", externalName: "db.example.com", selector: { app: "gone" } };
            }),
            [],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.service, "web", (o) => {
                delete o.spec.selector;
                o.metadata.namespace = "other";
            }),
            [],
        );
    });

    it("[L05] names at most three of the pods there, and counts the rest", async () => {
        const typo = stackWith(TYPES.service, "web", (o) => {
            o.spec.selector["app.kubernetes.io/component"] = "wbe";
        });
        const listed = async (stack: typeof typo) => {
            const [v] = await violationsOf(policy, stack);
            const pods = /\(pods there: (.*)\), so it has no endpoints/.exec(v.message)![1];
            return pods.split("; ");
        };
        const workloads = typo.filter((r) => WORKLOAD_TYPES.includes(r.type));
        assert.ok(workloads.length > 4, "the baseline has more than three workloads");
        const many = await listed(typo);
        assert.equal(many.length, 3, many.join("; "));
        assert.match(many[2], new RegExp(` and ${workloads.length - 3} more$`));
        const three = await listed(
            typo.filter((r) => !WORKLOAD_TYPES.includes(r.type) || workloads.slice(0, 3).includes(r)),
        );
        assert.equal(three.length, 3, three.join("; "));
        // Nothing after the third pod's labels.
        assert.match(three[2], /\}$/);
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
