import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { type ImageRole, isUnprivilegedPort, MAX_PORT, UNPRIVILEGED_PORT_MIN } from "./facts";
import { literalEnvSecret } from "./secret-env";
import { argsSchema, imageRefSchema, int } from "./args-schema";
import { ArgPaths, argPaths, FieldProblem, HIDDEN, rejectProblems } from "./errors";
import { resolveImage } from "./images";
import { OptionTable, optionSchema, tableProblems } from "./option-table";
import { recommendedLabels, selectorLabels } from "./labels";
import { DEFAULT_RESOURCES, MIGRATION_OPTIONS, MigrationJob } from "./migration-job";
import { probesFor } from "./probes";
import { REDIS_PASSWORD_KEY, RedisConnection } from "./redis";
import { restrictedContainerSecurityContext } from "./security-context";
import {
    Autoscaling,
    autoscalingProblems,
    autoscalingSchema,
    createServingCompanions,
    deploymentArgsFor,
    HorizontalScaling,
    rolloutSettings,
    workloadProblems,
    workloadTuningShape,
    WorkloadTuning,
} from "./workload";

export const API_DEFAULT_PORT = 5000;
export const API_DEFAULT_REPLICAS = 2;
/** Fewest replicas the API runs, fixed or autoscaled, so a lost pod does not take it down (L10, L21). */
const API_MIN_REPLICAS = 2;
export const API_DEFAULT_HEALTH_PATH = "/healthz";

export interface ApiMigration {
    /** The migration command, e.g. ["flask", "db", "upgrade"]. Required. */
    command: string[];
    /**
     * Image reference.
     * @defaultValue the API image (same digest, L13)
     */
    image?: string;
    /**
     * Retries before failing.
     * @defaultValue {@link MIGRATION_DEFAULT_BACKOFF_LIMIT}
     */
    backoffLimit?: number;
    /**
     * Hard limit in seconds.
     * @defaultValue {@link MIGRATION_DEFAULT_DEADLINE_SECONDS}
     */
    activeDeadlineSeconds?: number;
    /**
     * Schema version the migration brings the database to, recorded on the ConfigMap `<appName>-schema`; with the
     * admission guard installed a lower one than deployed is refused at preview (docs/rollback.md, L13, L23).
     * @defaultValue {@link DEFAULT_SCHEMA_VERSION} (undeclared)
     */
    schemaVersion?: number;
    /**
     * Lets one deploy lower the recorded schema version to exactly `schemaVersion`, after a deliberate
     * down-migration; remove it afterwards.
     * @defaultValue none
     */
    allowSchemaDowngradeTo?: number;
}

export interface ApiArgs extends WorkloadTuning {
    /** Namespace of every object. Required. */
    namespace: string;
    /** Image reference from config, resolved to a digest (L12), or the pushed digest of a build (ApiImageBuild.imageRef). Required: there is no sensible default API. */
    image: pulumi.Input<string>;
    /**
     * Where these arguments sit in the caller's terms, for error messages: a prefix ("api."), or a prefix and the
     * arguments the caller holds under names of its own.
     * @defaultValue "" (argument names)
     */
    configPath?: string | ArgPaths;
    /**
     * Reject image references without a digest (L12).
     * @defaultValue false
     */
    requireDigest?: boolean;
    /** Container command. Required: S2I builder images replace CMD with their own run script (L01). */
    command: string[];
    /**
     * Container args.
     * @defaultValue none
     */
    args?: string[];
    /**
     * The one port: containerPort, PORT env, every probe and the Service targetPort (L18).
     * @defaultValue {@link API_DEFAULT_PORT}
     */
    port?: number;
    /**
     * Fixed replica count; not together with `autoscaling`.
     * @defaultValue {@link API_DEFAULT_REPLICAS} (state in Redis, one pod may be lost: L10, L21)
     */
    replicas?: number;
    /**
     * HorizontalPodAutoscaler bounds; when set the Deployment leaves `replicas` to the HPA.
     * @defaultValue none
     */
    autoscaling?: Autoscaling;
    /**
     * HTTP path answered 200 when the API is healthy, for readiness/liveness/startup probes (L27).
     * @defaultValue {@link API_DEFAULT_HEALTH_PATH}
     */
    healthPath?: string;
    /**
     * Plain environment variables (never secrets: those go in `secretEnv`, L19).
     * @defaultValue none
     */
    env?: Record<string, string>;
    /**
     * Secret environment variables (name → secret value), stored in a Kubernetes Secret and read with secretKeyRef (L19).
     * @defaultValue none
     */
    secretEnv?: Record<string, pulumi.Input<string>>;
    /**
     * Redis to connect to; adds REDIS_PASSWORD (secretKeyRef) and REDIS_URL.
     * @defaultValue none
     */
    redis?: RedisConnection;
    /**
     * Migration Job run before every Deployment change that alters it (L13).
     * @defaultValue none
     */
    migration?: ApiMigration;
    /**
     * Application the objects belong to (`app.kubernetes.io/part-of`).
     * @defaultValue the component name
     */
    partOf?: string;
}

