import { Container, ObjectMeta, PodSpec, TYPES, WorkloadProps, kindOf } from "./k8s";

/** Which list of the pod spec a container comes from; messages name it ("initContainer \"migrate\""). */
export type ContainerRole = "container" | "initContainer" | "ephemeralContainer";

/** One container of a workload with the field path a violation message should name. */
export interface ContainerRef {
    container: Container;
    /** e.g. "spec.template.spec.initContainers[0]" */
    path: string;
    init: boolean;
    role: ContainerRole;
}

/** The pod template of any workload kind, normalised so every policy reads it the same way. */
export interface Workload {
    kind: string;
    podSpec: PodSpec;
    /** Path of the pod spec inside the object, e.g. "spec.template.spec". */
    podSpecPath: string;
    /** Labels the pods get (the template's labels; a bare Pod's own labels). */
    podLabels: Record<string, string>;
    /** Path of those labels, e.g. "spec.template.metadata.labels". */
    podLabelsPath: string;
    /** Pods running at once: spec.replicas (default 1), Job parallelism; undefined for a DaemonSet (one per node). */
    replicas: number | undefined;
    /** True for controllers that keep pods running (everything but Job and CronJob). */
    longRunning: boolean;
    /** containers then initContainers */
    containers: ContainerRef[];
    /** containers, initContainers and ephemeralContainers: what Pod Security admission checks */
    allContainers: ContainerRef[];
    /** The pod's own annotations (the template's; a bare Pod's metadata): AppArmor and seccomp annotations live there. */
    podAnnotations: Record<string, string>;
}

/** Where each workload kind keeps its pod spec. */
export const POD_SPEC_PATHS: Record<string, string> = {
    [TYPES.pod]: "spec",
    [TYPES.deployment]: "spec.template.spec",
    [TYPES.statefulSet]: "spec.template.spec",
    [TYPES.daemonSet]: "spec.template.spec",
    [TYPES.replicaSet]: "spec.template.spec",
    [TYPES.job]: "spec.template.spec",
    [TYPES.cronJob]: "spec.jobTemplate.spec.template.spec",
};

export const WORKLOAD_TYPES: readonly string[] = Object.keys(POD_SPEC_PATHS);

/** The value at a dotted path of the props, read as the shape `T` the caller knows it has. */
function at<T>(obj: object, path: string): T | undefined {
    return path
        .split(".")
        .reduce<unknown>((o, key) => (o == null ? undefined : (o as Record<string, unknown>)[key]), obj) as
        T | undefined;
}

/** The workload view of a resource, or undefined when the type has no pod template. */
export function workloadOf(type: string, props: WorkloadProps): Workload | undefined {
    const podSpecPath = POD_SPEC_PATHS[type];
    if (podSpecPath === undefined) {
        return undefined;
    }
    const podSpec = at<PodSpec>(props, podSpecPath) ?? {};
    const templatePath = podSpecPath.replace(/\.?spec$/, "");
    const podMetadata =
        (templatePath === "" ? props.metadata : at<{ metadata?: ObjectMeta }>(props, templatePath)?.metadata) ?? {};
    const podLabels = podMetadata.labels ?? {};
    const replicas =
        type === TYPES.daemonSet
            ? undefined
            : type === TYPES.pod
              ? 1
              : type === TYPES.job
                ? (props.spec?.parallelism ?? 1)
                : type === TYPES.cronJob
                  ? (props.spec?.jobTemplate?.spec?.parallelism ?? 1)
                  : (props.spec?.replicas ?? 1);
    const refs = (role: ContainerRole, list: Container[] | undefined): ContainerRef[] =>
        (list ?? []).map((container, i) => ({
            container,
            path: `${podSpecPath}.${role}s[${i}]`,
            init: role === "initContainer",
            role,
        }));
    const containers = [...refs("container", podSpec.containers), ...refs("initContainer", podSpec.initContainers)];
    return {
        kind: kindOf(type),
        podSpec,
        podSpecPath,
        podLabels,
        podLabelsPath: templatePath === "" ? "metadata.labels" : `${templatePath}.metadata.labels`,
        replicas,
        longRunning: type !== TYPES.job && type !== TYPES.cronJob,
        containers,
        allContainers: [...containers, ...refs("ephemeralContainer", podSpec.ephemeralContainers)],
        podAnnotations: podMetadata.annotations ?? {},
    };
}
