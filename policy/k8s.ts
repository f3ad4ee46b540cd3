/**
 * The Kubernetes shapes and type tokens the policies read. Declared here (not imported from
 * @pulumi/kubernetes) so the pack depends only on @pulumi/policy and @pulumi/pulumi and loads fast.
 */

export const TYPES = {
    pod: "kubernetes:core/v1:Pod",
    service: "kubernetes:core/v1:Service",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    namespace: "kubernetes:core/v1:Namespace",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    hpaV2: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    hpaV1: "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
    /** OpenShift Route, declared as a k8s.apiextensions.CustomResource. */
    route: "kubernetes:route.openshift.io/v1:Route",
} as const;

export interface ObjectMeta {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ContainerPort {
    containerPort: number;
    name?: string;
    protocol?: string;
    hostPort?: number;
}

export interface Probe {
    httpGet?: { port: number | string; path?: string; host?: string };
    tcpSocket?: { port: number | string; host?: string };
    grpc?: { port: number };
    exec?: { command?: string[] };
}

/** postStart/preStop handlers: the same host fields as probes. */
export type LifecycleHandler = Pick<Probe, "httpGet" | "tcpSocket" | "exec">;

/** Fields shared by the pod and the container securityContext. */
export interface SecurityContext {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { add?: string[]; drop?: string[] };
    seccompProfile?: { type?: string; localhostProfile?: string };
    appArmorProfile?: { type?: string; localhostProfile?: string };
    seLinuxOptions?: { type?: string; user?: string; role?: string; level?: string };
    procMount?: string;
    windowsOptions?: { hostProcess?: boolean };
}

/** A reference to a ConfigMap/Secret (or one of its keys) from a volume or an env var. */
export interface ObjectRef {
    name?: string;
    secretName?: string;
    key?: string;
    optional?: boolean;
}

export interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: { configMapKeyRef?: ObjectRef; secretKeyRef?: ObjectRef; [source: string]: unknown };
}

export interface Container {
    name: string;
    image?: string;
    command?: string[];
    args?: string[];
    ports?: ContainerPort[];
    env?: EnvVar[];
    volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
    readinessProbe?: Probe;
    livenessProbe?: Probe;
    startupProbe?: Probe;
    lifecycle?: { postStart?: LifecycleHandler; preStop?: LifecycleHandler };
    securityContext?: SecurityContext;
    resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
    envFrom?: {
        prefix?: string;
        configMapRef?: { name?: string; optional?: boolean };
        secretRef?: { name?: string; optional?: boolean };
    }[];
}

export interface Volume {
    name: string;
    persistentVolumeClaim?: { claimName: string };
    configMap?: ObjectRef;
    secret?: ObjectRef;
    projected?: { sources?: { configMap?: ObjectRef; secret?: ObjectRef }[] };
    [source: string]: unknown;
}

export interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    /** Added to running pods through the ephemeralcontainers subresource; Pod Security checks them too. */
    ephemeralContainers?: Container[];
    volumes?: Volume[];
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    /** false: the pod runs in its own user namespace, which relaxes some Pod Security controls */
    hostUsers?: boolean;
    os?: { name?: string };
    serviceAccountName?: string;
    automountServiceAccountToken?: boolean;
    imagePullSecrets?: { name?: string }[];
    securityContext?: SecurityContext & { sysctls?: { name: string; value?: string }[] };
}

/**
 * Resource props as the policies read them. The engine hands them over as untyped JSON (`Record<string, any>`);
 * these shapes declare the fields the policies read, all optional: a policy sees whatever the program declared.
 */
export interface KubeObject {
    metadata?: ObjectMeta;
}

/** The fields the policies read outside the pod template of the workload kinds (each kind has some of them). */
export interface WorkloadProps extends KubeObject {
    spec?: JobSpec & {
        replicas?: number;
        strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
        volumeClaimTemplates?: KubeObject[];
        jobTemplate?: { spec?: JobSpec };
        /** StatefulSet: the headless Service that gives its pods DNS names */
        serviceName?: string;
    };
}

export interface JobSpec {
    parallelism?: number;
    backoffLimit?: number;
    activeDeadlineSeconds?: number;
    ttlSecondsAfterFinished?: number;
}

export interface ServiceProps extends KubeObject {
    spec?: {
        type?: string;
        clusterIP?: string;
        selector?: Record<string, string>;
        ports?: { name?: string; port: number; targetPort?: number | string }[];
    };
}

