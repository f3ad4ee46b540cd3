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

    it("[L10] reads --dir wherever it is: first argument, after the command's own arguments, or dangling", async () => {
        const withArgv = (command: string[] | undefined, args: string[] | undefined) =>
            stackWith(TYPES.statefulSet, "redis", (o) => {
                const c = o.spec.template.spec.containers[0];
                c.command = command;
                c.args = args;
            });
        const message = (dir: string) =>
            `StatefulSet "redis" container "redis" (spec.template.spec.containers[0].volumeMounts): "${REDIS_IMAGE}" ${lost(dir)}`;
        // The image's entrypoint with --dir as the very first argument.
        await expectMessages(policy, withArgv(undefined, ["--dir", "/srv/redis"]), [message("/srv/redis")]);
        // The command's own arguments first, --dir in args.
        await expectMessages(policy, withArgv(["redis-server", "/etc/redis.conf"], ["--dir", "/srv/redis"]), [
            message("/srv/redis"),
        ]);
        // A --dir with no value is ignored: the data stays in the image's default, which the claim covers.
        await expectMessages(policy, withArgv(["redis-server", "--dir"], undefined), []);
    });

    it("[L10] a claim mounted at a parent of the data dir persists it (trailing slash or not)", async () => {
        for (const mountPath of ["/srv", "/srv/"]) {
            await expectMessages(
                policy,
                stackWith(TYPES.statefulSet, "redis", (o) => {
                    const c = o.spec.template.spec.containers[0];
                    c.args = ["--dir", "/srv/redis"];
                    c.volumeMounts.find((m: { name: string }) => m.name === "data").mountPath = mountPath;
                }),
                [],
            );
        }
    });

    it("[L10] knows the Bitnami image's data dir, and does not ask init containers for a volume", async () => {
        const bitnami = "docker.io/bitnami/redis:7.4";
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                o.spec.template.spec.containers[0].image = bitnami;
            }),
            [
                `StatefulSet "redis" container "redis" (spec.template.spec.containers[0].volumeMounts): "${bitnami}" ${lost("/bitnami/redis/data")}`,
            ],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "files", (o) => {
                o.spec.template.spec.initContainers = [
                    { name: "seed", image: REDIS_IMAGE, command: ["redis-cli", "ping"] },
                ];
            }),
            [],
        );
    });

    it("[L10] knows a Redis server by the image's last path segment: not a tool whose name merely contains redis", async () => {
        // No volume at /data in any of these: only the real servers are warned about.
        const runs = (image: string) =>
            stackWith(TYPES.deployment, "files", (o) => {
                o.spec.template.spec.containers[0].image = image;
            });
        for (const image of ["rediscommander/redis-commander:latest", "example/session-redis:1", "redis-insight:2"]) {
            await expectMessages(policy, runs(image), []);
        }
        const server = "registry.example/mirror/redis-stack-server:7";
        await expectMessages(policy, runs(server), [
            `Deployment "files" container "app" (spec.template.spec.containers[0].volumeMounts): "${server}" ${lost("/data")}`,
        ]);
    });

    it("[L10] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
