// The pack's policies at admission (admission/, issue 28): generated ValidatingAdmissionPolicies installed on the
// real kube-apiserver, bound to one namespace. Every parity case (the pack's fixtures, test/admission/parity-cases.ts)
// is sent as a server-side dry-run create (admission runs on dry-run) and must get the pack's verdict at the pack's
// field; hand edits of a running Deployment are denied; waivers carry over from the waiver file only.
import * as assert from "assert";
import { AdmissionObjects, admissionObjects, resourceOf } from "../../admission/generate";
import { ADMISSION } from "../../policy/catalog";
import { DAY_MS, isoDay, parseWaiverFile } from "../../policy/waivers";
import { connectionFromKubeconfig, KubeConnection, kubeResponse } from "../../tools/cluster/kube-api";
import { caseObject, fieldsOf, packFindings, PARITY_CASES, PARITY_PACK_CONFIG } from "../admission/parity-cases";
import { kinds, NAMESPACE } from "../policy/fixtures";
import { SUITE_KUBECONFIG, suiteKubectl, until } from "./support/cluster";

const PREFIX = "webstack-test";
const inThirtyDays = isoDay(Date.now() + 30 * DAY_MS);
const WAIVER_FILE = `waivers:
  - policy: images-digest-pinned
    kind: Deployment
    namespace: ${NAMESPACE}
    name: legacy-*
    owner: team-legacy
    expires: ${inThirtyDays}
    reason: test waiver (active)
  - policy: read-only-root-filesystem
    kind: Deployment
    name: old-*
    owner: team-legacy
    expires: 2026-01-01
    reason: test waiver (expired)
`;

type Json = Record<string, any>;

/** What the API server said about one object: the policies' messages (denial and warnings), by policy. */
interface AdmissionAnswer {
    status: number;
    denied?: string;
    findings: Map<string, string[]>;
    text: string;
}

const FINDING = /\[L\d+(?:, L\d+)*\] ([a-z0-9-]+): (.*)$/s;

function objectPath(type: string, name?: string): string {
    const { group, version, resource } = resourceOf(type);
    const base = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
    return `${base}/namespaces/${NAMESPACE}/${resource}${name === undefined ? "" : `/${name}`}`;
}

function apiObject(type: string, inputs: Json): Json {
    const [, groupVersion, kind] = type.split(":");
    const apiVersion = groupVersion.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion;
    return { apiVersion, kind, ...inputs };
}

async function dryRunCreate(conn: KubeConnection, type: string, inputs: Json): Promise<AdmissionAnswer> {
    const res = await kubeResponse(conn, "POST", `${objectPath(type)}?dryRun=All`, apiObject(type, inputs));
    const findings = new Map<string, string[]>();
    const add = (message: string) => {
        const m = FINDING.exec(message);
        if (m) {
            findings.set(m[1], [...(findings.get(m[1]) ?? []), ...fieldsOf(m[2])]);
        }
    };
    let denied: string | undefined;
    if (res.status === 403) {
        denied = (JSON.parse(res.text) as { message: string }).message;
        add(denied);
    }
    res.warnings.forEach(add);
    return { status: res.status, denied, findings, text: res.text.slice(0, 600) };
}

/** Runs `task` over `items` with at most `limit` at once. */
async function pooled<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    await Promise.all(
        Array.from({ length: limit }, async () => {
            while (next < items.length) {
                const i = next++;
                results[i] = await task(items[i]);
            }
        }),
    );
    return results;
}

const sorted = (list: string[]) => [...list].sort();

