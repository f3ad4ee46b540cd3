import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DNS_LABEL, IMAGE_ROLE_FIELDS, ImageRole, INTERNAL_REGISTRY_HOST, splitImageRef } from "./facts";
import { digestRequiredProblem } from "./image-ref";
import { Api, ApiArgs, ApiMigration, apiMigrationSchema, apiProblems, apiSchema, ApiWiredArgs } from "./api";
import { argsSchema, imageRefSchema } from "./args-schema";
import { ArgPaths, FieldProblem, rejectProblems } from "./errors";
import { migrationProblems } from "./migration-job";
import { DEFAULT_SCHEMA_VERSION } from "./schema-version";
import { stackSelector } from "./labels";
import { NetworkPolicies } from "./network-policies";
import { Redis, REDIS_IMAGE_UID, RedisArgs, redisProblems, redisSchema, RedisWiredArgs } from "./redis";
import { Route, RouteArgs, RouteKind, routeProblems, routeSchema } from "./route";
import { StaticSite, StaticSiteArgs, staticSiteProblems, staticSiteSchema, StaticSiteWiredArgs } from "./static-site";
import { quantityProblems, Storage, StorageArgs, storageSchema } from "./storage";

export type Platform = "openshift" | "kubernetes";

/** The API as configured: everything the Api component takes except what the WebStack wires itself. */
export type WebStackApiArgs = Omit<ApiArgs, ApiWiredArgs>;

/** Site content: a volume the stack creates (Storage) or a content image, exactly one of them. */
export type WebStackSiteContent =
    | {
          /**
           * A new PersistentVolumeClaim (protected, L32); fill it with your files after the first `pulumi up`.
           * @defaultValue none: give `volume` or `image`
           */
          volume: Omit<StorageArgs, "namespace" | "partOf">;
      }
    | {
          /**
           * An image holding the files under `path`, copied into an emptyDir when a pod starts (L08).
           * @defaultValue none: give `volume` or `image`
           */
          image: string;
          /**
           * Directory of the files in the content image.
           * @defaultValue {@link CONTENT_IMAGE_DEFAULT_PATH}
           */
          path?: string;
      };

export type WebStackSiteArgs = Omit<StaticSiteArgs, StaticSiteWiredArgs> & {
    /** Where the files come from. Required. */
    content: WebStackSiteContent;
};

export interface WebStackArgs {
    /** Namespace (OpenShift project) every object goes to; it must exist. Required. */
    namespace: string;
    /**
     * Target platform: decides Route vs Ingress defaults and how NetworkPolicies find the router.
     * @defaultValue "openshift"
     */
    platform?: Platform;
    /**
     * Reject any image reference without a digest (L12); set it for shared stacks such as qa.
     * @defaultValue false
     */
    requireImageDigests?: boolean;
    /** The API (image and command are required). */
    api: WebStackApiArgs;
    /**
     * Secret environment variables for the API and its migration (name → value from `pulumi config set --secret`, L19).
     * @defaultValue none
     */
    apiSecrets?: Record<string, pulumi.Input<string>>;
    /**
     * Migration Job run before the API changes (L13).
     * @defaultValue none
     */
    migration?: ApiMigration;
    /** The nginx static site in front of the API. Required (its content has no default). */
    site: WebStackSiteArgs;
    /**
     * Redis settings.
     * @defaultValue valkey 8, 1Gi volume
     */
    redis?: Omit<RedisArgs, RedisWiredArgs>;
    /**
     * Public route.
     * @defaultValue an OpenShift Route (platform openshift) or an Ingress (kubernetes), generated host, 1h timeout
     */
    route?: Omit<RouteArgs, "namespace" | "target" | "partOf"> & {
        /**
         * Kubernetes only: namespace of the ingress controller, admitted by the NetworkPolicies.
         * @defaultValue "ingress-nginx"
         */
        ingressNamespace?: string;
    };
}

/** Default route kind for a platform: OpenShift has Routes, plain Kubernetes Ingresses. */
export function defaultRouteKind(platform: Platform): RouteKind {
    return platform === "openshift" ? "openshift" : "ingress";
}

/**
 * Where the site's files come from, as data: exactly one of `volume` or `image` (+ `path`), checked here so the
 * stack config gets the same rule TypeScript's union type gives a caller.
 */