/** ApiArgs that a WebStack wires itself; the others are its `api` argument and the stack config's `api` key. */
export type ApiWiredArgs =
    "namespace" | "configPath" | "requireDigest" | "redis" | "migration" | "secretEnv" | "partOf";

/** The Api's options that have a rule of their own (the others are checked as a whole by apiProblems). */
type ApiOptions = Pick<ApiArgs, "command" | "port" | "healthPath" | "replicas">;

/** The path of a sibling of the setting at `field` ("api.replicas" → "api.autoscaling.min"). */
const sibling = (field: string, name: string) => field.replace(/[^.]*$/, name);

/**
 * The Api's options with their defaults, checks and lessons: the checks {@link apiProblems} runs before anything is
 * built and the rules of {@link apiSchema}. A check names the option by its path in the caller's terms ("api.port").
 */
export const API_OPTIONS: OptionTable<ApiOptions> = {
    command: {
        check: (field, command) =>
            Array.isArray(command) &&
            command.length > 0 &&
            command.every((part) => typeof part === "string" && part.trim() !== "")
                ? undefined
                : {
                      field,
                      problem:
                          "the API container needs an explicit command (an S2I builder image would otherwise run its own script)",
                      got: command,
                      fix: `give the whole command as ${field}, e.g. ["gunicorn", "-b", "0.0.0.0:5000", "app:app"]`,
                      suggested: { field: `${field}[0]`, value: "gunicorn" },
                  },
        lessons: ["L01"],
    },
    port: {
        default: API_DEFAULT_PORT,
        check: (field, port) =>
            isUnprivilegedPort(port)
                ? undefined
                : {
                      field,
                      problem: `must be an integer from ${UNPRIVILEGED_PORT_MIN} to ${MAX_PORT} (non-root containers cannot bind lower ports)`,
                      got: port,
                      fix: `set ${field} to ${API_DEFAULT_PORT} or another port from ${UNPRIVILEGED_PORT_MIN} up`,
                      suggested: String(API_DEFAULT_PORT),
                  },
        lessons: ["L02", "L18"],
    },
    healthPath: {
        default: API_DEFAULT_HEALTH_PATH,
        check: (field, healthPath) =>
            healthPath.startsWith("/")
                ? undefined
                : {
                      field,
                      problem: "must be an absolute HTTP path",
                      got: healthPath,
                      fix: `start ${field} with "/", e.g. "${API_DEFAULT_HEALTH_PATH}"`,
                      suggested: API_DEFAULT_HEALTH_PATH,
                  },
        lessons: ["L27"],
    },
    replicas: {
        default: API_DEFAULT_REPLICAS,
        check: (field, replicas) =>
            Number.isInteger(replicas) && replicas >= API_MIN_REPLICAS
                ? undefined
                : {
                      field,
                      problem: `the API runs at least ${API_MIN_REPLICAS} replicas so a lost pod does not take it down`,
                      got: replicas,
                      fix: `set ${field} to ${API_MIN_REPLICAS} or more (or set ${sibling(field, "autoscaling.min")}/${sibling(field, "autoscaling.max")})`,
                      suggested: String(API_MIN_REPLICAS),
                  },
        lessons: ["L10", "L21"],
    },
};

