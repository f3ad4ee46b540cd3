// The rollout, lifecycle and autoscaling rules every Deployment shares (components/workload.ts): the bounds of each
// setting at their edges (L15, L16, L21), the cross-field rules and the Deployment fields they become (L29).
import * as assert from "assert";
import { Api } from "../../components/api";
import { recordResources } from "../../offline/run-program";
import { one, pinned } from "./support";
import {
    autoscalingProblems,
    DEFAULT_CPU_UTILIZATION,
    DEFAULT_PROGRESS_DEADLINE_SECONDS,
    DEFAULT_REVISION_HISTORY_LIMIT,
    DEFAULT_ROLLOUT_TIMEOUT_SECONDS,
    DEFAULT_TERMINATION_GRACE_SECONDS,
    minReplicas,
    rolloutSettings,
    WorkloadTuning,
    workloadProblems,
} from "../../components/workload";

const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe("workload settings (components/workload.ts)", () => {
    // [setting, lowest allowed, highest allowed, default, lessons]
    const BOUNDS: [keyof WorkloadTuning, number, number, number, string[]][] = [
        ["terminationGracePeriodSeconds", 5, 600, DEFAULT_TERMINATION_GRACE_SECONDS, ["L21"]],
        ["progressDeadlineSeconds", 30, 1200, DEFAULT_PROGRESS_DEADLINE_SECONDS, ["L15"]],
        ["rolloutTimeoutSeconds", 60, 3600, DEFAULT_ROLLOUT_TIMEOUT_SECONDS, ["L15"]],
        ["revisionHistoryLimit", 1, 10, DEFAULT_REVISION_HISTORY_LIMIT, ["L16"]],
    ];
    for (const [setting, lo, hi, suggested, lessons] of BOUNDS) {
        it(`${lessons.join("/")} ${setting}: ${lo} to ${hi} accepted, one beyond either end or a fraction refused`, () => {
            // A short deadline, so every allowed rollout timeout exceeds it (that rule is the next test's).
            const base: WorkloadTuning = setting === "progressDeadlineSeconds" ? {} : { progressDeadlineSeconds: 30 };
            const problems = (value: number) => workloadProblems({ ...base, [setting]: value }, "api.");
            assert.deepStrictEqual(problems(lo), []);
            assert.deepStrictEqual(problems(hi), []);
            for (const wrong of [lo - 1, hi + 1, lo + 0.5]) {
                assert.deepStrictEqual(
                    problems(wrong).map(({ field, got, fix, suggested, lessons }) => ({
                        field,
                        got,
                        fix,
                        suggested,
                        lessons,
                    })),
                    [
                        {
                            field: `api.${setting}`,
                            got: wrong,
                            fix: `set api.${setting} to ${suggested}`,
                            suggested: String(suggested),
                            lessons,
                        },
                    ],
                    `${setting} = ${wrong}`,
                );
            }
        });
    }

    it("L15 the rollout timeout must exceed the progress deadline: equal is refused, one more second accepted", () => {
        assert.deepStrictEqual(workloadProblems({ progressDeadlineSeconds: 120, rolloutTimeoutSeconds: 121 }, ""), []);
        const [problem, ...more] = workloadProblems(
            { progressDeadlineSeconds: 120, rolloutTimeoutSeconds: 120 },
            "site.",
        );
        assert.deepStrictEqual(more, []);
        assert.deepStrictEqual(problem, {
            field: "site.rolloutTimeoutSeconds",
            problem:
                "must exceed site.progressDeadlineSeconds (120), or pulumi up gives up before the Deployment says why",
            got: 120,
            fix: "set site.rolloutTimeoutSeconds to 180 or more",
            suggested: "180",
            lessons: ["L15"],
        });
        // Against the default deadline when none is set.
        assert.deepStrictEqual(
            fields(workloadProblems({ rolloutTimeoutSeconds: DEFAULT_PROGRESS_DEADLINE_SECONDS }, "")),
            ["rolloutTimeoutSeconds"],
        );
    });

    it("L15 a bad setting is reported alone: the timeout rule waits until the settings it compares are valid", () => {
        assert.deepStrictEqual(
            fields(workloadProblems({ progressDeadlineSeconds: 20, rolloutTimeoutSeconds: 60 }, "")),
            ["progressDeadlineSeconds"],
        );
        assert.deepStrictEqual(
            fields(
                workloadProblems(
                    { revisionHistoryLimit: 50, progressDeadlineSeconds: 120, rolloutTimeoutSeconds: 120 },
                    "",
                ),
            ),
            ["revisionHistoryLimit"],
        );
    });

    it("L15 the default rollout timeout follows a progress deadline beyond it, a minute later", () => {
        const timeoutOf = (tuning: WorkloadTuning) =>
            rolloutSettings(tuning, { replicas: 2 }, "RollingUpdate", {}).customTimeouts;
        assert.deepStrictEqual(timeoutOf({ progressDeadlineSeconds: DEFAULT_ROLLOUT_TIMEOUT_SECONDS - 60 }), {
            create: `${DEFAULT_ROLLOUT_TIMEOUT_SECONDS}s`,
            update: `${DEFAULT_ROLLOUT_TIMEOUT_SECONDS}s`,
            delete: "5m",
        });
        assert.strictEqual(timeoutOf({ progressDeadlineSeconds: DEFAULT_ROLLOUT_TIMEOUT_SECONDS }).create, "660s");
        assert.deepStrictEqual(workloadProblems({ progressDeadlineSeconds: DEFAULT_ROLLOUT_TIMEOUT_SECONDS }, ""), []);
    });
});

