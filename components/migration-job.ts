import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FieldProblem, rejectProblems } from "./errors";
import { recommendedLabels } from "./labels";
import {
    DEFAULT_SCHEMA_VERSION,
    SCHEMA_DOWNGRADE_ANNOTATION,
    SCHEMA_VERSION_ANNOTATION,
    schemaRecordName,
    schemaVersionProblems,
} from "./schema-version";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security-context";

export const MIGRATION_DEFAULT_BACKOFF_LIMIT = 1;
export const MIGRATION_DEFAULT_DEADLINE_SECONDS = 600;

export interface MigrationJobArgs {
    /** Namespace of the Job. Required. */
    namespace: string;
    /** Digest-pinned image, normally the API's (L13: code and schema move together). Required. */
    image: pulumi.Input<string>;
    /** The migration command, e.g. ["flask", "db", "upgrade"]. Required, non-empty (an S2I image's CMD would run the app instead, L01). */
    command: string[];
    /**
     * Environment, normally the API container's so the migration reaches the same backends.
     * @defaultValue none
     */
    env?: pulumi.Input<pulumi.Input<k8s.types.input.core.v1.EnvVar>[]>;
    /**
     * Retries before the Job is Failed, failing `pulumi up`.
     * @defaultValue 1
     */
    backoffLimit?: number;
    /**
     * Hard limit on the whole Job, so a hung migration fails instead of blocking the deploy.
     * @defaultValue 600 s
     */
    activeDeadlineSeconds?: number;
    /**
     * Container resources.
     * @defaultValue requests 100m CPU / 128Mi, limit 512Mi
     */
    resources?: k8s.types.input.core.v1.ResourceRequirements;
    /**
     * Application the Job belongs to (`app.kubernetes.io/part-of`).
     * @defaultValue the component name
     */
    partOf?: string;
    /**
     * Resources the migration needs running first (e.g. the Redis StatefulSet).
     * @defaultValue none
     */
    after?: pulumi.Resource[];
    /**
     * Schema version this migration brings the database to (the newest migration the image carries), recorded on the
     * ConfigMap `<partOf>-schema`; with the admission guard installed, an update lowering it is refused, so reverting
     * to an older image's config fails at `pulumi preview` before its migration runs (docs/rollback.md, L13, L23).
     * Default 0 (undeclared).
     */
    schemaVersion?: number;
    /** Lets this deploy lower the recorded version to exactly `schemaVersion`, after a deliberate down-migration. Default: none. */
    allowSchemaDowngradeTo?: number;
}

export const DEFAULT_RESOURCES: k8s.types.input.core.v1.ResourceRequirements = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { memory: "512Mi" },
};

/** Rules a migration's arguments must follow; `prefix` is the config path ("migration.") or "" for arguments. */
export function migrationProblems(
    args: {
        command?: string[];
        backoffLimit?: number;
        activeDeadlineSeconds?: number;
        schemaVersion?: number;
        allowSchemaDowngradeTo?: number;
    },
    prefix: string,
): FieldProblem[] {
    const problems: FieldProblem[] = schemaVersionProblems(args, prefix);
    if (!args.command || args.command.length === 0 || args.command.some((part) => part.trim() === "")) {
        problems.push({
            field: `${prefix}command`,
            problem: "the migration needs an explicit, non-empty command",
            got: args.command,
            fix: `give the whole command as ${prefix}command, e.g. ["flask", "db", "upgrade"]`,
            suggested: { field: `${prefix}command[0]`, value: "flask" },
            lessons: ["L13", "L01"],
        });
    }
    if (
        args.backoffLimit !== undefined &&
        !(Number.isInteger(args.backoffLimit) && args.backoffLimit >= 0 && args.backoffLimit <= 6)
    ) {
        problems.push({
            field: `${prefix}backoffLimit`,
            problem: "must be an integer from 0 to 6",
            got: args.backoffLimit,
            fix: "use 0 or 1: a migration that fails twice will not pass a third time",
            lessons: ["L13"],
        });
    }
    const deadline = args.activeDeadlineSeconds;
    if (deadline !== undefined && !(Number.isInteger(deadline) && deadline >= 30 && deadline <= 3600)) {
        problems.push({
            field: `${prefix}activeDeadlineSeconds`,
            problem: "must be an integer from 30 to 3600 seconds",
            got: deadline,
            fix: "set the longest a migration may take, e.g. 600",
            lessons: ["L13", "L15"],
        });
    }
    return problems;
}