/** The settings of an Api as data (WebStack argument `api`, stack config `webstack:api`). */
export const apiSchema = argsSchema<Omit<ApiArgs, ApiWiredArgs>>()({
    image: imageRefSchema,
    command: optionSchema(z.array(z.string()), API_OPTIONS.command),
    args: z.array(z.string()).optional(),
    port: optionSchema(z.number(), API_OPTIONS.port).optional(),
    // The replica rule depends on autoscaling (apiProblems): the schema only types it.
    replicas: int.optional(),
    autoscaling: autoscalingSchema(API_MIN_REPLICAS).optional(),
    healthPath: optionSchema(z.string(), API_OPTIONS.healthPath).optional(),
    env: z.record(z.string(), z.string()).optional(),
    ...workloadTuningShape,
});

/** The Api's `migration` argument as data (WebStack argument and stack config key `migration`). */
export const apiMigrationSchema = argsSchema<ApiMigration>()({
    command: optionSchema(z.array(z.string()), MIGRATION_OPTIONS.command),
    image: imageRefSchema.optional(),
    backoffLimit: optionSchema(int, MIGRATION_OPTIONS.backoffLimit).optional(),
    activeDeadlineSeconds: optionSchema(int, MIGRATION_OPTIONS.activeDeadlineSeconds).optional(),
    schemaVersion: optionSchema(int, MIGRATION_OPTIONS.schemaVersion).optional(),
    // Its rule names schemaVersion too (migrationProblems): the schema only types it.
    allowSchemaDowngradeTo: int.optional(),
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables the component sets itself from `port` and `redis`; a second value would contradict them (L18). */
const RESERVED_ENV = ["PORT", "REDIS_URL", "REDIS_PASSWORD"];

/** Rules for the Api's arguments, named by `configPath` (see {@link ApiArgs.configPath}). */
export function apiProblems(args: Partial<ApiArgs>, configPath: string | ArgPaths): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const { prefix, path: f } = argPaths(configPath);
    // With autoscaling the HPA owns the count: replicas is then a conflict, not a number to check.
    const options = { command: args.command, port: args.port, healthPath: args.healthPath };
    problems.push(
        ...tableProblems(
            API_OPTIONS,
            args.autoscaling ? options : { ...options, replicas: args.replicas },
            ["command"],
            prefix,
        ),
    );
    if (args.autoscaling && args.replicas !== undefined) {
        problems.push({
            field: f("replicas"),
            problem: `conflicts with ${f("autoscaling")} (the HPA owns the replica count)`,
            got: args.replicas,
            fix: `remove ${f("replicas")}`,
            remove: true,
        });
    }
    if (args.autoscaling) {
        problems.push(...autoscalingProblems(args.autoscaling, f("autoscaling"), API_MIN_REPLICAS));
    }
    problems.push(...workloadProblems(args, prefix));
    for (const [name, value] of Object.entries(args.env ?? {})) {
        // The pack's rule with its default settings (no-literal-secret-env, no-secret-values): one verdict (L19).
        const secret = literalEnvSecret(name, value);
        if (!ENV_NAME.test(name)) {
            problems.push({
                field: f(`env.${name}`),
                problem: "is not a valid environment variable name",
                got: name,
                fix: "use letters, digits and _ (not starting with a digit)",
            });
        } else if (RESERVED_ENV.includes(name)) {
            problems.push({
                field: f(`env.${name}`),
                problem: "is set by the component from port/redis and must not be given twice",
                got: value,
                fix:
                    name === "PORT"
                        ? `remove it and set ${f("port")} instead`
                        : "remove it: REDIS_URL is built from the Redis component and its Secret",
                lessons: ["L18", "L19"],
            });
        } else if (secret !== undefined) {
            problems.push({
                field: f(`env.${name}`),
                problem:
                    secret.by === "name"
                        ? "looks like a secret by its name but is a plain value"
                        : `contains ${secret.kind} as a plain value`,
                got: HIDDEN,
                fix: `move it to ${f(`secretEnv.${name}`)} as a secret value`,
                suggested: { field: f(`secretEnv.${name}`), value: "<value>", secret: true },
                lessons: ["L19"],
            });
        }
    }
    for (const name of Object.keys(args.secretEnv ?? {})) {
        if (!ENV_NAME.test(name) || RESERVED_ENV.includes(name)) {
            problems.push({
                field: f(`secretEnv.${name}`),
                problem: "is not a usable environment variable name (or is reserved: PORT, REDIS_URL, REDIS_PASSWORD)",
                got: name,
                fix: "rename it with letters, digits and _",
                lessons: ["L19"],
            });
        }
    }
    return problems;
}

/** PORT from `port` (L18), the plain env, and Redis's password by reference and URL (L19). */
function plainEnv(args: ApiArgs, port: number): k8s.types.input.core.v1.EnvVar[] {
    const env: k8s.types.input.core.v1.EnvVar[] = [{ name: "PORT", value: String(port) }];
    for (const [envName, value] of Object.entries(args.env ?? {})) {
        env.push({ name: envName, value });
    }
    if (args.redis) {
        const redis = args.redis;
        env.push({
            name: "REDIS_PASSWORD",
            valueFrom: { secretKeyRef: { name: redis.passwordSecretName, key: REDIS_PASSWORD_KEY } },
        });
        // $(REDIS_PASSWORD) is expanded by the kubelet: the URL carries the password without it appearing in the spec (L19).
        env.push({ name: "REDIS_URL", value: `redis://:$(REDIS_PASSWORD)@${redis.host}:${redis.port}/0` });
    }
    return env;
}

/**
 * The application API: Deployment + Service (+ PodDisruptionBudget, HorizontalPodAutoscaler, migration Job).
 * One `port` value drives every place a port appears (L18); rollouts never drop capacity (L29) and fail fast (L15).
 */
export class Api extends pulumi.ComponentResource {
    /** Service name inside the namespace. */
    readonly serviceName: string;
    readonly port: number;
    /** Pod selector, for NetworkPolicies. */
    readonly selector: Record<string, string>;
    /** Pod selector of the migration Job, when there is one. */
    readonly migrationSelector?: Record<string, string>;
    /** Deployed image refs by role ("api", "migration"), digest-pinned. */
    readonly images: Partial<Record<ImageRole, pulumi.Output<string>>>;

    constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webstack:index:Api", name, {}, opts);
        const { path: argPath } = argPaths(args.configPath);
        rejectProblems(apiProblems(args, args.configPath ?? ""));
        const port = args.port ?? API_DEFAULT_PORT;
        const identity = { name, component: "api", partOf: args.partOf };
        const labels = recommendedLabels(identity);
        this.selector = selectorLabels(identity);
        this.port = port;
        this.serviceName = name;

        const image = resolveImage(
            { ref: args.image, field: argPath("image") },
            { requireDigest: args.requireDigest, parent: this },
        );
        this.images = { api: image };

        const env = [...plainEnv(args, port), ...this.secretEnv(name, args, labels)];

        const migration = args.migration && this.migration(name, args, args.migration, image, env);
        if (migration) {
            this.migrationSelector = selectorLabels({
                name: `${name}-migrate`,
                component: "migration",
                partOf: args.partOf,
            });
        }

        const scaling: HorizontalScaling = args.autoscaling
            ? { autoscaling: args.autoscaling }
            : { replicas: args.replicas ?? API_DEFAULT_REPLICAS };
        const rollout = rolloutSettings(args, scaling, "RollingUpdate", this.selector);
        const probes = probesFor({ httpGet: { port, path: args.healthPath ?? API_DEFAULT_HEALTH_PATH } });
        const deployment = new k8s.apps.v1.Deployment(
            name,
            deploymentArgsFor(
                { name, namespace: args.namespace, labels, selector: this.selector, rollout },
                {
                    containers: [
                        {
                            name: "api",
                            image,
                            imagePullPolicy: "IfNotPresent",
                            command: args.command,
                            args: args.args,
                            ports: [{ name: "http", containerPort: port }],
                            env,
                            ...probes,
                            resources: args.resources ?? DEFAULT_RESOURCES,
                            securityContext: restrictedContainerSecurityContext(),
                            // gunicorn and most runtimes need a writable /tmp; the root filesystem stays read-only (L26).
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        },
                    ],
                    volumes: [{ name: "tmp", emptyDir: {} }],
                },
            ),
            // dependsOn the migration Job: a failed migration fails `pulumi up` before the API changes (L13); and the
            // schema record, so a refused (lowered) schema version leaves the API untouched too (L23).
            {
                parent: this,
                dependsOn: migration ? [migration.schemaRecord, migration.job] : [],
                customTimeouts: rollout.customTimeouts,
            },
        );

        createServingCompanions(this, {
            name,
            namespace: args.namespace,
            labels,
            selector: this.selector,
            port,
            scaling,
            deployment,
        });
        this.registerOutputs({ serviceName: this.serviceName, images: this.images });
    }

    /** secretEnv as a Secret of this Api, read by name with secretKeyRef (L19); none without secretEnv. */
    private secretEnv(name: string, args: ApiArgs, labels: Record<string, string>): k8s.types.input.core.v1.EnvVar[] {
        const secretEnv = args.secretEnv ?? {};
        if (Object.keys(secretEnv).length === 0) {
            return [];
        }
        const stringData: Record<string, pulumi.Input<string>> = {};
        for (const [envName, value] of Object.entries(secretEnv)) {
            stringData[envName] = pulumi.secret(value);
        }
        // Auto-named: a changed secret gets a new name, which rolls the pods onto it.
        const secret = new k8s.core.v1.Secret(
            name,
            { metadata: { namespace: args.namespace, labels }, type: "Opaque", stringData },
            { parent: this },
        );
        return Object.keys(secretEnv).map((envName) => ({
            name: envName,
            valueFrom: { secretKeyRef: { name: secret.metadata.name, key: envName } },
        }));
    }

    /** The migration Job, on the API's digest unless it names its own image, with the API's env (L13). */
    private migration(
        name: string,
        args: ApiArgs,
        migration: ApiMigration,
        apiImage: pulumi.Output<string>,
        env: pulumi.Input<k8s.types.input.core.v1.EnvVar>[],
    ): MigrationJob {
        const migrationImage = migration.image
            ? resolveImage(
                  { ref: migration.image, field: argPaths(args.configPath).path("migration.image") },
                  { requireDigest: args.requireDigest, parent: this },
              )
            : apiImage;
        const job = new MigrationJob(
            `${name}-migrate`,
            {
                namespace: args.namespace,
                image: migrationImage,
                command: migration.command,
                env,
                backoffLimit: migration.backoffLimit,
                activeDeadlineSeconds: migration.activeDeadlineSeconds,
                schemaVersion: migration.schemaVersion,
                allowSchemaDowngradeTo: migration.allowSchemaDowngradeTo,
                resources: args.resources,
                partOf: args.partOf,
                after: args.redis ? [args.redis.server] : [],
            },
            { parent: this },
        );
        this.images.migration = migrationImage;
        return job;
    }
}
