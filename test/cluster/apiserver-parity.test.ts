// Parity of the offline API-server rules (offline/apiserver/) with the real kube-apiserver (issue 25): a corpus of
// the dev and qa stacks' objects, the incident programs' objects, the policy fixtures, and single-field mutations of
// the stack objects and fixtures (test/support/apiserver-mutations.ts) is created with dryRun=All in a namespace
// without Pod Security enforcement. Every field the API server rejects must carry an offline schema error on the
// same path; no object it accepts may get one.
import * as assert from "assert";
import * as crypto from "crypto";
import { connectionFromKubeconfig } from "../../tools/cluster/kube-api";
import { causeKey, checkParity, ParityResult, parityCorpus } from "./support/apiserver-parity";
import { createTestNamespace, SUITE_KUBECONFIG, suiteCluster, suiteKubectl } from "./support/cluster";

const NS = `webstack-parity-${crypto.randomBytes(3).toString("hex")}`;
/** Rejections that are not validation: the request body limit (3 MiB, before decoding; the L08 incident's ConfigMap). */
const NOT_VALIDATION = new Set([413]);
const MIN_CORPUS = 200;
const MIN_CAUSES = 25;

describe("offline API-server rules match kube-apiserver's dry-run, field by field (issue 25)", function () {
    let results: ParityResult[] = [];
    let expected = new Map<string, string>();

    before(async function () {
        this.timeout(300_000);
        suiteCluster(); // the suite's root hooks prepared the cluster
        // Pod Security "privileged": its admission rejections must not mix with validation's.
        createTestNamespace(NS, "privileged");
        const corpus = await parityCorpus();
        expected = corpus.expected;
        results = await checkParity(connectionFromKubeconfig(SUITE_KUBECONFIG), corpus.cases, NS);
    });

    after(function () {
        suiteKubectl(["delete", "namespace", NS, "--wait=false", "--ignore-not-found"]);
    });

    it(`dry-runs a corpus of ≥ ${MIN_CORPUS} objects with ≥ ${MIN_CAUSES} distinct error causes, every mutant rejected at its path`, function () {
        const causes = new Set(results.flatMap((r) => (r.rejected?.causes ?? []).map(causeKey)));
        const rejected = results.filter((r) => r.rejected && !NOT_VALIDATION.has(r.rejected.status));
        const reported = rejected.filter((r) => r.missed.length === 0);
        process.stdout.write(
            `      parity: ${results.length} objects, ${rejected.length} rejected by kube-apiserver with ${causes.size} distinct causes; ` +
                `${reported.length}/${rejected.length} (${((100 * reported.length) / Math.max(rejected.length, 1)).toFixed(1)} %) reported offline on every rejected field; ` +
                `${results.filter((r) => !r.rejected && r.offline.length > 0).length} accepted objects with an offline schema error\n`,
        );
        assert.ok(results.length >= MIN_CORPUS, `corpus of ${results.length} objects`);
        assert.ok(causes.size >= MIN_CAUSES, `only ${causes.size} distinct causes: ${[...causes].join(", ")}`);
        const wrong = results.flatMap((r) => {
            const at = expected.get(r.label);
            if (at === undefined) {
                return [];
            }
            const fields = r.rejected?.causes.map((c) => c.field) ?? [];
            return fields.includes(at)
                ? []
                : [`${r.label}: expected a rejection at ${at}, got ${r.rejected ? fields.join(", ") : "accepted"}`];
        });
        assert.deepStrictEqual(wrong, []);
    });

    it("every field kube-apiserver rejects has an offline schema error on the same path (100 %)", function () {
        const missed = results
            .filter((r) => r.rejected && !NOT_VALIDATION.has(r.rejected.status))
            .flatMap((r) =>
                r.missed.length > 0 || r.rejected!.causes.length === 0
                    ? [`${r.label}: server ${r.rejected!.message}; offline: ${r.offline.join(" | ") || "(nothing)"}`]
                    : [],
            );
        assert.deepStrictEqual(missed, []);
    });

    it("no object kube-apiserver accepts gets an offline schema error", function () {
        const falsePositives = results
            .filter((r) => !r.rejected && r.offline.length > 0)
            .map((r) => `${r.label}: ${r.offline.join(" | ")}`);
        assert.deepStrictEqual(falsePositives, []);
    });

    it("the only rejections outside validation are request-size ones (the L08 incident's 3 MB ConfigMap)", function () {
        const other = results.filter((r) => r.rejected && NOT_VALIDATION.has(r.rejected.status));
        assert.deepStrictEqual(
            other.map((r) => r.label),
            ["incident 001-site-in-configmap.ts kubernetes:core/v1:ConfigMap::north-site"],
        );
    });
});
