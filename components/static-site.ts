import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { CONTENT_IMAGE_DEFAULT_PATH, ImageRole, NGINX_CONTENT_ROOT, VERSION_HEADER_DEFAULT_NAME } from "./facts";
import { argsSchema, checkedSchema, imageRefSchema, int } from "./args-schema";
import { FieldProblem, prefixed, rejectProblems } from "./errors";
import { resolveImage } from "./images";
import { recommendedLabels, selectorLabels } from "./labels";
import {
    ApiRouting,
    NGINX_DEFAULT_HEALTH_PATH,
    NGINX_DEFAULT_PORT,
    nginxRoutingProblems,
    renderResolvedNginxConf,
    resolveNginxConf,
    versionHeaderNameProblem,
} from "./nginx-conf";
import { probesFor } from "./probes";
import { restrictedContainerSecurityContext } from "./security-context";
import { consumerPlan, consumerProblems, Storage } from "./storage";
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

export const NGINX_DEFAULT_IMAGE =
    "docker.io/nginxinc/nginx-unprivileged:1.27-alpine@sha256:65e3e85dbaed8ba248841d9d58a899b6197106c23cb0ff1a132b7bfe0547e4c0";

/** Where the static files come from (L08: never from ConfigMaps). */
export type SiteContent =
    /** A PersistentVolumeClaim, mounted read-only. ReadWriteOnce forces 1 replica + Recreate (L03). */
    | { storage: Storage }
    /** An image whose `path` holds the files; an initContainer copies them into an emptyDir, so any replica count works. */
    | { image: string; path?: string };

export interface StaticSiteArgs extends WorkloadTuning {
    /** Namespace of every object. Required. */
    namespace: string;
    /** Where the files come from (volume or content image). Required. */
    content: SiteContent;
    /** API upstream as "host:port" that nginx proxies to. Required. */
    apiUpstream: string;
    /**
     * nginx image reference, resolved to a digest (L12).
     * @defaultValue {@link NGINX_DEFAULT_IMAGE} (nginx-unprivileged, digest-pinned: L02)
     */
    image?: string;
    /**
     * Config path prefix for error messages, e.g. "site.".
     * @defaultValue "" (argument names)
     */
    configPath?: string;
    /**
     * Reject image references without a digest (L12).
     * @defaultValue false
     */
    requireDigest?: boolean;
    /**
     * Fixed replica count; not together with `autoscaling`.
     * @defaultValue 1
     */
    replicas?: number;
    /**
     * HorizontalPodAutoscaler bounds (not with ReadWriteOnce storage, L03).
     * @defaultValue none
     */
    autoscaling?: Autoscaling;
    /**
     * Which requests go to the API.
     * @defaultValue {@link NGINX_DEFAULTS}: every non-static path goes to the API (L04)
     */
    apiRouting?: ApiRouting;
    /**
     * Server-Sent Events paths proxied unbuffered (L11).
     * @defaultValue nginx's, {@link NGINX_DEFAULTS}
     */
    ssePaths?: string[];
    /**
     * Origins allowed for CORS preflight (L25).
     * @defaultValue none
     */
    corsOrigins?: string[];
    /**
     * Name of the version response header (L24).
     * @defaultValue {@link VERSION_HEADER_DEFAULT_NAME}
     */
    versionHeaderName?: string;
    /**
     * Application the objects belong to (`app.kubernetes.io/part-of`).
     * @defaultValue the component name
     */
    partOf?: string;
}

/** The Service a Route/Ingress must point at: always the site's own selector Service (L05). */
export interface ServiceTarget {
    /** Name of the site's ClusterIP Service (it selects the nginx pods). */
    serviceName: string;
    /** Name of the Service port ("http"), which a Route's targetPort refers to. */
    portName: string;
    /** Number of that port (8080). */
    port: number;
}

/** StaticSiteArgs that a WebStack wires itself; the others are its `site` argument and the stack config's `site` key. */
export type StaticSiteWiredArgs = "namespace" | "content" | "apiUpstream" | "configPath" | "requireDigest" | "partOf";

/** The settings of a StaticSite as data, without its content (WebStack adds `content`). */
/** Fewest replicas an autoscaled site may run: one, as a fixed site may (the API's floor is 2). */
const SITE_MIN_REPLICAS = 1;

export const staticSiteSchema = argsSchema<Omit<StaticSiteArgs, StaticSiteWiredArgs>>()({
    image: imageRefSchema.optional(),
    replicas: int.optional(),
    autoscaling: autoscalingSchema(SITE_MIN_REPLICAS).optional(),
    apiRouting: z
        .discriminatedUnion("mode", [
            z.strictObject({ mode: z.literal("fallback") }),
            z.strictObject({ mode: z.literal("routes"), routes: z.array(z.string()) }),
        ])
        .optional(),
    ssePaths: z.array(z.string()).optional(),
    corsOrigins: z.array(z.string()).optional(),
    versionHeaderName: checkedSchema(z.string(), versionHeaderNameProblem).optional(),
    ...workloadTuningShape,
});