describe("autoscaling bounds (components/workload.ts)", () => {
    it("L10/L21 min at the floor is accepted, below it refused with the floor as the fix; the site's floor cites no lesson", () => {
        assert.deepStrictEqual(autoscalingProblems({ min: 2, max: 2 }, "api.autoscaling", 2), []);
        assert.deepStrictEqual(autoscalingProblems({ min: 1, max: 2 }, "api.autoscaling", 2), [
            {
                field: "api.autoscaling.min",
                problem: "must be an integer ≥ 2",
                got: 1,
                fix: "set api.autoscaling.min to 2",
                suggested: "2",
                lessons: ["L10", "L21"],
            },
        ]);
        const [site] = autoscalingProblems({ min: 0, max: 2 }, "site.autoscaling", 1);
        assert.deepStrictEqual([site.field, site.suggested, site.lessons], ["site.autoscaling.min", "1", []]);
        assert.deepStrictEqual(fields(autoscalingProblems({ min: 2.5, max: 4 }, "api.autoscaling", 2)), [
            "api.autoscaling.min",
        ]);
        assert.deepStrictEqual(fields(autoscalingProblems({ max: 4 } as never, "api.autoscaling", 2)), [
            "api.autoscaling.min",
        ]);
    });

    it("L21 max below min or a fraction is refused, suggesting twice the larger of min and the floor; after min's problem", () => {
        assert.deepStrictEqual(autoscalingProblems({ min: 3, max: 2 }, "api.autoscaling", 2), [
            {
                field: "api.autoscaling.max",
                problem: "must be an integer ≥ api.autoscaling.min (3)",
                got: 2,
                fix: "set api.autoscaling.max to 6",
                suggested: "6",
            },
        ]);
        assert.deepStrictEqual(fields(autoscalingProblems({ min: 2, max: 4.5 }, "api.autoscaling", 2)), [
            "api.autoscaling.max",
        ]);
        const both = autoscalingProblems({ min: 0, max: -1, cpuUtilization: 5 }, "api.autoscaling", 2);
        assert.deepStrictEqual(fields(both), [
            "api.autoscaling.min",
            "api.autoscaling.max",
            "api.autoscaling.cpuUtilization",
        ]);
        assert.strictEqual(both[1].suggested, "4", "twice the floor when min is below it");
        // Without a problem of min, max's comes first.
        assert.deepStrictEqual(
            fields(autoscalingProblems({ min: 2, max: 1, cpuUtilization: 5 }, "api.autoscaling", 2)),
            ["api.autoscaling.max", "api.autoscaling.cpuUtilization"],
        );
    });

    it("cpuUtilization: 10 to 95 percent accepted, beyond either end refused with the default as the fix", () => {
        for (const cpuUtilization of [10, 95]) {
            assert.deepStrictEqual(autoscalingProblems({ min: 2, max: 4, cpuUtilization }, "api.autoscaling", 2), []);
        }
        for (const cpuUtilization of [9, 96, 50.5]) {
            assert.deepStrictEqual(
                autoscalingProblems({ min: 2, max: 4, cpuUtilization }, "api.autoscaling", 2).map((p) => [
                    p.field,
                    p.suggested,
                ]),
                [["api.autoscaling.cpuUtilization", String(DEFAULT_CPU_UTILIZATION)]],
                `cpuUtilization ${cpuUtilization}`,
            );
        }
    });

    it("L21 the fewest pods: the fixed count, or the autoscaler's min", () => {
        assert.strictEqual(minReplicas({ replicas: 3 }), 3);
        assert.strictEqual(minReplicas({ autoscaling: { min: 2, max: 5 } }), 2);
    });
});

