import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { fieldOf, validateWorkloads } from "../validate";

/** [field, why it matters]: CPU limits are left out on purpose (they throttle a busy server without protecting anyone). */
const REQUIRED: [string, string][] = [
    [
        "requests.memory",
        "the scheduler packs the pod onto a node without room for it and, under memory pressure, evicts it first",
    ],
    ["limits.memory", "one leaking container can take the node's memory and get its neighbours OOM-killed"],
    [
        "requests.cpu",
        "the pod gets no guaranteed CPU share, and an HPA on CPU utilization has nothing to compute against",
    ],
];

/**
 * Lesson L21: after a node reboot pods came back as zombies, and nothing said which could be evicted or where
 * they fit. A container without a memory request is placed on nodes that cannot hold it and evicted first
 * under pressure; without a memory limit it can take a whole node down; without a CPU request it has no CPU
 * share and CPU autoscaling cannot work. A request the API server defaults from the limit counts as set.
 * Remediation: set resources.requests.{cpu,memory} and resources.limits.memory (the components default to
 * requests 50-100m / 64-128Mi, limit 256-512Mi).
 */
export const containerResources: ResourceValidationPolicy = {
    ...policyMetadata("container-resources"),
    validateResource: validateWorkloads((workload, _args, report, who) => {
        for (const ref of workload.containers) {
            const resources = ref.container.resources ?? {};
            for (const [field, why] of REQUIRED) {
                const [kind, resource] = field.split(".") as ["requests" | "limits", string];
                // The API server defaults a missing request to the limit.
                const set =
                    resources[kind]?.[resource] !== undefined ||
                    (kind === "requests" && resources.limits?.[resource] !== undefined);
                if (!set) {
                    report(
                        `${fieldOf(who, ref, `resources.${field}`)}: not set, so ${why}. Fix: set resources.${field} (e.g. ${resource === "cpu" ? "100m" : kind === "limits" ? "512Mi" : "128Mi"}).`,
                    );
                }
            }
        }
    }),
};
