import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { z } from "zod";
import { argsSchema, imageRefSchema, quantitySchema, resourcesSchema, storageClassNameSchema } from "./args-schema";
import { FieldProblem, prefixed, rejectProblems } from "./errors";
import { resolveImage } from "./images";
import { defaultsOf, OptionTable, optionSchema, tableProblems, withDefaults } from "./option-table";
import { recommendedLabels, selectorLabels } from "./labels";
import { probesFor } from "./probes";
import { REDIS_DATA_DIR } from "./facts";
import {
    REDIS_DEFAULT_PORT,
    REDIS_CLI_AUTH_ENV,
    REDIS_CONF_OPTIONS,
    RedisConfOptions,
    redisConfProblems,
    RedisMaxmemoryPolicy,
    redisPingCommand,
    redisServerCommand,
    renderRedisAcl,
    renderRedisConf,
} from "./redis-conf";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security-context";
import { quantityProblems } from "./storage";
import { WORKLOAD_ANNOTATIONS } from "./workload";

export const REDIS_DEFAULT_IMAGE =
    "docker.io/valkey/valkey:8-alpine@sha256:a038175878d66b9d274fbf8be73c0305e93798b83917647f167e18cef3c71eec";
export const REDIS_DEFAULT_STORAGE_SIZE = "1Gi";
/** UID and GID of the `valkey` user in the official valkey alpine image (its Dockerfile: `addgroup -g 1000 valkey; adduser -u 999`). */
export const REDIS_IMAGE_UID = 999;
export const REDIS_IMAGE_GID = 1000;
/** Requests and limit of the server's container. */
export const REDIS_DEFAULT_RESOURCES: Readonly<k8s.types.input.core.v1.ResourceRequirements> = Object.freeze({
    requests: { cpu: "50m", memory: "128Mi" },
    limits: { memory: "512Mi" },
});
/** Key of the password inside the Redis Secret. */
export const REDIS_PASSWORD_KEY = "password";
const CONF_DIR = "/etc/webstack-redis";
const ACL_DIR = "/etc/webstack-redis-acl";
const ACL_FILE = "users.acl";
/** Owner and group read, nothing for others: group 0 or the fsGroup reads it, whatever UID the pod runs as. */
const ACL_FILE_MODE = 0o440;

export interface RedisArgs {
    /** Namespace of every object. Required. */
    namespace: string;
    /**
     * Image reference from config (tag or digest; resolved to a digest, L12).
     * @defaultValue {@link REDIS_DEFAULT_IMAGE}
     */
    image?: string;
    /**
     * Path of these arguments in the caller's terms, prefixed to field names in errors, e.g. "redis.".
     * @defaultValue ""
     */
    configPath?: string;
    /**
     * Reject image references without a digest (L12).
     * @defaultValue false
     */
    requireDigest?: boolean;
    /**
     * Size of the data volume (AOF + RDB, L10).
     * @defaultValue {@link REDIS_DEFAULT_STORAGE_SIZE}
     */
    storageSize?: string;
    /**
     * StorageClass of the data volume.
     * @defaultValue the cluster's default class
     */
    storageClassName?: string;
    /**
     * maxmemory / eviction policy for the generated redis.conf.
     * @defaultValue {@link REDIS_CONF_DEFAULTS}
     */
    conf?: Pick<RedisConfOptions, "maxmemory" | "maxmemoryPolicy">;
    /**
     * Container resources.
     * @defaultValue {@link REDIS_DEFAULT_RESOURCES}
     */
    resources?: k8s.types.input.core.v1.ResourceRequirements;
    /**
     * Application the objects belong to (`app.kubernetes.io/part-of`).
     * @defaultValue the component name
     */
    partOf?: string;
    /**
     * Non-zero UID the server runs as, for plain Kubernetes: the official valkey image declares USER root,
     * which runAsNonRoot refuses to start (L30). Also sets runAsGroup and fsGroup to `runAsGroup` so the data
     * volume is writable.
     * @defaultValue unset, because OpenShift assigns the UID and rejects a fixed one; WebStack sets 999 (the image's
     * valkey user) on platform "kubernetes"
     */
    runAsUser?: number;
    /**
     * Non-zero GID (runAsGroup and fsGroup) used with `runAsUser`; only valid with it.
     * @defaultValue {@link REDIS_IMAGE_GID} (the image's valkey group)
     */
    runAsGroup?: number;
}

