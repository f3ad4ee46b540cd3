import { TYPES } from "../../policy/k8s";
import { internalRegistrySameNamespace as policy } from "../../policy/rules/internal-registry-same-namespace";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

const REGISTRY = "image-registry.openshift-image-registry.svc:5000";

describe("policy internal-registry-same-namespace [L06]", () => {
    it("[L06] passes the baseline and an internal image of the workload's own namespace", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.template.spec.containers[0].image = `${REGISTRY}/shop/north-api@sha256:${"d".repeat(64)}`;
            }),
            [],
        );
    });

    it("[L06] rejects a shop Deployment pulling qr-demo-dev's internal image", async () => {
        const image = `${REGISTRY}/qr-demo-dev/north-api:latest`;
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.template.spec.containers[0].image = image;
            }),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].image): "${image}" is in namespace "qr-demo-dev" of the internal registry but the workload runs in "shop". Fix: use ${REGISTRY}/shop/<image> (build it here) or an external registry reference from stack config.`,
            ],
        );
    });

    it("[L06] the internal registry host is configurable", async () => {
        const image = "registry.internal:5000/other/api:1";
        const stack = stackWith(TYPES.cronJob, "cleanup", (o) => {
            o.spec.jobTemplate.spec.template.spec.containers[0].image = image;
        });
        await expectMessages(policy, stack, []);
        await expectMessages(
            policy,
            stack,
            [
                `CronJob "cleanup" container "app" (spec.jobTemplate.spec.template.spec.containers[0].image): "${image}" is in namespace "other" of the internal registry but the workload runs in "shop". Fix: use registry.internal:5000/shop/<image> (build it here) or an external registry reference from stack config.`,
            ],
            { packConfig: { "internal-registry-same-namespace": { internalRegistries: ["registry.internal:5000"] } } },
        );
    });

    it("[L06] without metadata.namespace (provider default) there is nothing to compare", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                delete o.metadata.namespace;
                o.spec.template.spec.containers[0].image = `${REGISTRY}/qr-demo-dev/north-api:latest`;
            }),
            [],
        );
    });

    it("[L06] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
