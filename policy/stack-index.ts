import { PolicyResource } from "@pulumi/policy";
import {
    KubeObject,
    LabelSelector,
    PropsOf,
    PvcProps,
    TYPES,
    WorkloadProps,
    kindOf,
    objectName,
    objectNamespace,
    propsAs,
    selectorMatches,
} from "./k8s";
import { Workload, workloadOf } from "./workloads";

/** A Kubernetes object of the stack with its resolved name and namespace (from outputs: auto-names are filled in). */
export interface IndexedObject<P extends KubeObject = KubeObject> {
    resource: PolicyResource;
    /** resource.props in the shape of its type */
    props: P;
    kind: string;
    name: string;
    namespace: string;
    /** `Deployment "api"` */
    who: string;
}

export interface IndexedWorkload extends IndexedObject<WorkloadProps> {
    workload: Workload;
}

interface NamespaceWorkloads {
    all: IndexedWorkload[];
    /** "key=value" -> workloads whose pods carry that label */
    byLabel: Map<string, IndexedWorkload[]>;
}

/**
 * Lookups the stack policies share, built in one pass so each check stays linear in the number of
 * resources: objects by type/namespace/name, and workloads by namespace and pod label.
 */
export class StackIndex {
    readonly workloads: IndexedWorkload[] = [];
    private readonly objects = new Map<string, IndexedObject>();
    private readonly byType = new Map<string, IndexedObject[]>();
    private readonly namespaces = new Map<string, NamespaceWorkloads>();

    constructor(resources: PolicyResource[]) {
        for (const resource of resources) {
            if (!resource.type.startsWith("kubernetes:")) {
                continue;
            }
            const props = propsAs(resource.type, resource.props);
            const name = objectName(props, resource.name);
            const kind = kindOf(resource.type);
            const object: IndexedObject = {
                resource,
                props,
                kind,
                name,
                namespace: objectNamespace(props),
                who: `${kind} "${name}"`,
            };
            this.objects.set(key(resource.type, object.namespace, name), object);
            push(this.byType, resource.type, object);
            const workload = workloadOf(resource.type, props);
            if (workload) {
                this.addWorkload({ ...object, workload });
            }
        }
    }

    private addWorkload(w: IndexedWorkload): void {
        this.workloads.push(w);
        let ns = this.namespaces.get(w.namespace);
        if (!ns) {
            ns = { all: [], byLabel: new Map() };
            this.namespaces.set(w.namespace, ns);
        }
        ns.all.push(w);
        for (const [k, v] of Object.entries(w.workload.podLabels)) {
            push(ns.byLabel, `${k}=${v}`, w);
        }
    }

    /** Objects are stored by their type token, so each one's props have the shape of `T`. */
    ofType<T extends string>(...types: T[]): IndexedObject<PropsOf<T>>[] {
        return types.flatMap((type) => this.byType.get(type) ?? []) as IndexedObject<PropsOf<T>>[];
    }

    find<T extends string>(type: T, namespace: string, name: string): IndexedObject<PropsOf<T>> | undefined {
        return this.objects.get(key(type, namespace, name)) as IndexedObject<PropsOf<T>> | undefined;
    }

    /** Workloads in `namespace` whose pods match `selector` (an empty selector matches all of them). */
    selectWorkloads(namespace: string, selector: LabelSelector): IndexedWorkload[] {
        const ns = this.namespaces.get(namespace);
        if (!ns) {
            return [];
        }
        // Start from the smallest posting list of an exact label requirement, then check the whole selector.
        const exact = [
            ...Object.entries(selector.matchLabels ?? {}),
            ...(selector.matchExpressions ?? [])
                .filter((e) => e.operator === "In" && e.values?.length === 1)
                .map((e) => [e.key, e.values![0]]),
        ];
        let candidates = ns.all;
        for (const [k, v] of exact) {
            const posting = ns.byLabel.get(`${k}=${v}`) ?? [];
            if (posting.length < candidates.length) {
                candidates = posting;
            }
        }
        return candidates.filter((w) => selectorMatches(selector, w.workload.podLabels));
    }
}

function push<T>(map: Map<string, T[]>, k: string, value: T): void {
    const list = map.get(k);
    if (list) {
        list.push(value);
    } else {
        map.set(k, [value]);
    }
}

function key(type: string, namespace: string, name: string): string {
    return `${type}\u0000${namespace}\u0000${name}`;
}

/** Highest/lowest replica bounds an HPA puts on each scale target: "<namespace>/<Kind>/<name>". */
export function hpaBounds(index: StackIndex): Map<string, { min: number; max: number }> {
    const bounds = new Map<string, { min: number; max: number }>();
    for (const hpa of index.ofType(TYPES.hpaV2, TYPES.hpaV1)) {
        const spec = hpa.props.spec ?? {};
        const target = `${hpa.namespace}/${spec.scaleTargetRef?.kind}/${spec.scaleTargetRef?.name}`;
        const previous = bounds.get(target);
        const min = spec.minReplicas ?? 1;
        const max = spec.maxReplicas ?? min;
        bounds.set(target, { min: Math.max(min, previous?.min ?? 0), max: Math.max(max, previous?.max ?? 0) });
    }
    return bounds;
}

export function hpaKey(w: IndexedWorkload): string {
    return `${w.namespace}/${w.kind}/${w.name}`;
}

/** True when the claim can be attached to one node only. */
export function isReadWriteOnce(pvc: IndexedObject<PvcProps>): boolean {
    const modes = pvc.props.spec?.accessModes ?? [];
    return !modes.includes("ReadWriteMany") && (modes.includes("ReadWriteOnce") || modes.includes("ReadWriteOncePod"));
}

/** The RWO claims a workload's pods share through spec volumes (volumeClaimTemplates give each pod its own claim). */
export function sharedRwoClaims(index: StackIndex, w: IndexedWorkload): { claim: string; path: string }[] {
    return (w.workload.podSpec.volumes ?? []).flatMap((volume, i) => {
        const claim = volume.persistentVolumeClaim?.claimName;
        const pvc = claim === undefined ? undefined : index.find(TYPES.pvc, w.namespace, claim);
        return pvc && isReadWriteOnce(pvc)
            ? [{ claim: claim!, path: `${w.workload.podSpecPath}.volumes[${i}].persistentVolumeClaim.claimName` }]
            : [];
    });
}
