import { probeRequiredPolicy } from "../probe-required";

export const readinessProbeSet = probeRequiredPolicy(
    "readiness-probe-set",
    "readinessProbe",
    "without it a crashing pod counts as ready and rollouts cannot fail fast",
);
