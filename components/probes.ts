import * as k8s from "@pulumi/kubernetes";

type Probe = k8s.types.input.core.v1.Probe;

/** What a probe runs: an HTTP GET on the container's own port, or a command. */
export type ProbeCheck = { httpGet: { port: number; path: string } } | { exec: { command: string[] } };

export interface ContainerProbes {
    /** Gates Service traffic (L15). */
    readinessProbe: Probe;
    /** Restarts a hung container (L27). */
    livenessProbe: Probe;
    /** Holds liveness off while the container starts. */
    startupProbe: Probe;
}

/**
 * Readiness, liveness and startup probes from one check (L15, L27), so the probes can never disagree on the
 * port the container listens on (L18). The startup probe gives slow starts (AOF replay, migrations warming
 * up) `startupSeconds` before liveness may kill the container; readiness then gates traffic every 5 s.
 */
export function probesFor(check: ProbeCheck, startupSeconds = 120): ContainerProbes {
    const periodSeconds = 5;
    return {
        startupProbe: {
            ...check,
            periodSeconds,
            failureThreshold: Math.ceil(startupSeconds / periodSeconds),
            timeoutSeconds: 3,
        },
        readinessProbe: { ...check, periodSeconds, failureThreshold: 3, timeoutSeconds: 3 },
        livenessProbe: { ...check, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
    };
}