export const siteContentSchema = z
    .strictObject({
        volume: storageSchema.optional(),
        image: imageRefSchema.optional(),
        path: z.string().startsWith("/").optional(),
    })
    .superRefine((content, ctx) => {
        if ((content.volume === undefined) === (content.image === undefined)) {
            ctx.addIssue({ code: "custom", message: "needs exactly one of volume or image" });
        } else if (content.volume && content.path !== undefined) {
            ctx.addIssue({ code: "custom", path: ["path"], message: "only applies to a content image" });
        }
    })
    .transform((content): WebStackSiteContent =>
        content.volume ? { volume: content.volume } : { image: content.image!, path: content.path },
    );

/** The WebStack's arguments as data: the stack config schema is this plus the program's own keys (program/config.ts). */
export const webStackSchema = argsSchema<WebStackArgs>()({
    namespace: z.string().regex(DNS_LABEL, { error: "is not a valid namespace name (lowercase DNS label)" }),
    platform: z.enum(["openshift", "kubernetes"]).optional(),
    requireImageDigests: z.boolean().optional(),
    api: apiSchema,
    apiSecrets: z.record(z.string(), z.string().min(1, { error: "is empty" })).optional(),
    migration: apiMigrationSchema.optional(),
    site: argsSchema<WebStackSiteArgs>()({ ...staticSiteSchema.shape, content: siteContentSchema }),
    redis: redisSchema.optional(),
    route: argsSchema<NonNullable<WebStackArgs["route"]>>()({
        ...routeSchema.shape,
        ingressNamespace: z.string().regex(DNS_LABEL, { error: "is not a valid namespace name" }).optional(),
    }).optional(),
});

/** The images given as references (not build Outputs), by argument path. */
function imageRefs(args: WebStackArgs): { field: string; ref: string }[] {
    return Object.values(IMAGE_ROLE_FIELDS).flatMap((field) => {
        const ref = field
            .split(".")
            .reduce<unknown>(
                (node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined),
                args,
            );
        return typeof ref === "string" && ref !== "" ? [{ field, ref }] : [];
    });
}

/** The Api's arguments in a WebStack's terms: under `api.`, except its `secretEnv` (`apiSecrets`) and `migration`. */
const API_ARG_PATHS: ArgPaths = { prefix: "api.", moved: { secretEnv: "apiSecrets", migration: "migration" } };

/** Every rule of a WebStack's arguments, across its parts (image registries, platform vs route) and of each part. */
export function webStackProblems(args: WebStackArgs): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const platform = args.platform ?? "openshift";
    for (const { field, ref } of imageRefs(args)) {
        const { registry, path } = splitImageRef(ref);
        const undigested = args.requireImageDigests ? digestRequiredProblem(field, ref) : undefined;
        if (undigested) {
            problems.push(undigested);
        }
        const imageNamespace =
            registry === INTERNAL_REGISTRY_HOST && path.includes("/") ? path.split("/")[0] : undefined;
        if (imageNamespace !== undefined && imageNamespace !== args.namespace) {
            problems.push({
                field,
                problem: `points at the internal registry of namespace "${imageNamespace}", which pods in "${args.namespace}" cannot pull`,
                got: ref,
                fix: `push or tag the image into ${args.namespace} (oc tag ${imageNamespace}/<image>@sha256:<digest> ${args.namespace}/<image>:<tag>) and use ${INTERNAL_REGISTRY_HOST}/${args.namespace}/...`,
                lessons: ["L06"],
            });
        }
    }
    problems.push(...apiProblems({ ...args.api, secretEnv: args.apiSecrets }, API_ARG_PATHS));
    if (args.migration) {
        problems.push(...migrationProblems(args.migration, "migration."));
    }
    const { content, ...site } = args.site;
    if ("volume" in content && content.volume.size !== undefined) {
        problems.push(...quantityProblems(content.volume.size, "site.content.volume.size"));
    }
    const accessMode = "volume" in content ? (content.volume.accessMode ?? "ReadWriteMany") : undefined;
    problems.push(...staticSiteProblems({ ...site, accessMode }, "site.", "site.content.volume.accessMode"));
    problems.push(...redisProblems(args.redis ?? {}, "redis."));

    const route = args.route ?? {};
    const routeKind = route.kind ?? defaultRouteKind(platform);
    if (routeKind === "openshift" && platform === "kubernetes") {
        problems.push({
            field: "route.kind",
            problem: "an OpenShift Route needs platform openshift",
            got: route.kind,
            fix: "set route.kind to ingress (or platform to openshift)",
            suggested: "ingress",
            lessons: ["L05"],
        });
    }
    if (route.ingressNamespace !== undefined && platform === "openshift") {
        problems.push({
            field: "route.ingressNamespace",
            problem: "is only used on platform kubernetes (OpenShift routers are found by namespace label)",
            got: route.ingressNamespace,
            fix: "remove route.ingressNamespace",
            remove: true,
            lessons: ["L31"],
        });
    }
    problems.push(...routeProblems({ ...route, kind: routeKind }, "route."));
    return problems;
}