/** Everything a client needs to reach this Redis; the password only ever as a Secret reference (L19). */
export interface RedisConnection {
    /** Cluster DNS name of the headless Service, e.g. "web-redis.qr-demo-dev.svc". */
    host: string;
    /** Port the server listens on (6379). */
    port: number;
    /** Name of the Secret holding the password under {@link REDIS_PASSWORD_KEY}. */
    passwordSecretName: pulumi.Output<string>;
    /** The StatefulSet, for clients that must start after it is ready. */
    server: pulumi.Resource;
    /** Pod selector of the server, for NetworkPolicies. */
    selector: Record<string, string>;
}

/** RedisArgs that a WebStack wires itself; the others are its `redis` argument and the stack config's `redis` key. */
export type RedisWiredArgs = "namespace" | "configPath" | "requireDigest" | "partOf";

/** The settings of a Redis as data (WebStack argument `redis`, stack config `webstack:redis`). */
type RedisSettings = Omit<RedisArgs, RedisWiredArgs>;

/** The check of a fixed identity (`runAsUser`, `runAsGroup`): a positive integer, since 0 is root (L30). */
function identityCheck(name: "runAsUser" | "runAsGroup", example: number) {
    return (field: string, value: number): FieldProblem | undefined =>
        Number.isInteger(value) && value > 0
            ? undefined
            : {
                  field,
                  problem: 'must be a positive integer: 0 is root, which Pod Security "restricted" forbids',
                  got: value,
                  fix: `set ${name}: ${example}`,
              };
}

/**
 * Every setting of a Redis with its default, its check and its lessons: the checks {@link redisProblems} runs
 * before anything is built and the rules of {@link redisSchema}. The image is checked when it is resolved
 * (resolveImage), the StorageClass name by its schema; resources and the StorageClass have no rule of their own.
 */
export const REDIS_OPTIONS: OptionTable<RedisSettings> = {
    image: { default: REDIS_DEFAULT_IMAGE, check: () => undefined },
    storageSize: { default: REDIS_DEFAULT_STORAGE_SIZE, check: (field, size) => quantityProblems(size, field) },
    storageClassName: { check: () => undefined },
    conf: { check: (field, conf) => prefixed(redisConfProblems(conf), `${field}.`) },
    resources: { default: REDIS_DEFAULT_RESOURCES, check: () => undefined },
    runAsUser: { check: identityCheck("runAsUser", REDIS_IMAGE_UID), lessons: ["L30"] },
    runAsGroup: { check: identityCheck("runAsGroup", REDIS_IMAGE_GID), lessons: ["L30"] },
};

const REDIS_DEFAULTS = defaultsOf<Pick<RedisSettings, "image" | "storageSize" | "resources">>(REDIS_OPTIONS);

/** The settings of a Redis as data (WebStack argument `redis`, stack config `webstack:redis`). */
export const redisSchema = argsSchema<RedisSettings>()({
    image: imageRefSchema.optional(),
    storageSize: optionSchema(quantitySchema, REDIS_OPTIONS.storageSize).optional(),
    storageClassName: storageClassNameSchema.optional(),
    conf: argsSchema<NonNullable<RedisArgs["conf"]>>()({
        maxmemory: optionSchema(z.string(), REDIS_CONF_OPTIONS.maxmemory).optional(),
        // A string whose rule (one of REDIS_MAXMEMORY_POLICIES) is the option's check.
        maxmemoryPolicy: optionSchema(
            z.string() as z.ZodType<RedisMaxmemoryPolicy>,
            REDIS_CONF_OPTIONS.maxmemoryPolicy,
        ).optional(),
    }).optional(),
    resources: resourcesSchema.optional(),
    runAsUser: optionSchema(z.number(), REDIS_OPTIONS.runAsUser).optional(),
    runAsGroup: optionSchema(z.number(), REDIS_OPTIONS.runAsGroup).optional(),
});

