/**
 * `npm run bench:admission`: what the generated admission policies cost the API server. Creates N Deployments (the
 * pack's compliant fixture, replicas 0) in a namespace the policies are bound to and N in one they are not,
 * alternating one by one so both see the same machine, and prints the median and p95 request latency of each and
 * their ratio. Every policy evaluates all its expressions on a compliant object: the worst case. Not a test.
 * Runs on a fresh local cluster of its own (stopped afterwards), or on --kubeconfig's cluster (left running; it
 * creates and deletes two namespaces and the policies).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { admissionObjects } from "../admission/generate";
import { connectionFromKubeconfig, KubeConnection, kubeResponse } from "../tools/cluster/kube-api";
import { kinds } from "../test/policy/fixtures";
import { CommandSpec, helpText, parseCommandLine, UsageError } from "../scripts/cli";
import { BENCH_EXIT_CODES, median } from "./support";

export const BENCH_ADMISSION_COMMAND = {
    name: "npm run bench:admission --",
    summary:
        "API-server latency of creating Deployments with the generated admission policies bound vs not bound, alternating; prints medians, p95 and ratios. Not a test.",
    flags: {
        count: { type: "string", valueName: "<n>", default: "200", description: "Deployments created on each side" },
        only: {
            type: "string",
            valueName: "<policy,...>",
            description:
                "bind only these policies (what one policy costs); default: every policy with an admission form",
        },
        kubeconfig: {
            type: "string",
            valueName: "<file>",
            description: "a running cluster to use (default: start a fresh local cluster and stop it afterwards)",
        },
    },
    exitCodes: BENCH_EXIT_CODES,
    example: "npm run bench:admission -- --count 200",
} satisfies CommandSpec;

const SIDES = { plain: "bench-admission-plain", policed: "bench-admission-policed" } as const;

function p95(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
}

interface DeploymentShape {
    metadata: object;
    spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
}

/** The pack's compliant Deployment fixture as `namespace/name`, replicas 0 (no pods: admission is what is measured). */
function deploymentIn(namespace: string, name: string): DeploymentShape & { apiVersion: string; kind: string } {
    const fixture = kinds.deployment() as DeploymentShape;
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { ...fixture.metadata, name, namespace },
        spec: { ...fixture.spec, replicas: 0 },
    };
}

