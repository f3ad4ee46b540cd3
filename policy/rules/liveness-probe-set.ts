import { probeRequiredPolicy } from "../probe-required";

export const livenessProbeSet = probeRequiredPolicy(
    "liveness-probe-set",
    "livenessProbe",
    "without it a hung process is never restarted",
);
