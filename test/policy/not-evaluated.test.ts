/**
 * "Not evaluated" (issue 22 item 4): a mandatory policy that cannot run during preview because an input is unknown is
 * reported with the unknown input; by default (fail-except-images) it fails unless the unknown is an image reference
 * produced in the same update (an api.build digest), and the setting's other modes report only or always fail.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { runPolicies, Violation } from "../../offline/policy-runner";
import { summaryLine, textReport, type CheckReport } from "../../offline/report";
import { TYPES } from "../../policy/k8s";
import { IMAGE_EXEMPTION, NOT_EVALUATED_ENV } from "../../policy/not-evaluated";
import { packPolicies } from "../../policy/policies";
import { stackWith } from "./fixtures";

const UNKNOWN = pulumi.runtime.unknownValue;
const only = (...names: string[]) => packPolicies.filter((p) => names.includes(p.name));

/** Deployment "web" with its container port (read by no-privileged-ports) or its image unknown, as in a first preview. */
const unknownPort = () =>
    stackWith(TYPES.deployment, "web", (o) => {
        o.spec.template.spec.containers[0].ports = [{ containerPort: UNKNOWN }];
    });
const unknownImage = () =>
    stackWith(TYPES.deployment, "web", (o) => {
        o.spec.template.spec.containers[0].image = UNKNOWN;
    });

async function underMode(mode: string | undefined, run: () => Promise<Violation[]>): Promise<Violation[]> {
    const saved = process.env[NOT_EVALUATED_ENV];
    if (mode === undefined) {
        delete process.env[NOT_EVALUATED_ENV];
    } else {
        process.env[NOT_EVALUATED_ENV] = mode;
    }
    try {
        return await run();
    } finally {
        if (saved === undefined) {
            delete process.env[NOT_EVALUATED_ENV];
        } else {
            process.env[NOT_EVALUATED_ENV] = saved;
        }
    }
}

const summary = (v: Violation[]) => v.map((x) => [x.policy, x.level, x.notEvaluated?.input, x.notEvaluated?.exempt]);

describe("not evaluated: a policy that cannot run during preview (issue 22 item 4)", () => {
    it("default: an unknown port makes mandatory no-privileged-ports not evaluated, and that fails (fail closed)", async () => {
        const v = await underMode(undefined, () =>
            runPolicies(unknownPort(), { policies: only("no-privileged-ports") }),
        );
        assert.deepEqual(summary(v), [
            ["no-privileged-ports", "mandatory", "spec.template.spec.containers[0].ports[0].containerPort", undefined],
        ]);
        assert.match(
            v[0].message,
            /^can't run policy 'no-privileged-ports' during preview: \w+ value at \.spec\.template\.spec\.containers\.0\.ports\.0\.containerPort can't be known during preview$/,
        );
    });

    it("default: an unknown image (an api.build digest) is not evaluated but exempt, advisory, and the exemption is named", async () => {
        const v = await underMode(undefined, () =>
            runPolicies(unknownImage(), { policies: only("images-digest-pinned") }),
        );
        assert.deepEqual(summary(v), [
            ["images-digest-pinned", "advisory", "spec.template.spec.containers[0].image", IMAGE_EXEMPTION],
        ]);
    });

    it("fail: the image unknown fails too; report: neither fails, both listed as not evaluated", async () => {
        const failing = await underMode("fail", () =>
            runPolicies(unknownImage(), { policies: only("images-digest-pinned") }),
        );
        assert.deepEqual(summary(failing), [
            ["images-digest-pinned", "mandatory", "spec.template.spec.containers[0].image", undefined],
        ]);
        const reporting = await underMode("report", () =>
            runPolicies(unknownPort(), { policies: only("no-privileged-ports") }),
        );
        assert.deepEqual(summary(reporting), [
            ["no-privileged-ports", "advisory", "spec.template.spec.containers[0].ports[0].containerPort", undefined],
        ]);
    });

    it("an advisory policy is never made to fail, whatever the mode", async () => {
        const stack = stackWith(TYPES.deployment, "web", (o) => {
            o.spec.template.spec.containers[0].readinessProbe = UNKNOWN;
        });
        const v = await underMode("fail", () => runPolicies(stack, { policies: only("readiness-probe-set") }));
        assert.deepEqual(summary(v), [
            ["readiness-probe-set", "advisory", "spec.template.spec.containers[0].readinessProbe", undefined],
        ]);
    });

    it("a bad mode is an error naming the variable and the modes", async () => {
        await assert.rejects(
            underMode("strict", () => runPolicies(unknownPort(), { policies: only("no-privileged-ports") })),
            /WEBSTACK_NOT_EVALUATED=strict is not a mode\. Fix: use one of report, fail, fail-except-images/,
        );
    });

    it("text report and summary line say not evaluated, with the unknown input", async () => {
        const violations = await underMode(undefined, () =>
            runPolicies([...unknownImage()], { policies: only("images-digest-pinned") }),
        );
        const report: CheckReport = {
            stack: "dev",
            source: "index.ts",
            resources: 1,
            objects: 1,
            violations,
            schemaErrors: [],
            unchecked: [],
            redactedSecrets: 0,
            notes: [],
        };
        const text = textReport(report, { allowUnchecked: false });
        assert.match(
            text,
            /^not-eval {2}images-digest-pinned .*NOT EVALUATED: the input spec\.template\.spec\.containers\[0\]\.image is unknown until the update runs; exempt from failing: an image reference/m,
        );
        assert.match(
            summaryLine(report, { allowUnchecked: false }),
            /0 mandatory and 0 advisory violations, 1 not evaluated \(a value unknown until the update runs\): PASS$/,
        );
    });
});
