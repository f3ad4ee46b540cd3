import * as pulumi from "@pulumi/pulumi";
import type { ImageRole } from "../policy/facts";
import { Api, ApiArgs, ApiMigration } from "./api";
import { stackSelector } from "./labels";
import { NetworkPolicies } from "./networkPolicies";
import { Redis, REDIS_IMAGE_UID, RedisArgs } from "./redis";
import { Route, RouteArgs, RouteKind } from "./route";
import { StaticSite, StaticSiteArgs } from "./staticSite";
import { Storage, StorageArgs } from "./storage";

export type Platform = "openshift" | "kubernetes";

/** The API as configured: everything the Api component takes except what the WebStack wires itself. */
export type WebStackApiArgs = Omit<ApiArgs, "namespace" | "configPath" | "requireDigest" | "redis" | "migration" | "secretEnv" | "partOf">;

/** Site content: a volume the stack creates (Storage) or a content image. */
export type WebStackSiteContent =
  /** A new PersistentVolumeClaim (protected, L32); fill it with your files after the first `pulumi up`. */
  | { volume: Omit<StorageArgs, "namespace" | "partOf"> }
  /** An image holding the files under `path` (default "/site"). */
  | { image: string; path?: string };

export type WebStackSiteArgs = Omit<StaticSiteArgs, "namespace" | "content" | "apiUpstream" | "configPath" | "requireDigest" | "partOf"> & {
  /** Where the files come from. Required. */
  content: WebStackSiteContent;
};

export interface WebStackArgs {
  /** Namespace (OpenShift project) every object goes to; it must exist. Required. */
  namespace: string;
  /** Target platform: decides Route vs Ingress defaults and how NetworkPolicies find the router. Default "openshift". */
  platform?: Platform;
  /** Reject any image reference without a digest (L12); set it for shared stacks such as qa. Default false. */
  requireImageDigests?: boolean;
  /** The API (image and command are required). */
  api: WebStackApiArgs;
  /** Secret environment variables for the API and its migration (name → value from `pulumi config set --secret`, L19). Default: none. */
  apiSecrets?: Record<string, pulumi.Input<string>>;
  /** Migration Job run before the API changes (L13). Default: none. */
  migration?: ApiMigration;
  /** The nginx static site in front of the API. Required (its content has no default). */
  site: WebStackSiteArgs;
  /** Redis settings. Default: valkey 8, 1Gi volume. */
  redis?: Omit<RedisArgs, "namespace" | "imageField" | "requireDigest" | "partOf">;
  /** Public route. Default: an OpenShift Route (platform openshift) or an Ingress (kubernetes), generated host, 1h timeout. */
  route?: Omit<RouteArgs, "namespace" | "target" | "partOf"> & {
    /** Kubernetes only: namespace of the ingress controller, admitted by the NetworkPolicies. Default "ingress-nginx". */
    ingressNamespace?: string;
  };
}

/** Default route kind for a platform: OpenShift has Routes, plain Kubernetes Ingresses. */
export function defaultRouteKind(platform: Platform): RouteKind {
  return platform === "openshift" ? "openshift" : "ingress";
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
  /** Label selector (`kubectl -l`) of exactly this stack's pods: what `npm run verify` compares with the deployed digests. */
  readonly podSelector: string;

  constructor(name: string, args: WebStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("webstack:index:WebStack", name, {}, opts);
    const platform = args.platform ?? "openshift";
    const namespace = args.namespace;
    const common = { partOf: name, requireDigest: args.requireImageDigests ?? false };

    // Plain Kubernetes does not assign a UID and the valkey image's USER is root: run as its valkey user (L30).
    const redisIdentity = platform === "kubernetes" ? { runAsUser: REDIS_IMAGE_UID } : {};
    const redis = new Redis(`${name}-redis`, { ...redisIdentity, ...args.redis, namespace, imageField: "redis.image", ...common }, { parent: this });
    const api = new Api(
      `${name}-api`,
      { ...args.api, namespace, configPath: "api.", redis: redis.connection, migration: args.migration, secretEnv: args.apiSecrets, ...common },
      { parent: this },
    );

    const { content, ...siteArgs } = args.site;
    const siteContent =
      "volume" in content
        ? { storage: new Storage(`${name}-content`, { ...content.volume, namespace, partOf: name }, { parent: this }) }
        : content;
    const site = new StaticSite(
      `${name}-site`,
      { ...siteArgs, namespace, content: siteContent, configPath: "site.", apiUpstream: `${api.serviceName}.${namespace}.svc:${api.port}`, ...common },
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
    const imagesByRole: Partial<Record<ImageRole, pulumi.Output<string>>> = { ...api.images, ...site.images, redis: redis.image };
    this.images = pulumi.all(imagesByRole);
    this.version = site.version;
    this.podSelector = Object.entries(stackSelector(name)).map(([key, value]) => `${key}=${value}`).join(",");
    this.registerOutputs({ url: this.url, namespace: this.namespace, images: this.images, version: this.version, podSelector: this.podSelector });
  }
}
