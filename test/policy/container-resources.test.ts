import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { containerResources as policy } from "../../policy/rules/container-resources";
import {
    WORKLOAD_TYPES,
    assertAppliesOnlyTo,
    compliantStack,
    expectMessages,
    stackWith,
    violationsOf,
} from "./fixtures";

const web = (change: (c: Record<string, any>, spec: Record<string, any>) => void) =>
    stackWith(TYPES.deployment, "web", (o) => change(o.spec.template.spec.containers[0], o.spec.template.spec));
const field = (f: string) => `Deployment "web" container "app" (spec.template.spec.containers[0].resources.${f})`;

describe("policy container-resources [L21]", () => {
    it("[L21] passes containers with memory request + limit and a CPU request, and no CPU limit", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L21] reports each missing field of a container without resources", async () => {
        await expectMessages(
            policy,
            web((c) => {
                delete c.resources;
            }),
            [
                `${field("requests.memory")}: not set, so the scheduler packs the pod onto a node without room for it and, under memory pressure, evicts it first. Fix: set resources.requests.memory (e.g. 128Mi).`,
                `${field("limits.memory")}: not set, so one leaking container can take the node's memory and get its neighbours OOM-killed. Fix: set resources.limits.memory (e.g. 512Mi).`,
                `${field("requests.cpu")}: not set, so the pod gets no guaranteed CPU share, and an HPA on CPU utilization has nothing to compute against. Fix: set resources.requests.cpu (e.g. 100m).`,
            ],
        );
    });

    it("[L21] a memory limit alone counts as the request too (the API server defaults it)", async () => {
        const v = await violationsOf(
            policy,
            web((c) => {
                c.resources = { requests: { cpu: "10m" }, limits: { memory: "64Mi" } };
            }),
        );
        assert.deepEqual(v, []);
    });

    it("[L21] checks initContainers and reports only the missing memory limit", async () => {
        await expectMessages(
            policy,
            web((_c, spec) => {
                spec.initContainers = [
                    { name: "wait", image: "x", resources: { requests: { cpu: "10m", memory: "16Mi" } } },
                ];
            }),
            [
                `Deployment "web" initContainer "wait" (spec.template.spec.initContainers[0].resources.limits.memory): not set, so one leaking container can take the node's memory and get its neighbours OOM-killed. Fix: set resources.limits.memory (e.g. 512Mi).`,
            ],
        );
    });

    it("[L21] is advisory and applies to every workload kind only", async () => {
        assert.equal(policy.enforcementLevel, "advisory");
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
