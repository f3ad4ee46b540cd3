/**
 * `npm run admission -- --out <dir> --namespace <ns>`: writes the ValidatingAdmissionPolicies of the pack
 * (admission/generate.ts) as YAML: crd.yaml (the params kind, apply it first), params.yaml and one file per
 * ValidatingAdmissionPolicy with its binding.
 * Settings come from the same --policy-pack-config the pack runs with; waivers from the repository's waiver file.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { admissionObjects, PARAMS_KIND, SettingError } from "../admission/generate";
import { DNS_LABEL } from "../components/facts";
import { loadWaiverFile, waiverFilePath, waiverToday } from "../policy/waivers";
import { CommandSpec, helpText, parseCommandLine, UsageError } from "./cli";

export const ADMISSION_COMMAND = {
    name: "npm run admission --",
    summary:
        "Writes the pack's policies as ValidatingAdmissionPolicies + bindings + their params (YAML), enforced by the API server in one namespace.",
    flags: {
        out: { type: "string", valueName: "<dir>", description: "directory to write the YAML files into (created)" },
        namespace: { type: "string", valueName: "<ns>", description: "the namespace the bindings enforce in" },
        stack: { type: "string", valueName: "<stack>", description: "apply this stack's `stacks:` waivers too" },
        "policy-pack-config": {
            type: "string",
            valueName: "<file>",
            description: "policy pack config, the JSON pulumi preview --policy-pack-config takes",
        },
    },
    exitCodes: {
        0: "written",
        2: "usage error, a setting the API server could not enforce, or an invalid waiver file (each named with its fix)",
    },
    example:
        "npm run admission -- --out out/admission --namespace qr-demo-dev --policy-pack-config policy-config.example.json",
} satisfies CommandSpec;

/** A Kubernetes name as a file name: only what DNS-1123 allows, never a path. */
const fileName = (name: string) => `${name.replace(/[^a-z0-9.-]/g, "_")}.yaml`;

export function main(argv: string[], log: (line: string) => void = console.log): number {
    const parsed = parseCommandLine(ADMISSION_COMMAND, argv);
    if (parsed.help) {
        log(helpText(ADMISSION_COMMAND));
        return 0;
    }
    const { out, namespace } = parsed.flags;
    if (out === undefined || namespace === undefined) {
        throw new UsageError("--out and --namespace are required");
    }
    if (!DNS_LABEL.test(namespace)) {
        throw new UsageError(`--namespace ${JSON.stringify(namespace)} is not a namespace name (DNS-1123 label)`);
    }
    const configFile = parsed.flags["policy-pack-config"];
    const packConfig = configFile === undefined ? {} : (JSON.parse(fs.readFileSync(configFile, "utf8")) as object);
    const now = waiverToday();
    const waiverFile = loadWaiverFile(waiverFilePath(), now);
    if (waiverFile.errors.length > 0) {
        throw new SettingError(`the waiver file is invalid:\n  ${waiverFile.errors.join("\n  ")}`);
    }
    const result = admissionObjects({
        namespace,
        prefix: "webstack",
        packConfig: packConfig as Record<string, unknown>,
        waivers: waiverFile.waivers,
        stack: parsed.flags.stack,
        now,
    });
    fs.mkdirSync(out, { recursive: true });
    // crd.yaml first: the params object needs its kind established (kubectl wait --for condition=established).
    const byFile = new Map<string, object[]>([["crd.yaml", [result.crd]]]);
    for (const object of [...result.objects, ...result.guards] as {
        kind: string;
        metadata: { name: string };
        spec?: { policyName?: string };
    }[]) {
        const file = fileName(
            object.kind === PARAMS_KIND ? "params" : (object.spec?.policyName ?? object.metadata.name),
        );
        byFile.set(file, [...(byFile.get(file) ?? []), object]);
    }
    for (const [file, objects] of byFile) {
        fs.writeFileSync(path.join(out, file), objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"));
    }
    log(
        `admission: wrote ${result.objects.length + result.guards.length} objects to ${out} (${byFile.size} files); not at admission: ${result.leftOut.length} policies`,
    );
    for (const left of [...result.leftOut, ...result.waivers.notCarried]) {
        log(`  ${left.policy}: ${left.reason}`);
    }
    return 0;
}

if (require.main === module) {
    try {
        process.exit(main(process.argv.slice(2)));
    } catch (err) {
        console.error(`admission: ${(err as Error).message}\n(npm run admission -- --help lists the flags)`);
        process.exit(2);
    }
}
