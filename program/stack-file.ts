// What is wrong with a stack file that gives a program no config: read by the program (index.ts) when nothing
// is set and by the offline loader, so `pulumi preview` and `npm run check` name the same cause.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { closestMatch } from "../components/did-you-mean";

/** Top-level keys Pulumi reads from a stack file (sdk/go/common/workspace ProjectStack). */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

/**
 * Why a stack file gives the program no `<project>:*` config, or undefined when it does: missing, empty, not a
 * mapping, no `config:` root (naming the keys found, e.g. `confg` → config), or a `config:` without keys of this
 * project (e.g. `web-stack:namespace` → webstack:namespace).
 */
export function stackFileProblem(file: string, project: string): string | undefined {
    const name = path.basename(file);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        return `${name} does not exist in ${path.dirname(file)}`;
    }
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (err) {
        return `${name} is not valid YAML (${(err as Error).message.split("\n")[0]})`;
    }
    if (doc === null || doc === undefined) {
        return `${name} is empty`;
    }
    if (typeof doc !== "object" || Array.isArray(doc)) {
        return `${name} is not a mapping with a \`config:\` key (got ${JSON.stringify(doc).slice(0, 80)})`;
    }
    const root = doc as Record<string, unknown>;
    if (root.config === undefined || root.config === null) {
        const found = Object.keys(root);
        const typo = found
            .map((key) => ({ key, meant: closestMatch(key, STACK_FILE_KEYS) }))
            .find((k) => k.meant === "config" && k.key !== "config");
        return `${name} has no \`config:\` mapping (found ${found.length ? found.map((k) => `\`${k}:\``).join(", ") : "no keys"})${typo ? `; did you mean \`config:\` instead of \`${typo.key}:\`?` : ""}`;
    }
    if (typeof root.config !== "object" || Array.isArray(root.config)) {
        return `${name}: \`config:\` is not a mapping of key → value (got ${JSON.stringify(root.config).slice(0, 80)})`;
    }
    const keys = Object.keys(root.config);
    if (keys.some((key) => key.startsWith(`${project}:`) || !key.includes(":"))) {
        return undefined;
    }
    const prefixes = [...new Set(keys.map((key) => key.slice(0, key.indexOf(":"))))];
    const typo = prefixes.find((prefix) => closestMatch(prefix, [project]) !== undefined);
    return `${name} has no \`${project}:\` keys under \`config:\` (found ${keys.length ? keys.map((k) => `\`${k}\``).join(", ") : "none"})${typo ? `; did you mean \`${project}:\` instead of \`${typo}:\`?` : ""}`;
}
