/**
 * `npm run bench:check-input`: does `npm run check --manifests` grow linearly with its input?
 *
 * - deployments: 5,000 Deployments vs 1,000 (the compliant fixture's Deployment, renamed), one multi-document file;
 * - keys: one ConfigMap of 100,000 keys (about 1.3 MB: the parser's own duplicate-key check made this quadratic,
 *   60 s and more) vs the 1,000 Deployments.
 *
 * Every measurement is a fresh process of `npm run check`'s command (offline/launch.js: the compiled checker); wall
 * time is taken around it, CPU time and peak RSS come from the child's own process.resourceUsage() (bench/probe.js). The variants of
 * one repetition run back to back, order alternating between repetitions; medians are reported.
 * Last line: `ratios: deployments_5000_vs_1000=<x> keys_100k_vs_deployments_1000=<y>` from wall-clock medians
 * (goal: the first ≤ 5, linear in the objects; the second ≤ the input's size ratio, printed beside it); the lines
 * before give the same ratios from CPU time (which a busy machine distorts much less) and from peak RSS.
 *
 * Usage: npm run bench:check-input [-- --reps <n>]        (default 3; --help for all flags)
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import type { CommandSpec } from "../scripts/cli";
import { BENCH_EXIT_CODES, Measurement, measureNode, median, REPS_FLAG, runBench } from "./support";

const ROOT = path.join(__dirname, "..");
const DEPLOYMENT_FIXTURE = path.join(ROOT, "test", "fixtures", "manifests", "compliant", "web.yaml");

interface Input {
    label: string;
    file: string;
    bytes: number;
}

/** `count` copies of the compliant Deployment, named web-0.., as one multi-document file. */
function deployments(dir: string, count: number): Input {
    const deployment = YAML.parseAllDocuments(fs.readFileSync(DEPLOYMENT_FIXTURE, "utf8"))[0].toJS() as {
        metadata: Record<string, unknown>;
    };
    const docs = Array.from({ length: count }, (_, i) =>
        YAML.stringify({ ...deployment, metadata: { ...deployment.metadata, name: `web-${i}` } }),
    );
    return write(dir, `deployments ${count}`, `deployments-${count}.yaml`, docs.join("---\n"));
}

/** One ConfigMap with `count` keys. */
function configMapKeys(dir: string, count: number): Input {
    const data = Array.from({ length: count }, (_, i) => `  key-${i}: value-${i}`);
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: shop\ndata:\n${data.join("\n")}\n`;
    return write(dir, `configmap ${count} keys`, `configmap-${count}.yaml`, text);
}

function write(dir: string, label: string, name: string, text: string): Input {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return { label, file, bytes: Buffer.byteLength(text) };
}

/** One fresh `check --manifests` process. */
function measure(input: Input): Measurement {
    return measureNode(`check --manifests ${input.label}`, [
        path.join(ROOT, "offline", "launch.js"),
        "--manifests",
        input.file,
        "--json",
    ]);
}

function bench(reps: number, log: (text: string) => void): void {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-check-input-"));
    const baseline = deployments(tmp, 1000);
    const many = deployments(tmp, 5000);
    const keys = configMapKeys(tmp, 100_000);
    const inputs = [baseline, many, keys];
    const runs = new Map<string, Measurement[]>(inputs.map((i) => [i.label, []]));
    const load = () =>
        os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(" ");
    log(`bench:check-input: ${reps} repetitions, ${os.cpus().length} CPUs, load average ${load()}`);
    log(`inputs: ${inputs.map((i) => `${i.label} ${(i.bytes / 1024 / 1024).toFixed(2)} MiB`).join(", ")}`);
    try {
        for (let rep = 0; rep < reps; rep++) {
            const order = rep % 2 === 0 ? inputs : [...inputs].reverse();
            const line = order.map((input) => {
                const m = measure(input);
                runs.get(input.label)!.push(m);
                return `${input.label} ${m.wall.toFixed(2)}s (cpu ${m.cpu.toFixed(2)}s, rss ${m.rssMiB.toFixed(0)} MiB)`;
            });
            log(`rep ${rep + 1}: ${line.join(", ")}`);
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    const med = (input: Input, of: keyof Measurement) => median(runs.get(input.label)!.map((m) => m[of]));
    for (const input of inputs) {
        log(
            `median ${input.label}: ${med(input, "wall").toFixed(2)}s (cpu ${med(input, "cpu").toFixed(2)}s, rss ${med(input, "rssMiB").toFixed(0)} MiB)`,
        );
    }
    const ratios = (of: keyof Measurement) =>
        `deployments_5000_vs_1000=${(med(many, of) / med(baseline, of)).toFixed(2)} keys_100k_vs_deployments_1000=${(med(keys, of) / med(baseline, of)).toFixed(2)}`;
    log(`load average after: ${load()}`);
    log(
        `input size ratios: deployments_5000_vs_1000=${(many.bytes / baseline.bytes).toFixed(2)} keys_100k_vs_deployments_1000=${(keys.bytes / baseline.bytes).toFixed(2)}`,
    );
    log(`rss ratios: ${ratios("rssMiB")}`);
    log(`cpu ratios: ${ratios("cpu")}`);
    log(`ratios: ${ratios("wall")}`);
}

export const BENCH_CHECK_INPUT_COMMAND = {
    name: "npm run bench:check-input --",
    summary:
        "Times `npm run check --manifests` on 5,000 Deployments and on a 100,000-key ConfigMap against 1,000 Deployments " +
        "(wall, CPU, peak RSS); prints medians and the ratios (goal: linear in the input). Not a test.",
    flags: {
        reps: REPS_FLAG,
    },
    exitCodes: BENCH_EXIT_CODES,
    example: "npm run bench:check-input -- --reps 5",
} satisfies CommandSpec;

export function main(
    argv: string[],
    log: (text: string) => void = console.log,
    error: (text: string) => void = console.error,
): number {
    return runBench(BENCH_CHECK_INPUT_COMMAND, argv, log, error, (reps) => bench(reps, log));
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