describe("admission: the pack's policies enforced by kube-apiserver (ValidatingAdmissionPolicy, CEL)", function () {
    let conn: KubeConnection;
    let generated: AdmissionObjects;
    /** What this file created, deleted afterwards (kind/name). */
    const created: string[] = [];

    before(async function () {
        conn = connectionFromKubeconfig(SUITE_KUBECONFIG);
        const now = new Date();
        const waivers = parseWaiverFile(WAIVER_FILE, "policy-waivers.yaml", now);
        assert.deepStrictEqual(waivers.errors, []);
        generated = admissionObjects({
            namespace: NAMESPACE,
            prefix: PREFIX,
            packConfig: PARITY_PACK_CONFIG,
            waivers: waivers.waivers,
            now,
        });
        const namespace = {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: {
                name: NAMESPACE,
                labels: {
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                },
            },
        };
        const apply = (items: object[]) =>
            suiteKubectl(
                ["apply", "--server-side", "-f", "-"],
                JSON.stringify({ apiVersion: "v1", kind: "List", items }),
            );
        // Created, not applied: on another cluster an existing namespace or CRD is never taken over (nor deleted after).
        suiteKubectl(["create", "-f", "-"], JSON.stringify(namespace));
        created.push(`namespace/${NAMESPACE}`);
        const crd = `crd/${(generated.crd.metadata as Json).name}`;
        if (suiteKubectl(["get", crd, "--ignore-not-found", "-o", "name"]).trim() === "") {
            apply([generated.crd]);
            created.push(crd);
        }
        suiteKubectl(["wait", "--for=condition=Established", crd, "--timeout=60s"]);
        created.unshift(
            ...generated.objects.map((o) => `${String(o.kind).toLowerCase()}/${(o.metadata as Json).name as string}`),
        );
        apply(generated.objects);
        // Policies take effect once the API server's informers have them: wait for a known denial.
        const tagged = kinds.deployment();
        tagged.spec.template.spec.containers[0].image = "quay.io/webstack/api:main";
        const deadline = Date.now() + 60_000;
        for (;;) {
            const answer = await dryRunCreate(conn, "kubernetes:apps/v1:Deployment", tagged);
            if (answer.findings.has("images-digest-pinned")) {
                break;
            }
            if (Date.now() > deadline) {
                throw new Error(`the policies never took effect: ${answer.status} ${answer.text}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
    });

    after(function () {
        if (created.length > 0) {
            suiteKubectl(["delete", ...created, "--wait=false", "--ignore-not-found"]);
        }
    });

    it("the API server's CEL type checking reports no warning for any generated expression (status.typeChecking)", async function () {
        const names = generated.objects
            .filter((o) => o.kind === "ValidatingAdmissionPolicy")
            .map((o) => (o.metadata as Json).name);
        const policies = await until("type checking of every generated policy", 60, () => {
            const items = (
                JSON.parse(
                    suiteKubectl([
                        "get",
                        "validatingadmissionpolicies",
                        "-l",
                        "app.kubernetes.io/managed-by=webstack-admission",
                        "-o",
                        "json",
                    ]),
                ) as { items: Json[] }
            ).items.filter((p) => names.includes(p.metadata.name));
            const checked = items.filter((p) => p.status?.observedGeneration === p.metadata.generation);
            return checked.length === names.length ? checked : undefined;
        });
        const warnings = policies.flatMap((p) =>
            (p.status.typeChecking?.expressionWarnings ?? []).map(
                (w: Json) => `${p.metadata.name} ${w.fieldRef}: ${w.warning}`,
            ),
        );
        assert.deepStrictEqual(warnings, []);
        // Every catalog policy with an admission form was among the type-checked expressions.
        const checkedPolicies = new Set(
            policies.flatMap((p) =>
                (p.spec.validations as Json[]).map(
                    (v) => /^"\[L[\d, L]+\] ([a-z0-9-]+): "/.exec(v.messageExpression)![1],
                ),
            ),
        );
        const withForm = Object.entries(ADMISSION).filter(([, coverage]) => coverage === "cel");
        assert.strictEqual(checkedPolicies.size, withForm.length);
    });

    it("every parity case gets the pack's verdict at the pack's field (denied with the lesson id when mandatory, warned when advisory)", async function () {
        const results = await pooled(PARITY_CASES, 6, async (c) => {
            const [pack, admission] = await Promise.all([packFindings(c), dryRunCreate(conn, c.type, caseObject(c))]);
            const problems: string[] = [];
            const packFields = new Map(pack.map((f) => [f.policy, sorted(f.fields)]));
            const policies = new Set([...packFields.keys(), ...admission.findings.keys()]);
            for (const policy of policies) {
                const expected = packFields.get(policy) ?? [];
                const got = sorted(admission.findings.get(policy) ?? []);
                if (JSON.stringify(expected) !== JSON.stringify(got)) {
                    problems.push(`${policy}: pack ${JSON.stringify(expected)}, admission ${JSON.stringify(got)}`);
                }
            }
            const mandatory = pack.some((f) => f.level === "mandatory");
            if (mandatory !== (admission.status === 403) || (!mandatory && admission.status !== 201)) {
                problems.push(
                    `HTTP ${admission.status} (${mandatory ? "a mandatory finding" : "no mandatory finding"}): ${admission.text}`,
                );
            }
            if (admission.denied !== undefined && !/denied request: \[L\d+/.test(admission.denied)) {
                problems.push(`the denial names no lesson: ${admission.denied}`);
            }
            return problems.map((p) => `${c.policy} / ${c.title}: ${p}`);
        });
        assert.deepStrictEqual(results.flat(), []);
        const policies = new Set(PARITY_CASES.map((c) => c.policy));
        process.stderr.write(
            `      admission parity: ${PARITY_CASES.length} cases over ${policies.size} policies, same verdicts\n`,
        );
    });

    it("[L12, L30] denies hand edits of a running Deployment: kubectl set image to a tag, kubectl patch adding privileged", function () {
        const running = kinds.deployment();
        running.metadata.name = "hand-edited";
        suiteKubectl(["apply", "-f", "-"], JSON.stringify(apiObject("kubernetes:apps/v1:Deployment", running)));
        assert.throws(
            () =>
                suiteKubectl([
                    "-n",
                    NAMESPACE,
                    "set",
                    "image",
                    "deployment/hand-edited",
                    "app=quay.io/webstack/api:main",
                ]),
            /denied request: \[L12, L28\] images-digest-pinned: Deployment "hand-edited" container "app" \(spec\.template\.spec\.containers\[0\]\.image\): "quay\.io\/webstack\/api:main" is not pinned by digest/,
        );
        // Privilege is Pod Security's (and here the API server's own --allow-privileged) to refuse, not a generated policy's.
        assert.throws(
            () =>
                suiteKubectl([
                    "-n",
                    NAMESPACE,
                    "patch",
                    "deployment/hand-edited",
                    "--type=json",
                    "-p",
                    '[{"op":"add","path":"/spec/template/spec/containers/0/securityContext/privileged","value":true}]',
                ]),
            /spec\.template\.spec\.containers\[0\]\.securityContext\.privileged: Forbidden/,
        );
        const live = JSON.parse(suiteKubectl(["-n", NAMESPACE, "get", "deployment/hand-edited", "-o", "json"])) as Json;
        const container = live.spec.template.spec.containers[0];
        assert.strictEqual(container.image, running.spec.template.spec.containers[0].image);
        assert.strictEqual(container.securityContext.privileged, undefined);
    });

    it("waivers come from the waiver file only: an active one admits, an expired one and an annotation do not", async function () {
        const deployment = (name: string, change: (o: Json) => void, annotations?: Record<string, string>) => {
            const o = kinds.deployment();
            o.metadata.name = name;
            if (annotations) {
                o.metadata.annotations = annotations;
            }
            change(o);
            return dryRunCreate(conn, "kubernetes:apps/v1:Deployment", o);
        };
        const tag = (o: Json) => (o.spec.template.spec.containers[0].image = "quay.io/webstack/api:main");
        const [waived, notWaived, annotated, expired] = await Promise.all([
            deployment("legacy-worker", tag),
            deployment("current-worker", tag),
            deployment("annotated-worker", tag, {
                "waive.webstack.dev/images-digest-pinned": `owner=team-web; expires=${inThirtyDays}; reason=kubectl annotate`,
            }),
            deployment(
                "old-worker",
                (o) => (o.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false),
            ),
        ]);
        assert.strictEqual(waived.status, 201, waived.text);
        assert.strictEqual(notWaived.status, 403, notWaived.text);
        assert.strictEqual(annotated.status, 403, annotated.text);
        assert.deepStrictEqual(expired.findings.get("read-only-root-filesystem"), [
            "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem",
        ]);
        assert.deepStrictEqual(
            generated.waivers.compiled.map((w) => w.policy),
            ["images-digest-pinned"],
        );
    });
});
