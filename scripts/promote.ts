// Promotion (L12, L23, L06): write the digests one stack actually deployed into another stack's config, so
// the target runs exactly what the source tested. The stack file keeps its comments and other keys.
//
//   npm run promote -- --from dev --to qa [--outputs dev-outputs.json] [--retag-internal] [--dry-run]
//
// Images in the cluster-internal registry (OpenShift image streams) live in the source's namespace, which
// the target's pods cannot pull from (L06). Promotion refuses them unless --retag-internal is given: then the
// reference is rewritten to the same digest in the target's namespace and the `oc tag` commands that make
// it exist there are printed. The target's preview checks that the digest exists (L17), so a forgotten
// `oc tag` fails the preview, not the rollout.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parseImageRef } from "../components/image-ref";
import { digestOf, IMAGE_ROLE_FIELDS, INTERNAL_REGISTRY_HOST } from "../components/facts";
import { CommandSpec, helpText, parseCommandLine, UsageError } from "./cli";
import { DEFAULT_SCHEMA_VERSION } from "../components/schema-version";
import { deployedImages, deployedSchemaVersion, readStackOutputs, readStackOutputsFile } from "./stack-outputs";

/** OpenShift's cluster-internal registry; the first path segment of an image there is a namespace. */
export const DEFAULT_INTERNAL_REGISTRIES = [INTERNAL_REGISTRY_HOST];

export interface PromoteRequest {
    from: string;
    to: string;
    /** The source's deployed images by role (output `images`). */
    images: Record<string, string>;
    /** The source's declared schema version (output `schemaVersion`), when it has a migration. */
    schemaVersion?: number;
    /** Text of the target's Pulumi.<to>.yaml. */
    stackFile: string;
    /** Project name (Pulumi.yaml `name`): config keys are "<project>:<key>". */
    project: string;
    internalRegistries: string[];
    /** Rewrite internal-registry images into the target's namespace instead of refusing them. */
    retagInternal: boolean;
}

export interface PromoteResult {
    /** The new stack file text. */
    stackFile: string;
    /** "api.image: old → new" per key. */
    changes: string[];
    /** Commands to run before `pulumi up` of the target (oc tag for internal images). */
    commands: string[];
}

/** Computes the new target stack file; throws with the fix when an image cannot be promoted as is. */
export function promote(req: PromoteRequest): PromoteResult {
    let text = req.stackFile;
    const targetNamespace = parseStackFile(text, req.to).getIn(["config", `${req.project}:namespace`]);
    const changes: string[] = [];
    const commands: string[] = [];
    for (const [role, deployed] of Object.entries(req.images)) {
        const key = (IMAGE_ROLE_FIELDS as Record<string, string>)[role];
        if (key === undefined) {
            throw new Error(
                `images.${role}: no config key is known for this image role (got ${JSON.stringify(deployed)}). ` +
                    `Fix: add the role to IMAGE_ROLE_FIELDS in components/facts.ts`,
            );
        }
        const [top, ...rest] = key.split(".");
        const yamlPath = ["config", `${req.project}:${top}`, ...rest];
        const doc = parseStackFile(text, req.to);
        // The migration runs the API image unless configured otherwise (L13): keep it that way when it still does.
        if (role === "migration" && deployed === req.images.api && !doc.hasIn(yamlPath)) {
            continue;
        }
        const value = targetRef(role, deployed, req, targetNamespace, commands);
        const before = doc.getIn(yamlPath, true);
        if (YAML.isScalar(before) && before.value === value) {
            continue;
        }
        text = withValue(text, doc, yamlPath, before, value);
        changes.push(`${key}: ${YAML.isScalar(before) ? String(before.value) : "(unset)"} → ${value}`);
    }
    // The promoted image's migration brings the target's schema to the source's version: declare it there too, so a
    // revert of the promotion lowers it and the schema-version guard refuses it (docs/rollback.md, L13, L23).
    const migration = ["config", `${req.project}:migration`];
    const doc = parseStackFile(text, req.to);
    if (req.schemaVersion !== undefined && doc.hasIn(migration)) {
        const yamlPath = [...migration, "schemaVersion"];
        const before = doc.getIn(yamlPath, true);
        const current = YAML.isScalar(before) ? before.value : DEFAULT_SCHEMA_VERSION;
        if (current !== req.schemaVersion) {
            text = withValue(text, doc, yamlPath, before, req.schemaVersion);
            changes.push(
                `migration.schemaVersion: ${YAML.isScalar(before) ? String(before.value) : "(unset)"} → ${req.schemaVersion}`,
            );
        }
    }
    return { stackFile: text, changes, commands };
}