/** Rules for the StaticSite's arguments; `prefix` is the path of the arguments in the caller's terms ("site.") or "". */
export function staticSiteProblems(
    args: Pick<
        StaticSiteArgs,
        "replicas" | "autoscaling" | "apiRouting" | "ssePaths" | "corsOrigins" | "versionHeaderName"
    > & {
        accessMode?: Storage["accessMode"];
    } & WorkloadTuning,
    prefix: string,
    accessModeField: string,
): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if (args.autoscaling && args.replicas !== undefined) {
        problems.push({
            field: `${prefix}replicas`,
            problem: `conflicts with ${prefix}autoscaling (the HPA owns the replica count)`,
            got: args.replicas,
            fix: `remove ${prefix}replicas`,
            remove: true,
        });
    }
    if (args.autoscaling) {
        problems.push(...autoscalingProblems(args.autoscaling, `${prefix}autoscaling`, SITE_MIN_REPLICAS));
    } else if (args.replicas !== undefined && !(Number.isInteger(args.replicas) && args.replicas >= 1)) {
        problems.push({
            field: `${prefix}replicas`,
            problem: "must be an integer ≥ 1",
            got: args.replicas,
            fix: `set ${prefix}replicas to 1 or more`,
            suggested: "1",
        });
    }
    if (args.accessMode) {
        problems.push(
            ...consumerProblems(
                args.accessMode,
                {
                    replicas: args.autoscaling ? args.autoscaling.min : (args.replicas ?? 1),
                    maxReplicas: args.autoscaling?.max,
                },
                {
                    replicas: `${prefix}${args.autoscaling ? "autoscaling.min" : "replicas"}`,
                    maxReplicas: `${prefix}autoscaling.max`,
                    accessMode: accessModeField,
                },
            ),
        );
    }
    problems.push(...workloadProblems(args, prefix));
    problems.push(...prefixed(nginxRoutingProblems(args), prefix));
    const headerProblem =
        args.versionHeaderName === undefined
            ? undefined
            : versionHeaderNameProblem(`${prefix}versionHeaderName`, args.versionHeaderName);
    if (headerProblem) problems.push(headerProblem);
    return problems;
}

/** First 16 hex of sha256 over the parts; stable across runs, changes when any part changes. */
function fingerprint(parts: string[]): string {
    return crypto.createHash("sha256").update(parts.join("\n")).digest("hex").slice(0, 16);
}

/** The content volume, what names its content (for the version header), and how a content image fills it. */
interface SiteContentPlan {
    volume: k8s.types.input.core.v1.Volume;
    source: pulumi.Output<string>;
    /** The copy from the content image into the emptyDir; none for a volume. */
    initContainers: k8s.types.input.core.v1.Container[];
    /** The content image, digest-pinned. */
    image?: pulumi.Output<string>;
}

/** A volume is mounted read-only as it is; a content image is resolved and copied into an emptyDir (L08). */
function siteContent(site: StaticSite, args: StaticSiteArgs, prefix: string): SiteContentPlan {
    if ("storage" in args.content) {
        const { claimName } = args.content.storage;
        return {
            volume: { name: "content", persistentVolumeClaim: { claimName, readOnly: true } },
            source: pulumi.interpolate`pvc:${args.namespace}/${claimName}`,
            initContainers: [],
        };
    }
    const image = resolveImage(
        { ref: args.content.image, field: `${prefix}content.image` },
        { requireDigest: args.requireDigest, parent: site },
    );
    const copy: k8s.types.input.core.v1.Container = {
        name: "content",
        image,
        imagePullPolicy: "IfNotPresent",
        command: ["cp", "-R", `${args.content.path ?? CONTENT_IMAGE_DEFAULT_PATH}/.`, "/content/"],
        resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        securityContext: restrictedContainerSecurityContext(),
        volumeMounts: [{ name: "content", mountPath: "/content" }],
    };
    return { volume: { name: "content", emptyDir: {} }, source: image, initContainers: [copy], image };
}

/**
 * nginx-unprivileged serving static files and proxying the rest to the API. Runs under any UID with a read-only
 * root filesystem (L02, L26); its generated nginx.conf sits in an auto-named ConfigMap, so a config change gets a
 * new ConfigMap name, a new pod template and a rollout. Every response carries a version header (L24) computed
 * from nginx's own inputs: its image, its content source and its config.
 */
export class StaticSite extends pulumi.ComponentResource {
    readonly serviceTarget: ServiceTarget;
    /** Pod selector, for NetworkPolicies. */
    readonly selector: Record<string, string>;
    /** Value of the version header this deployment serves (L24). */
    readonly version: pulumi.Output<string>;
    /** Deployed image refs by role ("nginx", "content"), digest-pinned. */
    readonly images: Partial<Record<ImageRole, pulumi.Output<string>>>;

