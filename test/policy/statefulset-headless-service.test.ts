import { TYPES } from "../../policy/k8s";
import { statefulSetHeadlessService as policy } from "../../policy/rules/statefulset-headless-service";
import { compliantStack, expectMessages, stackWith } from "./fixtures";

const FIX =
    'the pods\' stable names (redis-0.redis) do not resolve. Fix: declare a headless Service (clusterIP: None) selecting the pods and use its metadata.name, or add "redis" to externalNames.';

describe("policy statefulset-headless-service [L10]", () => {
    it('[L10] passes the baseline: Service "redis" is headless and selects the StatefulSet\'s pods', async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L10] reports a serviceName with no Service", async () => {
        await expectMessages(
            policy,
            compliantStack().filter((r) => !(r.type === TYPES.service && r.name === "redis")),
            [
                `StatefulSet "redis" (spec.serviceName): Service "redis" does not exist in namespace "shop" of this stack; ${FIX}`,
            ],
        );
    });

    it("[L10] reports a Service with a cluster IP", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.service, "redis", (o) => {
                delete o.spec.clusterIP;
            }),
            [
                `StatefulSet "redis" (spec.serviceName): Service "redis" is not headless (clusterIP: None), so it has no per-pod DNS records; ${FIX}`,
            ],
        );
    });

    it("[L10] reports a headless Service that selects other pods", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.service, "redis", (o) => {
                o.spec.selector["app.kubernetes.io/component"] = "cache";
            }),
            [
                `StatefulSet "redis" (spec.serviceName): Service "redis" does not select the pods {"app.kubernetes.io/name":"webstack","app.kubernetes.io/instance":"shop","app.kubernetes.io/component":"redis","app.kubernetes.io/part-of":"webstack","app.kubernetes.io/managed-by":"pulumi"}; ${FIX}`,
            ],
        );
    });

    it("[L10] reports a headless Service without selector (it selects no pods); an empty serviceName names no Service", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.service, "redis", (o) => {
                delete o.spec.selector;
            }),
            [
                `StatefulSet "redis" (spec.serviceName): Service "redis" does not select the pods {"app.kubernetes.io/name":"webstack","app.kubernetes.io/instance":"shop","app.kubernetes.io/component":"redis","app.kubernetes.io/part-of":"webstack","app.kubernetes.io/managed-by":"pulumi"}; ${FIX}`,
            ],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                o.spec.serviceName = "";
            }),
            [],
        );
    });

    it("[L10] takes Services created elsewhere from externalNames", async () => {
        await expectMessages(
            policy,
            compliantStack().filter((r) => !(r.type === TYPES.service && r.name === "redis")),
            [],
            { packConfig: { "statefulset-headless-service": { externalNames: ["redis"] } } },
        );
    });
});