function parseStackFile(text: string, stack: string): YAML.Document {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) {
        throw new Error(`Pulumi.${stack}.yaml is not valid YAML: ${doc.errors[0].message}`);
    }
    return doc;
}

/**
 * Replaces an existing value in place (only its characters change, so comments, quoting elsewhere and
 * layout stay as written); adds a missing key through the Document API.
 */
function withValue(
    text: string,
    doc: YAML.Document,
    yamlPath: string[],
    before: unknown,
    value: string | number,
): string {
    if (YAML.isScalar(before) && before.range) {
        const quoted =
            typeof value === "string" && (before.type === "QUOTE_DOUBLE" || before.type === "QUOTE_SINGLE")
                ? JSON.stringify(value)
                : String(value);
        return text.slice(0, before.range[0]) + quoted + text.slice(before.range[1]);
    }
    doc.setIn(yamlPath, value);
    // As the stack files are written: no padding inside [ ], no folding of long lines.
    return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** The reference the target deploys: the same digest, moved into the target's namespace for internal images. */
function targetRef(
    role: string,
    deployed: string,
    req: PromoteRequest,
    targetNamespace: unknown,
    commands: string[],
): string {
    const ref = parseImageRef(deployed, `images.${role}`);
    if (!req.internalRegistries.includes(ref.registry)) {
        return deployed;
    }
    const [sourceNamespace, ...name] = ref.path.split("/");
    if (typeof targetNamespace !== "string" || targetNamespace === "") {
        throw new Error(
            `images.${role}: ${deployed} is in the cluster-internal registry, but Pulumi.${req.to}.yaml sets no namespace (got ${JSON.stringify(targetNamespace)}). ` +
                `Fix: pulumi config set namespace <ns> --stack ${req.to} [L06]`,
        );
    }
    if (sourceNamespace === targetNamespace) {
        return deployed;
    }
    const digest = digestOf(deployed)!;
    const stream = name.join("/");
    const tagCommand = `oc tag ${sourceNamespace}/${stream}@${digest} ${targetNamespace}/${stream}:promoted-${req.from}`;
    if (!req.retagInternal) {
        throw new Error(
            `images.${role}: ${deployed} lives in namespace ${sourceNamespace}'s internal registry; pods in ${targetNamespace} cannot pull it (ImagePullBackOff, L06). ` +
                `Fix: push the image to a shared registry, or run ${tagCommand} and promote again with --retag-internal`,
        );
    }
    commands.push(tagCommand);
    return `${ref.registry}/${targetNamespace}/${stream}@${digest}`;
}

export const PROMOTE_COMMAND = {
    name: "npm run promote --",
    summary:
        "Writes the image digests one stack deployed (its `images` output), and its migration's schema version " +
        "(`schemaVersion`), into another stack's Pulumi.<to>.yaml, in place, comments and other keys kept (L12, L23); " +
        "internal-registry images need --retag-internal (L06).",
    flags: {
        from: {
            type: "string",
            valueName: "<stack>",
            description: "stack whose deployed digests are promoted (required)",
        },
        to: {
            type: "string",
            valueName: "<stack>",
            description: "stack whose Pulumi.<stack>.yaml is rewritten (required)",
        },
        outputs: {
            type: "string",
            valueName: "<json file>",
            description:
                "the source's outputs saved with `pulumi stack output --json` (default: run that command for --from)",
        },
        "retag-internal": {
            type: "boolean",
            description:
                "move internal-registry images into the target's namespace and print the `oc tag` commands (L06)",
        },
        "internal-registry": {
            type: "string",
            multiple: true,
            valueName: "<host:port>",
            description: `registry whose first path segment is a namespace (default: ${DEFAULT_INTERNAL_REGISTRIES.join(", ")})`,
        },
        "dry-run": { type: "boolean", description: "print the changes, write nothing" },
    },
    exitCodes: {
        0: "promoted, or nothing to change",
        2: "usage error, unreadable outputs, or an image that cannot be promoted as is (the message says the fix)",
    },
    example: "npm run promote -- --from dev --to qa --outputs dev-outputs.json --retag-internal",
} satisfies CommandSpec;

/** Command line; returns the process exit code. Throws UsageError/Error for exit 2. */
export function main(argv: string[], cwd = process.cwd(), log: (line: string) => void = console.log): number {
    const parsed = parseCommandLine(PROMOTE_COMMAND, argv);
    if (parsed.help) {
        log(helpText(PROMOTE_COMMAND));
        return 0;
    }
    const values = parsed.flags;
    if (!values.from || !values.to) {
        throw new UsageError(
            `--from and --to are required (got ${values.from === undefined ? "no --from" : `--from ${values.from}`}, ${values.to === undefined ? "no --to" : `--to ${values.to}`}). Fix: e.g. ${PROMOTE_COMMAND.example}`,
        );
    }
    if (values.from === values.to) {
        throw new Error(
            `--from and --to are both "${values.to}". Fix: promote from one stack to another, e.g. --from dev --to qa`,
        );
    }
    const source = values.outputs ?? `pulumi stack output --json --stack ${values.from}`;
    const outputs = values.outputs !== undefined ? readStackOutputsFile(values.outputs) : readStackOutputs(values.from);
    const stackPath = path.join(cwd, `Pulumi.${values.to}.yaml`);
    if (!fs.existsSync(stackPath)) {
        throw new Error(
            `${stackPath} does not exist. Fix: pulumi stack init ${values.to} and commit its stack file first`,
        );
    }
    const project = (YAML.parse(fs.readFileSync(path.join(cwd, "Pulumi.yaml"), "utf8")) as { name?: unknown } | null)
        ?.name;
    const result = promote({
        from: values.from,
        to: values.to,
        images: deployedImages(outputs, source),
        schemaVersion: deployedSchemaVersion(outputs, source),
        stackFile: fs.readFileSync(stackPath, "utf8"),
        project: typeof project === "string" ? project : "webstack",
        internalRegistries: values["internal-registry"] ?? DEFAULT_INTERNAL_REGISTRIES,
        retagInternal: values["retag-internal"] ?? false,
    });
    if (result.changes.length === 0) {
        log(`promote: ${values.to} already runs the digests ${values.from} deployed; nothing to change`);
        return 0;
    }
    for (const change of result.changes) {
        log(`promote: ${change}`);
    }
    for (const command of result.commands) {
        log(`promote: before pulumi up, run: ${command}`);
    }
    if (values["dry-run"]) {
        log(`promote: --dry-run, ${stackPath} not written`);
        return 0;
    }
    fs.writeFileSync(stackPath, result.stackFile);
    log(`promote: wrote ${stackPath}`);
    log(
        `promote: next: git diff ${path.basename(stackPath)} && pulumi preview --stack ${values.to}, then commit (rollback = git revert of that commit + pulumi up, L23)`,
    );
    return 0;
}

if (require.main === module) {
    try {
        process.exit(main(process.argv.slice(2)));
    } catch (err) {
        console.error(
            `promote: ${(err as Error).message}${err instanceof UsageError ? "\n(npm run promote -- --help lists the flags)" : ""}`,
        );
        process.exit(2);
    }
}
