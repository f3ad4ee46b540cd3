import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FieldProblem, rejectProblems } from "./errors";
import { recommendedLabels } from "./labels";
import { defaultsOf, OptionRule, OptionTable, tableProblems, withDefaults } from "./option-table";
import {
    DEFAULT_SCHEMA_VERSION,
    MAX_SCHEMA_VERSION,
    SCHEMA_DOWNGRADE_ANNOTATION,
    SCHEMA_VERSION_ANNOTATION,
    schemaDowngradeProblem,
    schemaRecordName,
} from "./schema-version";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security-context";

/** Default retries of a migration Job: one, as a migration that fails twice will not pass a third time (L13). */
export const MIGRATION_DEFAULT_BACKOFF_LIMIT = 1;
/** Default hard limit of a migration Job in seconds (L13, L15). */
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
     * @defaultValue {@link MIGRATION_DEFAULT_BACKOFF_LIMIT}
     */
    backoffLimit?: number;
    /**
     * Hard limit on the whole Job in seconds, so a hung migration fails instead of blocking the deploy.
     * @defaultValue {@link MIGRATION_DEFAULT_DEADLINE_SECONDS}
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
     * @defaultValue {@link DEFAULT_SCHEMA_VERSION} (undeclared)
     */
    schemaVersion?: number;
    /**
     * Lets this deploy lower the recorded version to exactly `schemaVersion`, after a deliberate down-migration.
     * @defaultValue none
     */
    allowSchemaDowngradeTo?: number;
}

export const DEFAULT_RESOURCES: k8s.types.input.core.v1.ResourceRequirements = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { memory: "512Mi" },
};

/** The settings of a migration that have a rule (MigrationJobArgs and the Api's `migration` argument). */
export type MigrationSettings = Pick<
    MigrationJobArgs,
    "command" | "backoffLimit" | "activeDeadlineSeconds" | "schemaVersion" | "allowSchemaDowngradeTo"
>;

/** A migration setting's check: an integer from `lo` to `hi` (`unit` after the range in the problem), else `fixOf`. */
function integerFrom(
    lo: number,
    hi: number,
    unit: string,
    fixOf: (field: string) => string,
): OptionRule<number>["check"] {
    return (field, value) =>
        Number.isInteger(value) && value >= lo && value <= hi
            ? undefined
            : { field, problem: `must be an integer from ${lo} to ${hi}${unit}`, got: value, fix: fixOf(field) };
}

/**
 * Every migration setting with its default, its check and its lessons: the checks {@link migrationProblems} runs
 * before anything is built, the MigrationJob's defaults and the rules of the Api's `migration` schema. That
 * allowSchemaDowngradeTo names the declared schemaVersion is a rule across both (schemaDowngradeProblem).
 */
export const MIGRATION_OPTIONS: OptionTable<MigrationSettings> = {
    schemaVersion: {
        default: DEFAULT_SCHEMA_VERSION,
        check: integerFrom(
            0,
            MAX_SCHEMA_VERSION,
            "",
            (field) => `set ${field} to the number of the newest migration the image carries, e.g. 3`,
        ),
        lessons: ["L13", "L23"],
    },
    allowSchemaDowngradeTo: { check: () => undefined },
    command: {
        check: (field, command) =>
            command && command.length > 0 && !command.some((part) => part.trim() === "")
                ? undefined
                : {
                      field,
                      problem: "the migration needs an explicit, non-empty command",
                      got: command,
                      fix: `give the whole command as ${field}, e.g. ["flask", "db", "upgrade"]`,
                      suggested: { field: `${field}[0]`, value: "flask" },
                  },
        lessons: ["L13", "L01"],
    },
    backoffLimit: {
        default: MIGRATION_DEFAULT_BACKOFF_LIMIT,
        check: integerFrom(0, 6, "", () => "use 0 or 1: a migration that fails twice will not pass a third time"),
        lessons: ["L13"],
    },
    activeDeadlineSeconds: {
        default: MIGRATION_DEFAULT_DEADLINE_SECONDS,
        check: integerFrom(
            30,
            3600,
            " seconds",
            () => `set the longest a migration may take, e.g. ${MIGRATION_DEFAULT_DEADLINE_SECONDS}`,
        ),
        lessons: ["L13", "L15"],
    },
};

const MIGRATION_DEFAULTS =
    defaultsOf<Required<Pick<MigrationSettings, "schemaVersion" | "backoffLimit" | "activeDeadlineSeconds">>>(
        MIGRATION_OPTIONS,
    );

/** Rules a migration's arguments must follow; `prefix` is the config path ("migration.") or "" for arguments. */
export function migrationProblems(args: Partial<MigrationSettings>, prefix: string): FieldProblem[] {
    const problems = tableProblems(MIGRATION_OPTIONS, args, ["command"], prefix);
    const downgrade = schemaDowngradeProblem(args, prefix);
    // After the schemaVersion problem, as the one check before the table did.
    if (downgrade) problems.splice(problems[0]?.field === `${prefix}schemaVersion` ? 1 : 0, 0, downgrade);
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
        const settings = withDefaults(MIGRATION_DEFAULTS, args);
        const deadline = settings.activeDeadlineSeconds;
        const identity = { name, component: "migration", partOf: args.partOf };

        // The version is an annotation, not data: the provider replaces a ConfigMap whose data changes (delete, then
        // create under this fixed name), and the guard compares an UPDATE's object with its oldObject.
        const annotations: Record<string, string> = {
            [SCHEMA_VERSION_ANNOTATION]: String(settings.schemaVersion),
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
                    backoffLimit: settings.backoffLimit,
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