/**
 * A schema migration run as a Job before the API Deployment changes (L13). The Api makes its Deployment
 * depend on this component, so a failed or timed-out Job fails `pulumi up` and the running API is untouched.
 */
export class MigrationJob extends pulumi.ComponentResource {
    /** The Job; depend on it to run after a successful migration. */
    readonly job: k8s.batch.v1.Job;
    /** The ConfigMap recording the schema version; the Job depends on it (the admission guard refuses a lower version). */
    readonly schemaRecord: k8s.core.v1.ConfigMap;

    constructor(name: string, args: MigrationJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webstack:index:MigrationJob", name, {}, opts);
        rejectProblems(migrationProblems(args, ""));
        const deadline = args.activeDeadlineSeconds ?? MIGRATION_DEFAULT_DEADLINE_SECONDS;
        const identity = { name, component: "migration", partOf: args.partOf };

        // The version is an annotation, not data: the provider replaces a ConfigMap whose data changes (delete, then
        // create under this fixed name), and the guard compares an UPDATE's object with its oldObject.
        const annotations: Record<string, string> = {
            [SCHEMA_VERSION_ANNOTATION]: String(args.schemaVersion ?? DEFAULT_SCHEMA_VERSION),
        };
        if (args.allowSchemaDowngradeTo !== undefined) {
            annotations[SCHEMA_DOWNGRADE_ANNOTATION] = String(args.allowSchemaDowngradeTo);
        }
        this.schemaRecord = new k8s.core.v1.ConfigMap(
            `${name}-schema`,
            {
                // A fixed name: the guard must see each change as an update of the one record, never a new object.
                metadata: {
                    name: schemaRecordName(args.partOf ?? name),
                    namespace: args.namespace,
                    labels: recommendedLabels({ ...identity, component: "schema" }),
                    annotations,
                },
            },
            { parent: this },
        );

        this.job = new k8s.batch.v1.Job(
            name,
            {
                // No metadata.name: auto-naming lets the provider create the new Job before deleting the old one, and
                // two runs never collide on a name.
                metadata: { namespace: args.namespace, labels: recommendedLabels(identity) },
                spec: {
                    backoffLimit: args.backoffLimit ?? MIGRATION_DEFAULT_BACKOFF_LIMIT,
                    activeDeadlineSeconds: deadline,
                    // No ttlSecondsAfterFinished: a Job the cluster deletes would be re-created, and re-run, by the next `pulumi up`.
                    template: {
                        metadata: { labels: recommendedLabels(identity) },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext(),
                            containers: [
                                {
                                    name: "migrate",
                                    image: args.image,
                                    imagePullPolicy: "IfNotPresent",
                                    command: args.command,
                                    env: args.env,
                                    resources: args.resources ?? DEFAULT_RESOURCES,
                                    securityContext: restrictedContainerSecurityContext(),
                                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                },
                            ],
                            volumes: [{ name: "tmp", emptyDir: {} }],
                        },
                    },
                },
            },
            {
                parent: this,
                // After the schema record: a refused (lowered) version stops the deploy before the migration runs.
                dependsOn: [...(args.after ?? []), this.schemaRecord],
                // A Job's pod template is immutable, so a new image digest or command must re-create (and so re-run) the
                // Job. The provider already replaces on a template change; replaceOnChanges states it here so the intent
                // does not rest on a provider detail, and so policy/tests can see it. Replacement is create-before-delete
                // (auto-named), and no deleteBeforeReplace: the old Job stays as the record until the new one completed.
                replaceOnChanges: ["spec.template"],
                // The Job's own deadline plus scheduling/pull time; the provider fails fast on a Failed Job anyway.
                customTimeouts: {
                    create: `${Math.ceil(deadline / 60) + 2}m`,
                    update: `${Math.ceil(deadline / 60) + 2}m`,
                    delete: "2m",
                },
            },
        );
        this.registerOutputs({ jobName: this.job.metadata.name, schemaRecord: this.schemaRecord.metadata.name });
    }
}
