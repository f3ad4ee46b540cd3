import { TYPES } from "../../policy/k8s";
import { hpaTargetExists as policy } from "../../policy/rules/hpa-target-exists";
import { compliantStack, expectMessages, stackWith } from "./fixtures";

const hpa = (change: (ref: Record<string, any>) => void) =>
    stackWith(TYPES.hpaV2, "web", (o) => change(o.spec.scaleTargetRef));
const FIX =
    "so the autoscaler scales nothing. Fix: point scaleTargetRef at the workload (apiVersion apps/v1, its kind and metadata.name).";

describe("policy hpa-target-exists [L10]", () => {
    it("[L10] passes an HPA targeting the stack's web Deployment", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L10] passes a StatefulSet target", async () => {
        await expectMessages(
            policy,
            hpa((r) => {
                r.kind = "StatefulSet";
                r.name = "redis";
            }),
            [],
        );
    });

    it("[L10] reports a renamed (missing) Deployment", async () => {
        await expectMessages(
            policy,
            hpa((r) => {
                r.name = "web-v2";
            }),
            [
                `HorizontalPodAutoscaler "web" (spec.scaleTargetRef): Deployment "web-v2" does not exist in namespace "shop" of this stack, ${FIX}`,
            ],
        );
    });

    it("[L10] reports a target of the wrong kind or API group", async () => {
        await expectMessages(
            policy,
            hpa((r) => {
                r.apiVersion = "v1";
                r.kind = "Service";
            }),
            [
                `HorizontalPodAutoscaler "web" (spec.scaleTargetRef): v1 Service is not a kind the stack can scale (apps/v1 Deployment, StatefulSet, ReplicaSet), ${FIX}`,
            ],
        );
        await expectMessages(
            policy,
            hpa((r) => {
                delete r.apiVersion;
                delete r.kind;
            }),
            [
                `HorizontalPodAutoscaler "web" (spec.scaleTargetRef): (no apiVersion) (no kind) is not a kind the stack can scale (apps/v1 Deployment, StatefulSet, ReplicaSet), ${FIX}`,
            ],
        );
    });
});
