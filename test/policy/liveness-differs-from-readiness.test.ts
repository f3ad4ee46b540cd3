import { TYPES } from "../../policy/k8s";
import { livenessDiffersFromReadiness as policy } from "../../policy/rules/liveness-differs-from-readiness";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

const IDENTICAL = (who: string, path: string) =>
    `${who} container "app" (${path}.containers[0].livenessProbe): identical to the readinessProbe, so a slow dependency restarts every pod at once instead of taking them out of the Service. Fix: probe liveness on a cheap endpoint that checks only the process, with a higher failureThreshold than readiness.`;

describe("policy liveness-differs-from-readiness [L27, L15]", () => {
    it("[L27] passes the baseline (readiness /readyz, liveness /healthz)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L27] reports a livenessProbe that is the readinessProbe", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                const c = o.spec.template.spec.containers[0];
                c.livenessProbe = structuredClone(c.readinessProbe);
            }),
            [IDENTICAL('Deployment "web"', "spec.template.spec")],
        );
    });

    it("[L15] compares with the kubelet's defaults: periodSeconds 10 written out is still the same probe", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.statefulSet, "redis", (o) => {
                const c = o.spec.template.spec.containers[0];
                c.livenessProbe = { ...c.readinessProbe, periodSeconds: 10, failureThreshold: 3 };
            }),
            [IDENTICAL('StatefulSet "redis"', "spec.template.spec").replace('container "app"', 'container "redis"')],
        );
    });

    it("[L27] passes the same handler with a higher failureThreshold", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                const c = o.spec.template.spec.containers[0];
                c.livenessProbe = { ...c.readinessProbe, failureThreshold: 6 };
            }),
            [],
        );
    });

    it("[L27] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
