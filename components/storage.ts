import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { argsSchema, quantitySchema, storageClassNameSchema } from "./args-schema";
import { FieldProblem, rejectProblems } from "./errors";
import { recommendedLabels } from "./labels";

export type AccessMode = "ReadWriteOnce" | "ReadWriteMany";

export const STORAGE_DEFAULT_SIZE = "1Gi";
export const STORAGE_DEFAULT_ACCESS_MODE: AccessMode = "ReadWriteMany";

export interface StorageArgs {
    /** Namespace of the claim. Required. */
    namespace: pulumi.Input<string>;
    /**
     * Requested size, a Kubernetes quantity.
     * @defaultValue {@link STORAGE_DEFAULT_SIZE}
     */
    size?: string;
    /**
     * "ReadWriteMany": any number of pods on any nodes may mount it. "ReadWriteOnce": one node only, so its
     * consumer is forced to 1 replica with strategy Recreate (L03).
     * @defaultValue {@link STORAGE_DEFAULT_ACCESS_MODE}
     */
    accessMode?: AccessMode;
    /**
     * StorageClass; it must offer the access mode.
     * @defaultValue the cluster's default class
     */
    storageClassName?: string;
    /**
     * Application the claim belongs to (`app.kubernetes.io/part-of`).
     * @defaultValue the component name
     */
    partOf?: string;
}

/** A volume as data (WebStack argument and stack config key `site.content.volume`). */
export const storageSchema = argsSchema<Omit<StorageArgs, "namespace" | "partOf">>()({
    size: quantitySchema.optional(),
    accessMode: z.enum(["ReadWriteOnce", "ReadWriteMany"]).optional(),
    storageClassName: storageClassNameSchema.optional(),
});

/** How a workload that mounts the claim must roll out. */
export interface ConsumerPlan {
    /** Replica count the consumer runs (1 with ReadWriteOnce). */
    replicas: number;
    /** Deployment strategy (Recreate with ReadWriteOnce). */
    strategy: "Recreate" | "RollingUpdate";
}

/**
 * A consumer of a volume with `accessMode` asks for `replicas` pods (and at most `maxReplicas` through an HPA).
 * Returns the problems (L03: the third pod of a RWO volume hung in ContainerCreating on Multi-Attach).
 * `fields` names the consumer's config fields so the message points at what to change.
 */
export function consumerProblems(
    accessMode: AccessMode,
    want: { replicas: number; maxReplicas?: number },
    fields: { replicas: string; maxReplicas: string; accessMode: string },
): FieldProblem[] {
    if (accessMode !== "ReadWriteOnce") {
        return [];
    }
    const fix = `keep 1 replica with ReadWriteOnce, or set ${fields.accessMode} to ReadWriteMany (on a StorageClass that offers it), or serve content from a content image`;
    const problems: FieldProblem[] = [];
    if (want.replicas > 1) {
        problems.push({
            field: fields.replicas,
            problem: "more than 1 replica cannot mount a ReadWriteOnce volume (Multi-Attach)",
            got: want.replicas,
            fix,
            lessons: ["L03"],
        });
    }
    if (want.maxReplicas !== undefined && want.maxReplicas > 1) {
        problems.push({
            field: fields.maxReplicas,
            problem: "an autoscaler could add replicas that cannot mount a ReadWriteOnce volume (Multi-Attach)",
            got: want.maxReplicas,
            fix,
            lessons: ["L03"],
        });
    }
    return problems;
}

/** Replica count and rollout strategy for a consumer (assumes {@link consumerProblems} found nothing). */
export function consumerPlan(accessMode: AccessMode, replicas: number): ConsumerPlan {
    // RWO: a rolling update would need the volume on the old and the new pod at once.
    return accessMode === "ReadWriteOnce"
        ? { replicas: 1, strategy: "Recreate" }
        : { replicas, strategy: "RollingUpdate" };
}

/** A PersistentVolumeClaim that Pulumi never deletes by accident (L32). */
export class Storage extends pulumi.ComponentResource {
    /** Name of the claim, for `persistentVolumeClaim.claimName`. */
    readonly claimName: pulumi.Output<string>;
    readonly accessMode: AccessMode;

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webstack:index:Storage", name, {}, opts);
        this.accessMode = args.accessMode ?? STORAGE_DEFAULT_ACCESS_MODE;
        const size = args.size ?? STORAGE_DEFAULT_SIZE;
        rejectProblems(quantityProblems(size, "size"));

        const claim = new k8s.core.v1.PersistentVolumeClaim(
            name,
            {
                metadata: {
                    name,
                    namespace: args.namespace,
                    labels: recommendedLabels({ name, component: "storage", partOf: args.partOf }),
                },
                spec: {
                    accessModes: [this.accessMode],
                    resources: { requests: { storage: size } },
                    storageClassName: args.storageClassName,
                },
            },
            // accessModes and storageClassName changes force a replacement, which would delete the data (L32).
            { parent: this, protect: true },
        );
        this.claimName = claim.metadata.name;
        this.registerOutputs({ claimName: this.claimName });
    }
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;

/** A Kubernetes quantity such as "512Mi" or "2Gi". */
export function quantityProblems(value: string, field: string): FieldProblem[] {
    return QUANTITY.test(value)
        ? []
        : [{ field, problem: "is not a Kubernetes quantity", got: value, fix: `write a size like "1Gi" or "500Mi"` }];
}