/** Rules for the Redis's arguments; `prefix` is the path of the arguments in the caller's terms ("redis.") or "". */
export function redisProblems(args: RedisSettings, prefix: string): FieldProblem[] {
    const problems = tableProblems(REDIS_OPTIONS, withDefaults(REDIS_DEFAULTS, args));
    if (args.runAsGroup !== undefined && args.runAsUser === undefined) {
        problems.push({
            field: "runAsGroup",
            problem:
                "only applies with runAsUser (a fixed fsGroup outside the namespace range is rejected on OpenShift)",
            got: args.runAsGroup,
            fix: `remove runAsGroup, or also set runAsUser: ${REDIS_IMAGE_UID} on plain Kubernetes`,
            lessons: ["L30"],
        });
    }
    return prefixed(problems, prefix);
}

/** Pod securityContext: "restricted", plus a fixed identity only when one is asked for (plain Kubernetes). */
function podSecurityContext(args: RedisArgs): k8s.types.input.core.v1.PodSecurityContext {
    if (args.runAsUser === undefined) {
        return restrictedPodSecurityContext();
    }
    const group = args.runAsGroup ?? REDIS_IMAGE_GID;
    // OnRootMismatch: the kubelet re-owns the volume once, not on every restart of a large data set.
    return {
        ...restrictedPodSecurityContext(),
        runAsUser: args.runAsUser,
        runAsGroup: group,
        fsGroup: group,
        fsGroupChangePolicy: "OnRootMismatch",
    };
}

/** valkey images ship valkey-server/valkey-cli; redis images redis-server/redis-cli. */
function binaries(imageRef: string): { server: string; cli: string } {
    return /valkey/.test(imageRef)
        ? { server: "valkey-server", cli: "valkey-cli" }
        : { server: "redis-server", cli: "redis-cli" };
}

/** What the Redis pod is made of besides its arguments: the resolved image and the names of its Secrets and config. */
interface RedisPodParts {
    image: pulumi.Output<string>;
    binaries: { server: string; cli: string };
    port: number;
    passwordSecretName: pulumi.Output<string>;
    confName: pulumi.Output<string>;
    aclSecretName: pulumi.Output<string>;
}

