// Probes and security contexts every component's containers share (components/probes.ts, security-context.ts).
import * as assert from "assert";
import { probesFor } from "../../components/probes";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../components/security-context";

describe("probesFor (components/probes.ts)", () => {
    const check = { httpGet: { port: 8080, path: "/_webstack/healthz" } };

    it("L15/L18/L27 all three probes run the one check, each answering before its next run", () => {
        const probes = probesFor(check);
        for (const [name, probe] of Object.entries(probes)) {
            assert.deepStrictEqual(probe.httpGet, check.httpGet, name);
            assert.ok(Number(probe.timeoutSeconds) < Number(probe.periodSeconds), `${name}: timeout within the period`);
            assert.ok(Number(probe.failureThreshold) >= 3, `${name}: one slow answer never acts`);
        }
        assert.strictEqual(probes.readinessProbe.periodSeconds, 5, "readiness gates traffic every 5 s (L15)");
    });

    it("L27 the startup probe holds liveness off for startupSeconds, rounded up to whole periods", () => {
        const window = (startupSeconds: number) => {
            const { startupProbe } = probesFor({ exec: { command: ["true"] } }, startupSeconds);
            return Number(startupProbe.failureThreshold) * Number(startupProbe.periodSeconds);
        };
        assert.strictEqual(window(120), 120);
        assert.strictEqual(window(121), 125);
        assert.strictEqual(window(300), 300);
        assert.strictEqual(window(1), 5);
    });
});

describe("restricted security contexts (components/security-context.ts)", () => {
    it("L30 the pod runs as non-root under the runtime's seccomp profile, with no fixed UID (OpenShift assigns one)", () => {
        assert.deepStrictEqual(restrictedPodSecurityContext(), {
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
        });
    });

    it("L26/L30 each container: no privilege escalation, no capabilities, read-only root, non-root, seccomp", () => {
        assert.deepStrictEqual(restrictedContainerSecurityContext(), {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
    });
});