async function create(conn: KubeConnection, namespace: string, name: string): Promise<number> {
    const start = process.hrtime.bigint();
    const res = await kubeResponse(
        conn,
        "POST",
        `/apis/apps/v1/namespaces/${namespace}/deployments`,
        deploymentIn(namespace, name),
    );
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.status !== 201) {
        throw new Error(`creating ${namespace}/${name}: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    }
    return ms;
}

async function measure(kubeconfig: string, count: number, only: string[], log: (text: string) => void): Promise<void> {
    const kubectl = (args: string[], input?: string) =>
        execFileSync(process.env.KUBECTL ?? "kubectl", ["--kubeconfig", kubeconfig, ...args], {
            input,
            encoding: "utf8",
        });
    const generated = admissionObjects({ namespace: SIDES.policed, prefix: "bench", now: new Date() });
    if (only.length > 0) {
        // Keep only these policies' validations (their messages start "[Lxx] <policy>: "), and the policies left non-empty.
        const kept = new Set<string>();
        for (const o of generated.objects.filter((x) => x.kind === "ValidatingAdmissionPolicy")) {
            const spec = o.spec as { validations: { messageExpression: string }[] };
            spec.validations = spec.validations.filter((v) =>
                only.some((p) => v.messageExpression.includes(`] ${p}: `)),
            );
            if (spec.validations.length > 0) {
                kept.add((o.metadata as { name: string }).name);
            }
        }
        generated.objects = generated.objects.filter(
            (o) =>
                o.kind === "AdmissionParams" ||
                kept.has((o.spec as { policyName?: string }).policyName ?? (o.metadata as { name: string }).name),
        );
    }
    const list = (items: object[]) => JSON.stringify({ apiVersion: "v1", kind: "List", items });
    const namespaces = Object.values(SIDES).map((name) => ({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name },
    }));
    kubectl(["apply", "--server-side", "-f", "-"], list([...namespaces, generated.crd]));
    kubectl(["wait", "--for=condition=Established", "crd/admissionparams.admission.webstack.dev", "--timeout=60s"]);
    kubectl(["apply", "--server-side", "-f", "-"], list(generated.objects));
    const conn = connectionFromKubeconfig(kubeconfig);
    try {
        // The policies take effect once the API server's informers have them: wait for a finding of one of them
        // on an object that breaks several (a tag, no probe, a writable root filesystem).
        for (let tries = 0; ; tries++) {
            const probe = deploymentIn(SIDES.policed, "probe");
            const container = probe.spec.template.spec.containers[0] as Record<string, unknown>;
            container.image = "quay.io/webstack/api:main";
            delete container.readinessProbe;
            container.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
            const res = await kubeResponse(
                conn,
                "POST",
                `/apis/apps/v1/namespaces/${SIDES.policed}/deployments?dryRun=All`,
                probe,
            );
            if (res.status === 403 || res.warnings.some((w) => w.includes("ValidatingAdmissionPolicy 'bench-"))) {
                break;
            }
            if (tries > 120) {
                throw new Error(`the policies never took effect: HTTP ${res.status}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
        const times = { plain: [] as number[], policed: [] as number[] };
        for (let i = 0; i < count; i++) {
            const order = i % 2 === 0 ? (["plain", "policed"] as const) : (["policed", "plain"] as const);
            for (const side of order) {
                times[side].push(await create(conn, SIDES[side], `d-${i}`));
            }
        }
        const policies = generated.objects.filter((o) => o.kind === "ValidatingAdmissionPolicy").length;
        const row = (side: keyof typeof times) =>
            `${side.padEnd(8)} median ${median(times[side]).toFixed(2)} ms  p95 ${p95(times[side]).toFixed(2)} ms`;
        log(
            `bench:admission: ${count} Deployment creates per side, alternating; ${policies} ValidatingAdmissionPolicies bound on "policed"`,
        );
        log(`  ${row("plain")}`);
        log(`  ${row("policed")}`);
        log(
            `  ratio policed/plain: median ${(median(times.policed) / median(times.plain)).toFixed(2)}, p95 ${(p95(times.policed) / p95(times.plain)).toFixed(2)}`,
        );
    } finally {
        kubectl(["delete", "namespace", ...Object.values(SIDES), "--wait=false", "--ignore-not-found"]);
        kubectl([
            "delete",
            "validatingadmissionpolicybindings,validatingadmissionpolicies,admissionparams,customresourcedefinitions",
            "-l",
            "app.kubernetes.io/managed-by=webstack-admission",
            "--ignore-not-found",
        ]);
    }
}

export async function main(
    argv: string[],
    log: (text: string) => void,
    error: (text: string) => void,
): Promise<number> {
    try {
        const parsed = parseCommandLine(BENCH_ADMISSION_COMMAND, argv);
        if (parsed.help) {
            log(helpText(BENCH_ADMISSION_COMMAND));
            return 0;
        }
        const count = Number(parsed.flags.count);
        if (!Number.isInteger(count) || count < 1) {
            throw new UsageError(`--count must be a whole number >= 1 (got ${JSON.stringify(parsed.flags.count)})`);
        }
        const only = (parsed.flags.only ?? "").split(",").filter(Boolean);
        if (parsed.flags.kubeconfig !== undefined) {
            await measure(path.resolve(parsed.flags.kubeconfig), count, only, log);
            return 0;
        }
        // A cluster of its own: the state directory is read when tools/cluster/cluster.ts loads.
        process.env.WEBSTACK_CLUSTER_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "bench-admission-"));
        const cluster = await import("../tools/cluster/cluster");
        const state = await cluster.clusterUp({ nodes: 1 });
        process.env.KUBECTL = cluster.kubectlPath();
        try {
            await measure(state.kubeconfig, count, only, log);
        } finally {
            await cluster.clusterDown({ purge: true });
            fs.rmSync(process.env.WEBSTACK_CLUSTER_DIR, { recursive: true, force: true });
        }
        return 0;
    } catch (err) {
        error(`bench:admission: ${(err as Error).message}`);
        return err instanceof UsageError ? 2 : 1;
    }
}

if (require.main === module) {
    void main(process.argv.slice(2), console.log, console.error).then((code) => process.exit(code));
}