describe("rollout settings (components/workload.ts)", () => {
    it("L29 RollingUpdate replaces a pod only once its successor is Ready; Recreate has no rolling parameters", () => {
        const selector = { app: "shop" };
        const rolling = rolloutSettings({}, { replicas: 2 }, "RollingUpdate", selector);
        assert.deepStrictEqual(rolling.deploymentSpec, {
            replicas: 2,
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            progressDeadlineSeconds: DEFAULT_PROGRESS_DEADLINE_SECONDS,
            revisionHistoryLimit: DEFAULT_REVISION_HISTORY_LIMIT,
        });
        assert.deepStrictEqual(rolloutSettings({}, { replicas: 1 }, "Recreate", selector).deploymentSpec.strategy, {
            type: "Recreate",
        });
    });

    it("L21 pods spread softly over nodes, selected by the workload's own labels; the grace period is the setting's", () => {
        const selector = { app: "shop", component: "api" };
        const { podSpec } = rolloutSettings(
            { terminationGracePeriodSeconds: 45 },
            { autoscaling: { min: 2, max: 4 } },
            "RollingUpdate",
            selector,
        );
        assert.deepStrictEqual(podSpec, {
            terminationGracePeriodSeconds: 45,
            topologySpreadConstraints: [
                {
                    maxSkew: 1,
                    topologyKey: "kubernetes.io/hostname",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: selector },
                },
            ],
        });
    });

    it("L21 the serving companions: a PDB over the Deployment's pods, an HPA scaling the Deployment on CPU utilization", async () => {
        const resources = await recordResources(() => {
            new Api("shop-api", {
                namespace: "demo",
                image: pinned("quay.io/acme/api", "c"),
                command: ["gunicorn", "app:app"],
                autoscaling: { min: 2, max: 5 },
            });
        });
        const deployment = one(resources, "Deployment", "shop-api").obj;
        const pdb = one(resources, "PodDisruptionBudget", "shop-api").obj;
        assert.deepStrictEqual(pdb.spec.selector, deployment.spec.selector);
        const hpa = one(resources, "HorizontalPodAutoscaler", "shop-api").obj;
        assert.deepStrictEqual(
            [hpa.metadata.name, hpa.metadata.namespace, hpa.metadata.labels],
            ["shop-api", "demo", deployment.metadata.labels],
        );
        assert.deepStrictEqual(hpa.spec.scaleTargetRef, {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: deployment.metadata.name,
        });
        assert.deepStrictEqual(hpa.spec.metrics, [
            {
                type: "Resource",
                resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } },
            },
        ]);
    });
});
