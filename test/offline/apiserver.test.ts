// The offline API-server rules (offline/apiserver/, issue 25): every mutation of test/support/apiserver-mutations.ts
// is reported on the path kube-apiserver rejects it at (test:cluster's apiserver-parity test dry-runs the same
// mutants against a real one), and the compliant fixture it was made from is not reported at all.
import { strict as assert } from "assert";
import { APISERVER_RULES, ApiServerRule, apiServerProblems, objectView, rulesFor } from "../../offline/apiserver";
import { cronProblem } from "../../offline/apiserver/workloads";
import { toKubernetesObject, validateKubernetesObject } from "../../offline/schema";
import { compliantStack, kinds } from "../policy/fixtures";
import { mutationsOf, MUTATIONS } from "../support/apiserver-mutations";

type Json = Record<string, any>;

/** One compliant object per kind of the policy fixtures, as the check sees it. */
const FIXTURES: Json[] = [];
for (const r of compliantStack()) {
    const o = toKubernetesObject(r);
    if (o && !FIXTURES.some((f) => f.kind === o.kind)) {
        FIXTURES.push(o);
    }
}

const pathsOf = (problems: string[]) => problems.map((p) => p.slice(0, p.indexOf(": ")));

describe("offline API-server rules: each rejection on kube-apiserver's field path (issue 25)", () => {
    it("the compliant fixture of every kind passes every rule", () => {
        for (const o of FIXTURES) {
            assert.deepEqual(validateKubernetesObject(o), [], `${String(o.kind)}`);
        }
    });

    for (const mutation of MUTATIONS) {
        it(`reports ${mutation.change}`, () => {
            let applied = 0;
            for (const fixture of FIXTURES.filter((f) => mutationsOf(f.kind).includes(mutation))) {
                const o = structuredClone(fixture);
                const at = mutation.apply(o);
                if (at === undefined) {
                    continue;
                }
                applied++;
                const problems = validateKubernetesObject(o);
                assert.ok(
                    pathsOf(problems).includes(at),
                    `${String(o.kind)}: expected ${at} among ${JSON.stringify(problems)}`,
                );
            }
            assert.ok(applied > 0, "no fixture to apply it to");
        });
    }

    it("every rule reports at least one mutant (each rule has a failing fixture)", () => {
        const fired = new Set<ApiServerRule>();
        for (const fixture of FIXTURES) {
            for (const mutation of mutationsOf(fixture.kind)) {
                const o = structuredClone(fixture);
                if (mutation.apply(o) === undefined) {
                    continue;
                }
                const view = objectView(o, o.kind);
                for (const rule of rulesFor(o, o.kind)) {
                    rule.check(view, () => fired.add(rule));
                }
            }
        }
        assert.deepEqual(
            APISERVER_RULES.filter((r) => !fired.has(r)).map((r) => r.source),
            [],
        );
    });

    it("a Job without restartPolicy is rejected: its pods would default to Always", () => {
        const job = toKubernetesObject(compliantStack().find((r) => r.name === "migrate")!)!;
        delete (job.spec as Json).template.spec.restartPolicy;
        assert.deepEqual(apiServerProblems(job, "Job"), [
            `spec.template.spec.restartPolicy: required: valid values "OnFailure", "Never" (a Job's pods default to Always, which a Job may not have)`,
        ]);
    });

    it("a StatefulSet's volumes are counted after its volumeClaimTemplates, as the API server reports them", () => {
        const sts: Json = { apiVersion: "apps/v1", kind: "StatefulSet", ...kinds.statefulSet() };
        sts.spec.template.spec.volumes[0].name = "tmp_dir";
        assert.ok(
            apiServerProblems(sts, "StatefulSet").includes(
                `spec.template.spec.volumes[1].name: "tmp_dir" is not a DNS-1123 label (volumes[0] as written: the API server counts the volumeClaimTemplates first)`,
            ),
        );
    });

    it("the API server's own leniencies stay lenient: a PDB's name, a volume without source, Indexed Jobs without parallelism", () => {
        const pdb: Json = { apiVersion: "policy/v1", kind: "PodDisruptionBudget", ...kinds.pdb() };
        pdb.metadata.name = "Web_Front";
        const deployment: Json = { apiVersion: "apps/v1", kind: "Deployment", ...kinds.deployment() };
        deployment.spec.template.spec.volumes.push({ name: "scratch" });
        const job: Json = { apiVersion: "batch/v1", kind: "Job", ...kinds.job() };
        job.spec.completionMode = "Indexed";
        for (const o of [pdb, deployment, job]) {
            assert.deepEqual(validateKubernetesObject(o), [], String(o.kind));
        }
    });

    it("cron schedules as robfig/cron's standard parser reads them", () => {
        for (const ok of ["0 3 * * *", "*/15 9-17 * * MON-FRI", "0 0 1 jan,jul ?", "@hourly", "@every 1h30m"]) {
            assert.equal(cronProblem(ok), undefined, ok);
        }
        for (const bad of ["61 * * * *", "* * * *", "0 0 * * 7", "*/0 * * * *", "5-1 * * * *", "@often"]) {
            assert.ok(cronProblem(bad) !== undefined, bad);
        }
    });
});