/**
 * One complete web stack: nginx static site → API (+ migration Job) → Redis, with storage, route and
 * NetworkPolicies, built from one typed args object. Object names derive from the component name.
 */
export class WebStack extends pulumi.ComponentResource {
    /** Public URL of the site. */
    readonly url: pulumi.Output<string>;
    readonly namespace: pulumi.Output<string>;
    /** Every deployed image, digest-pinned, by role (L23: rollback = revert config; these are what is live). */
    readonly images: pulumi.Output<Record<string, string>>;
    /** Version header value nginx serves (L24). */
    readonly version: pulumi.Output<string>;
    /** The schema version the migration declares (`migration.schemaVersion`, default 0); none without a migration. `npm run promote` carries it with the digests (L23). */
    readonly schemaVersion?: number;
    /** Label selector (`kubectl -l`) of exactly this stack's pods: what `npm run verify` compares with the deployed digests. */
    readonly podSelector: string;

    constructor(name: string, args: WebStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webstack:index:WebStack", name, {}, opts);
        rejectProblems(webStackProblems(args));
        const platform = args.platform ?? "openshift";
        const namespace = args.namespace;
        const common = { partOf: name, requireDigest: args.requireImageDigests ?? false };

        // Plain Kubernetes does not assign a UID and the valkey image's USER is root: run as its valkey user (L30).
        const redisIdentity = platform === "kubernetes" ? { runAsUser: REDIS_IMAGE_UID } : {};
        const redis = new Redis(
            `${name}-redis`,
            { ...redisIdentity, ...args.redis, namespace, configPath: "redis.", ...common },
            { parent: this },
        );
        const api = new Api(
            `${name}-api`,
            {
                ...args.api,
                namespace,
                configPath: API_ARG_PATHS,
                redis: redis.connection,
                migration: args.migration,
                secretEnv: args.apiSecrets,
                ...common,
            },
            { parent: this },
        );

        const { content, ...siteArgs } = args.site;
        const siteContent =
            "volume" in content
                ? {
                      storage: new Storage(
                          `${name}-content`,
                          { ...content.volume, namespace, partOf: name },
                          { parent: this },
                      ),
                  }
                : content;
        const site = new StaticSite(
            `${name}-site`,
            {
                ...siteArgs,
                namespace,
                content: siteContent,
                configPath: "site.",
                apiUpstream: `${api.serviceName}.${namespace}.svc:${api.port}`,
                ...common,
            },
            { parent: this },
        );

        const { ingressNamespace, ...routeArgs } = args.route ?? {};
        const route = new Route(
            `${name}-route`,
            { kind: defaultRouteKind(platform), ...routeArgs, namespace, target: site.serviceTarget, partOf: name },
            { parent: this },
        );

        new NetworkPolicies(
            `${name}-netpol`,
            {
                namespace,
                platform,
                ingressNamespace,
                stackSelector: stackSelector(name),
                site: { selector: site.selector, port: site.serviceTarget.port },
                api: { selector: api.selector, port: api.port },
                redis: { selector: redis.connection.selector, port: redis.connection.port },
                redisClients: api.migrationSelector ? [api.migrationSelector] : [],
                partOf: name,
            },
            { parent: this },
        );

        this.url = route.url;
        this.namespace = pulumi.output(namespace);
        const imagesByRole: Partial<Record<ImageRole, pulumi.Output<string>>> = {
            ...api.images,
            ...site.images,
            redis: redis.image,
        };
        this.images = pulumi.all(imagesByRole);
        this.version = site.version;
        this.schemaVersion = args.migration ? (args.migration.schemaVersion ?? DEFAULT_SCHEMA_VERSION) : undefined;
        this.podSelector = Object.entries(stackSelector(name))
            .map(([key, value]) => `${key}=${value}`)
            .join(",");
        this.registerOutputs({
            url: this.url,
            namespace: this.namespace,
            images: this.images,
            version: this.version,
            schemaVersion: this.schemaVersion,
            podSelector: this.podSelector,
        });
    }
}