    constructor(name: string, args: StaticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webstack:index:StaticSite", name, {}, opts);
        const prefix = args.configPath ?? "";
        const storage = "storage" in args.content ? args.content.storage : undefined;
        rejectProblems(
            staticSiteProblems(
                { ...args, accessMode: storage?.accessMode },
                prefix,
                `${prefix}content.volume.accessMode`,
            ),
        );

        const identity = { name, component: "static-site", partOf: args.partOf };
        const labels = recommendedLabels(identity);
        this.selector = selectorLabels(identity);
        const nginxImage = resolveImage(
            { ref: args.image ?? NGINX_DEFAULT_IMAGE, field: `${prefix}image` },
            { requireDigest: args.requireDigest, parent: this },
        );
        this.images = { nginx: nginxImage };

        const tmp = { name: "tmp", emptyDir: {} };
        const content = siteContent(this, args, prefix);
        if (content.image) this.images.content = content.image;
        const initContainers = content.initContainers;

        // Checked now, not in the apply below, so a bad option fails the preview at construction with its field name.
        const resolvedWithoutVersion = resolveNginxConf({
            listenPort: NGINX_DEFAULT_PORT,
            apiUpstream: args.apiUpstream,
            apiRouting: args.apiRouting,
            ssePaths: args.ssePaths,
            corsOrigins: args.corsOrigins,
            healthPath: NGINX_DEFAULT_HEALTH_PATH,
            contentRoot: NGINX_CONTENT_ROOT,
            tempDir: "/tmp",
        });
        const confWithoutVersion = renderResolvedNginxConf(resolvedWithoutVersion);
        const versionHeaderName = args.versionHeaderName ?? VERSION_HEADER_DEFAULT_NAME;
        const rendered = pulumi.all([nginxImage, content.source]).apply(([image, source]) => {
            // The version is computed over the config without the header, then the header is added: no circularity.
            const version = fingerprint([image, source, confWithoutVersion]);
            const conf = renderResolvedNginxConf({
                ...resolvedWithoutVersion,
                versionHeader: { name: versionHeaderName, value: version },
            });
            return { version, conf };
        });
        this.version = rendered.version;

        // Auto-named: changed data ⇒ new name ⇒ new pod template ⇒ rolling update onto the new config.
        const conf = new k8s.core.v1.ConfigMap(
            name,
            { metadata: { namespace: args.namespace, labels }, data: { "nginx.conf": rendered.conf } },
            { parent: this },
        );

        const replicas = args.replicas ?? 1;
        const plan = storage
            ? consumerPlan(storage.accessMode, replicas)
            : { replicas, strategy: "RollingUpdate" as const };
        const scaling: HorizontalScaling = args.autoscaling
            ? { autoscaling: args.autoscaling }
            : { replicas: plan.replicas };
        const rollout = rolloutSettings(args, scaling, plan.strategy, this.selector);
        const port = NGINX_DEFAULT_PORT;
        const deployment = new k8s.apps.v1.Deployment(
            name,
            deploymentArgsFor(
                { name, namespace: args.namespace, labels, selector: this.selector, rollout },
                {
                    // Only when there is one: the provider and the API server drop an empty list (test/engine up vs check --out).
                    ...(initContainers.length > 0 ? { initContainers } : {}),
                    containers: [
                        {
                            name: "nginx",
                            image: nginxImage,
                            imagePullPolicy: "IfNotPresent",
                            ports: [{ name: "http", containerPort: port }],
                            ...probesFor({ httpGet: { port, path: NGINX_DEFAULT_HEALTH_PATH } }, 60),
                            resources: args.resources ?? {
                                requests: { cpu: "50m", memory: "64Mi" },
                                limits: { memory: "256Mi" },
                            },
                            securityContext: restrictedContainerSecurityContext(),
                            volumeMounts: [
                                // The finished config replaces the image's: the entrypoint's template rendering cannot run on a read-only root.
                                {
                                    name: "conf",
                                    mountPath: "/etc/nginx/nginx.conf",
                                    subPath: "nginx.conf",
                                    readOnly: true,
                                },
                                { name: "content", mountPath: NGINX_CONTENT_ROOT, readOnly: true },
                                { name: "tmp", mountPath: "/tmp" },
                            ],
                        },
                    ],
                    volumes: [{ name: "conf", configMap: { name: conf.metadata.name } }, content.volume, tmp],
                },
            ),
            { parent: this, customTimeouts: rollout.customTimeouts },
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
        this.serviceTarget = { serviceName: name, portName: "http", port };
        this.registerOutputs({ version: this.version, images: this.images, serviceName: name });
    }
}
