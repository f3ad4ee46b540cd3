// The two judgements of `npm run verify` (L24), apart from the network, kubectl and the command line:
// does what the URL answered carry the expected version, and which pods run a digest the stack no longer
// deploys. Pure functions of what was seen, so each verdict and message is tested without a server or cluster.
import { digestOf, LABEL_KEYS, MANAGED_BY } from "../components/facts";

// ---- live version header ---------------------------------------------------------------------------

/** What one request saw: the status and the version header's value, or why there was no answer. */
export type VersionAttempt = { status: number; value: string | undefined } | { error: string };

/** The version a check expects, and where it looks for it. */
export interface VersionTarget {
    url: string;
    /** Response header carrying the version. */
    header: string;
    expected: string;
}

export interface VersionVerdict {
    ok: boolean;
    /** One line for people: what was served, what was expected, what to do. */
    message: string;
}

/** True when the attempt was answered with the expected version. */
export function servesExpected(attempt: VersionAttempt, expected: string): boolean {
    return "status" in attempt && attempt.value === expected;
}

/** Whether another attempt fits: it would start after `intervalMs` more and must start within the timeout. */
export function shouldRetry(elapsedMs: number, intervalMs: number, timeoutMs: number): boolean {
    return elapsedMs + intervalMs <= timeoutMs;
}

/** What one attempt saw, for the progress line. */
export function describeAttempt(attempt: VersionAttempt, header: string): string {
    if ("error" in attempt) {
        return `unreachable (${attempt.error})`;
    }
    return attempt.value === undefined ? `HTTP ${attempt.status} without ${header}` : `${header}: ${attempt.value}`;
}

/** The line printed before a retry: attempt number, what was served, the pause and the time left. */
export function progressLine(
    target: VersionTarget,
    attempts: number,
    last: VersionAttempt,
    elapsedMs: number,
    intervalMs: number,
    timeoutMs: number,
): string {
    const left = Math.max(0, Math.round((timeoutMs - elapsedMs) / 1000));
    return `verify: attempt ${attempts}: ${describeAttempt(last, target.header)}, expected ${target.expected}; retrying in ${intervalMs / 1000} s (${left} s left)`;
}

/** The verdict once the attempts stop: `last` is the final attempt, after `attempts` tries over `elapsedMs`. */
export function versionVerdict(
    target: VersionTarget,
    last: VersionAttempt,
    attempts: number,
    elapsedMs: number,
): VersionVerdict {
    const { url, header, expected } = target;
    if (servesExpected(last, expected)) {
        return {
            ok: true,
            message: `verify: ${url} serves ${header}: ${expected} as expected (${attempts} attempt(s), ${(elapsedMs / 1000).toFixed(1)} s)`,
        };
    }
    const tried = `after ${attempts} attempt(s) over ${Math.round(elapsedMs / 1000)} s`;
    let problem: string;
    if ("error" in last) {
        problem = `could not be reached (${last.error}) ${tried}. Fix: check the URL and that the route/ingress exists`;
    } else if (last.value === undefined) {
        problem =
            `answered HTTP ${last.status} without a ${header} header ${tried}, expected ${expected}. ` +
            `Fix: the server answering is not this stack's nginx, or it predates the version header; check the route and roll out the stack`;
    } else {
        problem =
            `serves ${header}: ${last.value}, not the expected ${expected}, ${tried}. ` +
            `Fix: the rollout has not finished or stale pods still serve; run with --pods (or kubectl access) to name them`;
    }
    return { ok: false, message: `verify: ${url} ${problem} [L24]` };
}

// ---- pods ------------------------------------------------------------------------------------------

/** The parts of `kubectl get pods -o json` the comparison reads. */
export interface PodList {
    items: Array<{
        metadata: { name: string; namespace?: string };
        spec?: {
            containers?: Array<{ name: string; image: string }>;
            initContainers?: Array<{ name: string; image: string }>;
        };
        status?: {
            phase?: string;
            containerStatuses?: Array<{ name: string; image?: string; imageID?: string }>;
            initContainerStatuses?: Array<{ name: string; image?: string; imageID?: string }>;
        };
    }>;
}

export interface StalePod {
    pod: string;
    container: string;
    /** Why it is stale, with the digest it runs. */
    reason: string;
}

/**
 * Every running pod's containers must run one of the deployed digests, by what the kubelet reports
 * (`status.containerStatuses[].imageID`), not by what the spec asks for. Finished pods (Job runs) are skipped.
 */
export function findStalePods(pods: PodList, deployedRefs: string[]): StalePod[] {
    const deployed = new Set(deployedRefs.map((ref) => digestOf(ref)).filter((d): d is string => d !== undefined));
    const stale: StalePod[] = [];
    for (const pod of pods.items) {
        const phase = pod.status?.phase;
        if (phase === "Succeeded" || phase === "Failed") {
            continue;
        }
        const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
        const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
        for (const spec of specs) {
            const status = statuses.find((s) => s.name === spec.name);
            const running = status?.imageID ? digestOf(status.imageID) : undefined;
            const wanted = digestOf(spec.image);
            let reason: string | undefined;
            if (wanted === undefined || !deployed.has(wanted)) {
                reason = `its template asks for ${spec.image}, which this stack no longer deploys (an old ReplicaSet or a hand edit)`;
            } else if (running === undefined) {
                reason = `reports no image digest yet (imageID ${JSON.stringify(status?.imageID ?? "")}, phase ${phase ?? "unknown"})`;
            } else if (!deployed.has(running)) {
                reason = `runs ${running}, not a deployed digest (template asks for ${wanted})`;
            }
            if (reason !== undefined) {
                stale.push({ pod: pod.metadata.name, container: spec.name, reason });
            }
        }
    }
    return stale;
}

/** The pod comparison's lines and verdict: one line per stale container and a fix, or one line saying all match. */
export function podsVerdict(pods: PodList, images: Record<string, string>): { ok: boolean; lines: string[] } {
    const stale = findStalePods(pods, Object.values(images));
    if (stale.length === 0) {
        return {
            ok: true,
            lines: [`verify: all ${pods.items.length} pod(s) run deployed digests (${Object.keys(images).join(", ")})`],
        };
    }
    return {
        ok: false,
        lines: [
            ...stale.map((s) => `verify: stale pod ${s.pod} (container ${s.container}): ${s.reason} [L12, L24]`),
            `verify: ${stale.length} stale container(s). Fix: wait for the rollout, or find why it stalled: kubectl rollout status / kubectl describe pod <name>`,
        ],
    };
}

/** Selector for stacks deployed before they exported podSelector: every pod Pulumi manages in the namespace. */
export const FALLBACK_POD_SELECTOR = `${LABEL_KEYS.managedBy}=${MANAGED_BY}`;

/** The label selector kubectl is asked with: the flag, else the stack's own podSelector output, else the fallback. */
export function podSelectorFor(flag: string | undefined, outputs: Record<string, unknown>): string {
    return (
        flag ??
        (typeof outputs.podSelector === "string" && outputs.podSelector !== ""
            ? outputs.podSelector
            : FALLBACK_POD_SELECTOR)
    );
}
