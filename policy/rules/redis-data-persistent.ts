import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { Container } from "../k8s";
import { REDIS_DATA_DIR, splitImageRef } from "../../components/facts";
import { fieldOf, validateWorkloads } from "../validate";

const REDIS_IMAGE = /^(redis|valkey)(-stack|-stack-server)?$/;

/** Where the server writes its RDB/AOF files: `--dir` in command/args, else the image's default. */
function dataDir(container: Container, repository: string): string {
    const argv = [...(container.command ?? []), ...(container.args ?? [])];
    const flag = argv.indexOf("--dir");
    if (flag >= 0 && argv[flag + 1]) {
        return argv[flag + 1];
    }
    return repository.startsWith("bitnami/") ? "/bitnami/redis/data" : REDIS_DATA_DIR;
}

export const redisDataPersistent: ResourceValidationPolicy = {
    ...policyMetadata("redis-data-persistent"),
    validateResource: validateWorkloads((workload, args, report, who) => {
        const persistentVolumes = new Set<string | undefined>([
            ...(workload.podSpec.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => v.name),
            ...(args.props.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name),
        ]);
        for (const ref of workload.containers.filter((r) => !r.init)) {
            const image = ref.container.image ?? "";
            const repository = splitImageRef(image).path;
            if (!REDIS_IMAGE.test(repository.slice(repository.lastIndexOf("/") + 1))) {
                continue;
            }
            const dir = dataDir(ref.container, repository);
            const persisted = (ref.container.volumeMounts ?? []).some(
                (m) =>
                    persistentVolumes.has(m.name) &&
                    (dir === m.mountPath || dir.startsWith(`${m.mountPath.replace(/\/$/, "")}/`)),
            );
            if (!persisted) {
                report(
                    `${fieldOf(who, ref, "volumeMounts")}: "${image}" keeps its data in ${dir} but no PersistentVolumeClaim is mounted there, so state is lost on every restart. Fix: mount a PVC (or volumeClaimTemplate) at ${dir}.`,
                );
            }
        }
    }),
};