export interface ConfigMapProps extends KubeObject {
    data?: Record<string, string>;
    binaryData?: Record<string, string>;
}

export interface ServiceAccountProps extends KubeObject {
    automountServiceAccountToken?: boolean;
}

export interface RoleBindingProps extends KubeObject {
    subjects?: { kind?: string; name?: string; namespace?: string }[];
}

export interface PvcProps extends KubeObject {
    spec?: { accessModes?: string[] };
}

export interface PdbProps extends KubeObject {
    spec?: { selector?: LabelSelector; maxUnavailable?: number | string; minAvailable?: number | string };
}

/** One source of a NetworkPolicy ingress rule. */
export interface NetworkPolicyPeer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: { cidr?: string; except?: string[] };
}

export interface NetworkPolicyProps extends KubeObject {
    spec?: {
        policyTypes?: string[];
        podSelector?: LabelSelector;
        ingress?: { from?: NetworkPolicyPeer[]; ports?: unknown[] }[];
    };
}

export interface HpaProps extends KubeObject {
    spec?: {
        scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
        minReplicas?: number;
        maxReplicas?: number;
    };
}

/** A Service backend of an Ingress. */
export interface IngressBackend {
    service?: { name?: string; port?: { name?: string; number?: number } };
}

export interface IngressProps extends KubeObject {
    spec?: {
        tls?: { hosts?: string[] }[];
        defaultBackend?: IngressBackend;
        rules?: { host?: string; http?: { paths?: { backend?: IngressBackend }[] } }[];
    };
}

export interface RouteProps extends KubeObject {
    spec?: {
        tls?: unknown;
        to?: { kind?: string; name: string };
        alternateBackends?: { name: string }[];
        port?: { targetPort?: number | string };
    };
}

/** The props shape of each type token whose fields the policies read beyond metadata. */
interface PropsByType {
    [TYPES.pod]: WorkloadProps;
    [TYPES.deployment]: WorkloadProps;
    [TYPES.statefulSet]: WorkloadProps;
    [TYPES.daemonSet]: WorkloadProps;
    [TYPES.replicaSet]: WorkloadProps;
    [TYPES.job]: WorkloadProps;
    [TYPES.cronJob]: WorkloadProps;
    [TYPES.service]: ServiceProps;
    [TYPES.configMap]: ConfigMapProps;
    [TYPES.serviceAccount]: ServiceAccountProps;
    [TYPES.roleBinding]: RoleBindingProps;
    [TYPES.clusterRoleBinding]: RoleBindingProps;
    [TYPES.pvc]: PvcProps;
    [TYPES.pdb]: PdbProps;
    [TYPES.networkPolicy]: NetworkPolicyProps;
    [TYPES.hpaV2]: HpaProps;
    [TYPES.hpaV1]: HpaProps;
    [TYPES.ingress]: IngressProps;
    [TYPES.route]: RouteProps;
}

/** The props shape of a resource of type `T` (a union of type tokens gives the union of their shapes). */
export type PropsOf<T extends string> = T extends keyof PropsByType ? PropsByType[T] : KubeObject;

/** `props` of a resource of type `type`, read as that type's shape: the one place the engine's untyped JSON gets a type. */
export function propsAs<T extends string>(type: T, props: object): PropsOf<T> {
    return props as PropsOf<T>;
}

/** Kubernetes object name: metadata.name when set, else the Pulumi resource name (auto-naming adds a suffix). */
export function objectName(props: KubeObject, resourceName: string): string {
    return props.metadata?.name ?? resourceName;
}

/** Unset namespaces fall back to the provider's default namespace, which we call "default". */
export function objectNamespace(props: KubeObject): string {
    return props.metadata?.namespace ?? "default";
}

/** Kind part of a type token: "kubernetes:apps/v1:Deployment" -> "Deployment". */
export function kindOf(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

/** True when every requirement of `selector` holds for `labels` (matchLabels and matchExpressions). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[key] !== value) {
            return false;
        }
    }
    for (const expr of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, expr.key);
        const values = expr.values ?? [];
        const ok =
            expr.operator === "In"
                ? has && values.includes(labels[expr.key])
                : expr.operator === "NotIn"
                  ? !has || !values.includes(labels[expr.key])
                  : expr.operator === "Exists"
                    ? has
                    : expr.operator === "DoesNotExist"
                      ? !has
                      : false;
        if (!ok) {
            return false;
        }
    }
    return true;
}
