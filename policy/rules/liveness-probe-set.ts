import { probeRequiredPolicy } from "../probeRequired";

export const livenessProbeSet = probeRequiredPolicy("liveness-probe-set", "livenessProbe", "L27, L21",
    "without it a hung process is never restarted");
