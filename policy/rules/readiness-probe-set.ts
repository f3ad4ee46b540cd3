import { probeRequiredPolicy } from "../probeRequired";

export const readinessProbeSet = probeRequiredPolicy("readiness-probe-set", "readinessProbe", "L15, L27",
    "without it a crashing pod counts as ready and rollouts cannot fail fast");