/** The server's pod: restricted, config and ACL file mounted read-only, probes that authenticate (L19, L26). */
function redisPodSpec(args: RedisArgs, parts: RedisPodParts): k8s.types.input.core.v1.PodSpec {
    const { server, cli } = parts.binaries;
    const port = parts.port;
    // The probe's CLI reads the password from its environment, never from `-a` (L19).
    const cliAuthEnv = {
        name: REDIS_CLI_AUTH_ENV,
        valueFrom: { secretKeyRef: { name: parts.passwordSecretName, key: REDIS_PASSWORD_KEY } },
    };
    const ping = { exec: { command: redisPingCommand(cli, port) } };
    return {
        automountServiceAccountToken: false,
        securityContext: podSecurityContext(args),
        terminationGracePeriodSeconds: 30,
        containers: [
            {
                name: "redis",
                image: parts.image,
                imagePullPolicy: "IfNotPresent",
                command: redisServerCommand(server, `${CONF_DIR}/redis.conf`, `${ACL_DIR}/${ACL_FILE}`),
                env: [cliAuthEnv],
                ports: [{ name: "redis", containerPort: port }],
                ...probesFor(ping, 300),
                resources: args.resources ?? REDIS_DEFAULT_RESOURCES,
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [
                    { name: "data", mountPath: REDIS_DATA_DIR },
                    { name: "conf", mountPath: CONF_DIR, readOnly: true },
                    { name: "acl", mountPath: ACL_DIR, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
            },
        ],
        volumes: [
            { name: "conf", configMap: { name: parts.confName } },
            { name: "acl", secret: { secretName: parts.aclSecretName, defaultMode: ACL_FILE_MODE } },
            { name: "tmp", emptyDir: {} },
        ],
    };
}

/**
 * A single Redis-protocol server (StatefulSet of 1) holding the stack's state and pub/sub (L10): append-only
 * persistence on its own PersistentVolumeClaim (L26), a generated password that exists only as a Pulumi secret
 * and a Kubernetes Secret (L19) and reaches the server as an ACL file and the probes as REDISCLI_AUTH, never
 * on a command line, probes that authenticate.
 */
export class Redis extends pulumi.ComponentResource {
    readonly connection: RedisConnection;
    /** The deployed image, digest-pinned. */
    readonly image: pulumi.Output<string>;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webstack:index:Redis", name, {}, opts);
        const storageSize = args.storageSize ?? REDIS_DEFAULT_STORAGE_SIZE;
        const prefix = args.configPath ?? "";
        rejectProblems(redisProblems(args, prefix));
        const imageRef = args.image ?? REDIS_DEFAULT_IMAGE;
        this.image = resolveImage(
            { ref: imageRef, field: `${prefix}image` },
            { requireDigest: args.requireDigest, parent: this },
        );
        const identity = { name, component: "redis", partOf: args.partOf };
        const labels = recommendedLabels(identity);
        const selector = selectorLabels(identity);
        const port = REDIS_DEFAULT_PORT;

        const password = new random.RandomPassword(name, { length: 32, special: false }, { parent: this });
        const secret = new k8s.core.v1.Secret(
            name,
            {
                metadata: { namespace: args.namespace, labels },
                type: "Opaque",
                stringData: { [REDIS_PASSWORD_KEY]: pulumi.secret(password.result) },
            },
            { parent: this },
        );
        // Auto-named: new content ⇒ new name ⇒ new pod template ⇒ the server restarts with it.
        const conf = new k8s.core.v1.ConfigMap(
            name,
            {
                metadata: { namespace: args.namespace, labels },
                data: { "redis.conf": renderRedisConf({ port, dataDir: REDIS_DATA_DIR, ...args.conf }) },
            },
            { parent: this },
        );

        const service = new k8s.core.v1.Service(
            name,
            {
                metadata: { name, namespace: args.namespace, labels },
                spec: {
                    // Headless: the StatefulSet's governing Service; clients resolve the one pod directly.
                    clusterIP: "None",
                    selector,
                    ports: [{ name: "redis", port, targetPort: port }],
                },
            },
            { parent: this },
        );

        // The server reads the password's hash from a file mounted from this Secret; its command line holds only paths (L19).
        const acl = new k8s.core.v1.Secret(
            `${name}-acl`,
            {
                metadata: { namespace: args.namespace, labels },
                type: "Opaque",
                // Mocked runs (unit tests of consumers) may have no password: no file then, rather than a crash.
                stringData: pulumi.secret(
                    password.result.apply((p: string | undefined): Record<string, string> =>
                        p === undefined ? {} : { [ACL_FILE]: renderRedisAcl(p) },
                    ),
                ),
            },
            { parent: this },
        );
        const statefulSet = new k8s.apps.v1.StatefulSet(
            name,
            {
                metadata: { name, namespace: args.namespace, labels, annotations: WORKLOAD_ANNOTATIONS },
                spec: {
                    replicas: 1,
                    serviceName: service.metadata.name,
                    selector: { matchLabels: selector },
                    revisionHistoryLimit: 3,
                    // The data claim outlives the StatefulSet and scale-downs (L32).
                    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    template: {
                        metadata: { labels },
                        spec: redisPodSpec(args, {
                            image: this.image,
                            binaries: binaries(imageRef),
                            port,
                            passwordSecretName: secret.metadata.name,
                            confName: conf.metadata.name,
                            aclSecretName: acl.metadata.name,
                        }),
                    },
                    volumeClaimTemplates: [
                        {
                            metadata: { name: "data", labels },
                            spec: {
                                accessModes: ["ReadWriteOnce"],
                                storageClassName: args.storageClassName,
                                resources: { requests: { storage: storageSize } },
                            },
                        },
                    ],
                },
            },
            { parent: this, customTimeouts: { create: "5m", update: "5m", delete: "2m" } },
        );

        this.connection = {
            host: `${name}.${args.namespace}.svc`,
            port,
            passwordSecretName: secret.metadata.name,
            server: statefulSet,
            selector,
        };
        this.registerOutputs({
            image: this.image,
            host: this.connection.host,
            passwordSecretName: secret.metadata.name,
        });
    }
}
