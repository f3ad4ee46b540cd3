import { TYPES } from "../../policy/k8s";
import { redisDataPersistent as policy } from "../../policy/rules/redis-data-persistent";
import {
    REDIS_IMAGE,
    WORKLOAD_TYPES,
    assertAppliesOnlyTo,
    compliantStack,
    expectMessages,
    stackWith,
} from "./fixtures";

const lost = (dir: string) =>
    `keeps its data in ${dir} but no PersistentVolumeClaim is mounted there, so state is lost on every restart. Fix: mount a PVC (or volumeClaimTemplate) at ${dir}.`;

describe("policy redis-data-persistent [L10]", () => {
    it("[L10] passes the baseline (StatefulSet volumeClaimTemplate at /data) and a Deployment with a PVC volume", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "files", (o) => {
                const c = o.spec.template.spec.containers[0];
                c.image = REDIS_IMAGE;
                c.volumeMounts[1].mountPath = "/data";
            }),
            [],
        );
    });

    it("[L10] warns when the data dir is an emptyDir", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                delete o.spec.volumeClaimTemplates;
                o.spec.template.spec.volumes.push({ name: "data", emptyDir: {} });
            }),
            [
                `StatefulSet "redis" container "redis" (spec.template.spec.containers[0].volumeMounts): "${REDIS_IMAGE}" ${lost("/data")}`,
            ],
        );
    });

    it("[L10] follows --dir in the arguments (Valkey too)", async () => {
        const image = "valkey/valkey:8";
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                const c = o.spec.template.spec.containers[0];
                c.image = image;
                c.args = ["--dir", "/var/lib/valkey"];
            }),
            [
                `StatefulSet "redis" container "redis" (spec.template.spec.containers[0].volumeMounts): "${image}" ${lost("/var/lib/valkey")}`,
            ],
        );
    });

    it("[L10] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
