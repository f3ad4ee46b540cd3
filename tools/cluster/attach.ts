// Stand-in for what the kubelet and the attach/detach controller do with volumes, which kwok does not model:
// a pod starts (kwok's pod-ready stage, kwok-stages.yaml) only once this marks its volumes attached, and a
// ReadWriteOnce claim attaches to ONE node. A second node's pod stays Pending with the event a real cluster
// shows ("Multi-Attach error", postmortem 000, L03). Run by cluster:up as a daemon; polls twice a second.
import { connectionFromKubeconfig, KubeConnection, kubeRequest } from "./kube-api";

export const VOLUMES_ATTACHED_ANNOTATION = "webstack.local/volumes-attached";

export interface Pod {
    metadata: {
        name: string;
        namespace: string;
        uid: string;
        annotations?: Record<string, string>;
        deletionTimestamp?: string;
    };
    spec: { nodeName?: string; volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] };
    status?: { phase?: string };
}

export interface Claim {
    metadata: { name: string; namespace: string };
    spec: { accessModes?: string[]; volumeName?: string };
    status?: { phase?: string };
}

export interface AttachDecision {
    pod: Pod;
    /** Set when the pod must wait: a ReadWriteOnce claim is attached to another node. */
    conflict?: { claim: string; volume: string; node: string; users: string[] };
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;
const isLive = (pod: Pod) =>
    !pod.metadata.deletionTimestamp && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";

/** Which scheduled, not yet attached pods can attach now (pure: the tests of the stand-in call this). */
export function decideAttachments(pods: Pod[], claims: Claim[]): AttachDecision[] {
    const claimsByKey = new Map(claims.map((c) => [key(c.metadata.namespace, c.metadata.name), c]));
    // Node holding each ReadWriteOnce claim: where an attached, live pod uses it.
    const holder = new Map<string, { node: string; users: string[] }>();
    const hold = (pod: Pod) => {
        for (const v of pod.spec.volumes ?? []) {
            const claim =
                v.persistentVolumeClaim &&
                claimsByKey.get(key(pod.metadata.namespace, v.persistentVolumeClaim.claimName));
            if (claim && isReadWriteOnceOnly(claim)) {
                const k = key(claim.metadata.namespace, claim.metadata.name);
                const current = holder.get(k) ?? { node: pod.spec.nodeName!, users: [] };
                current.users.push(pod.metadata.name);
                holder.set(k, current);
            }
        }
    };
    const attached = (pod: Pod) => pod.metadata.annotations?.[VOLUMES_ATTACHED_ANNOTATION] === "true";
    pods.filter((p) => isLive(p) && p.spec.nodeName && attached(p)).forEach(hold);

    const decisions: AttachDecision[] = [];
    for (const pod of pods.filter((p) => isLive(p) && p.spec.nodeName && !attached(p))) {
        let conflict: AttachDecision["conflict"];
        let waiting = false;
        for (const v of pod.spec.volumes ?? []) {
            if (!v.persistentVolumeClaim) {
                continue;
            }
            const claim = claimsByKey.get(key(pod.metadata.namespace, v.persistentVolumeClaim.claimName));
            if (!claim || claim.status?.phase !== "Bound") {
                waiting = true; // the kubelet waits for the claim too
                continue;
            }
            const held = holder.get(key(claim.metadata.namespace, claim.metadata.name));
            if (isReadWriteOnceOnly(claim) && held && held.node !== pod.spec.nodeName) {
                conflict = {
                    claim: claim.metadata.name,
                    volume: claim.spec.volumeName ?? claim.metadata.name,
                    node: held.node,
                    users: held.users,
                };
            }
        }
        if (conflict) {
            decisions.push({ pod, conflict });
        } else if (!waiting) {
            decisions.push({ pod });
            hold(pod); // later pods of this pass see the claim as attached here
        }
    }
    return decisions;
}

function isReadWriteOnceOnly(claim: Claim): boolean {
    const modes = claim.spec.accessModes ?? [];
    return modes.includes("ReadWriteOnce") && !modes.includes("ReadWriteMany") && !modes.includes("ReadOnlyMany");
}

async function pass(conn: KubeConnection, reported: Set<string>): Promise<void> {
    const [pods, claims] = await Promise.all([
        kubeRequest<{ items: Pod[] }>(conn, "GET", "/api/v1/pods"),
        kubeRequest<{ items: Claim[] }>(conn, "GET", "/api/v1/persistentvolumeclaims"),
    ]);
    for (const { pod, conflict } of decideAttachments(pods.items, claims.items)) {
        const { namespace, name, uid } = pod.metadata;
        if (!conflict) {
            await kubeRequest(
                conn,
                "PATCH",
                `/api/v1/namespaces/${namespace}/pods/${name}`,
                { metadata: { annotations: { [VOLUMES_ATTACHED_ANNOTATION]: "true" } } },
                "application/merge-patch+json",
            );
            continue;
        }
        if (reported.has(uid)) {
            continue;
        }
        reported.add(uid);
        // The attach/detach controller's wording, so people recognise it from a real cluster.
        const now = new Date().toISOString();
        await kubeRequest(conn, "POST", `/api/v1/namespaces/${namespace}/events`, {
            metadata: { generateName: `${name}.`, namespace },
            involvedObject: { kind: "Pod", namespace, name, uid, apiVersion: "v1" },
            type: "Warning",
            reason: "FailedAttachVolume",
            message: `Multi-Attach error for volume "${conflict.volume}" Volume is already used by pod(s) ${conflict.users.join(", ")} on node ${conflict.node} (claim ${conflict.claim} is ReadWriteOnce)`,
            source: { component: "attachdetach-controller" },
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
        });
    }
}

async function main(): Promise<void> {
    const kubeconfig = process.argv[2];
    if (!kubeconfig) {
        throw new Error("usage: attach.ts <kubeconfig>");
    }
    const conn = connectionFromKubeconfig(kubeconfig);
    const reported = new Set<string>();
    for (;;) {
        try {
            await pass(conn, reported);
        } catch (err) {
            console.error(`${new Date().toISOString()} attach: ${(err as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}

if (require.main === module) {
    main().catch((err) => {
        console.error(err);
        process.exit(1);
    });
}
