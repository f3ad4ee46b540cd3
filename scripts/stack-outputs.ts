// Reading what a stack deployed: `pulumi stack output --json` of a stack, or the same JSON saved to a file.
import { execFileSync } from "child_process";
import * as fs from "fs";
import { digestOf } from "../components/facts";

export type StackOutputs = Record<string, unknown>;

/** Runs `pulumi stack output --json --stack <stack>` (the CLI must be logged in to the stack's backend). */
export function readStackOutputs(stack: string): StackOutputs {
    let text: string;
    try {
        text = execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (err) {
        const e = err as { code?: string; stderr?: string; message: string };
        const why = e.code === "ENOENT" ? "the pulumi CLI is not installed" : (e.stderr || e.message).trim();
        throw new Error(
            `cannot read the outputs of stack "${stack}": ${why}. ` +
                `Fix: run where \`pulumi stack output --json --stack ${stack}\` works (pulumi login, PULUMI_CONFIG_PASSPHRASE), or save that JSON and pass it with --outputs <file>`,
            { cause: err },
        );
    }
    return parseStackOutputs(text, `pulumi stack output --json --stack ${stack}`);
}

/** Reads outputs saved with `pulumi stack output --json > file`. */
export function readStackOutputsFile(file: string): StackOutputs {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new Error(
            `--outputs ${file}: cannot read it (${(err as Error).message}). Fix: save the outputs with pulumi stack output --json --stack dev > ${file}`,
            { cause: err },
        );
    }
    return parseStackOutputs(text, file);
}

function parseStackOutputs(text: string, source: string): StackOutputs {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw new Error(
            `${source}: not JSON (${(err as Error).message}). Fix: use the output of pulumi stack output --json`,
            { cause: err },
        );
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new Error(
            `${source}: expected a JSON object of stack outputs (got ${JSON.stringify(value)?.slice(0, 80)})`,
        );
    }
    return value as StackOutputs;
}

/**
 * The `images` output: config key of each image (e.g. "api.image") → the digest-pinned reference deployed.
 * Throws when it is missing or holds a reference without a digest (which would make promotion or
 * verification meaningless, L12).
 */
export function deployedImages(outputs: StackOutputs, source: string): Record<string, string> {
    const images = outputs.images;
    if (images === null || typeof images !== "object" || Array.isArray(images) || Object.keys(images).length === 0) {
        throw new Error(
            `${source}: output "images" is missing or empty (got ${JSON.stringify(images)}). ` +
                `Fix: deploy the stack with this program (WebStack exports images), then read its outputs again [L23]`,
        );
    }
    const result: Record<string, string> = {};
    for (const [key, ref] of Object.entries(images as Record<string, unknown>)) {
        if (typeof ref !== "string" || digestOf(ref) === undefined) {
            throw new Error(
                `${source}: images.${key} is not a digest-pinned reference (got ${JSON.stringify(ref)}). Fix: redeploy so the stack exports repo@sha256:… [L12]`,
            );
        }
        result[key] = ref;
    }
    return result;
}

/** The `schemaVersion` output (the migration's declared schema version); undefined when the stack exports none. */
export function deployedSchemaVersion(outputs: StackOutputs, source: string): number | undefined {
    const value = outputs.schemaVersion;
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
        throw new Error(
            `${source}: output "schemaVersion" is not a schema version (got ${JSON.stringify(value)}). Fix: redeploy the stack with this program [L23]`,
        );
    }
    return value as number | undefined;
}

/** A required string output, e.g. "url" or "version". */
export function stringOutput(outputs: StackOutputs, key: string, source: string): string {
    const value = outputs[key];
    if (typeof value !== "string" || value === "") {
        throw new Error(
            `${source}: output "${key}" is missing or not a string (got ${JSON.stringify(value)}). Fix: deploy the stack with this program, or pass it explicitly`,
        );
    }
    return value;
}
