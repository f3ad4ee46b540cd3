/**
 * The duplicate-key rule of YAML (and of kubectl's strict decoding) in linear time. The `yaml` package's own
 * check (`uniqueKeys`) compares every key of a mapping with every other: a 100k-key ConfigMap or stack config
 * took minutes. Parse with `uniqueKeys: false`, then ask duplicateKey: one Set per mapping, no recursion (deep
 * nesting cannot overflow the stack).
 */
import * as YAML from "yaml";

/** Options for every parse that duplicateKey then checks. */
export const WITHOUT_QUADRATIC_KEY_CHECK = { uniqueKeys: false } as const;

/** The first key that appears twice in one mapping of the document, with its offset in the text. */
export function duplicateKey(doc: YAML.Document): { key: unknown; offset: number } | undefined {
    const pending: unknown[] = [doc.contents];
    while (pending.length > 0) {
        const node = pending.pop();
        if (YAML.isMap(node)) {
            const seen = new Set<unknown>();
            for (const pair of node.items) {
                const key: unknown = pair.key;
                // `<<` is YAML 1.1's merge key: it may repeat.
                if (YAML.isScalar(key) && key.value !== "<<") {
                    if (seen.has(key.value)) {
                        return { key: key.value, offset: key.range?.[0] ?? 0 };
                    }
                    seen.add(key.value);
                }
                pending.push(pair.key, pair.value);
            }
        } else if (YAML.isSeq(node)) {
            pending.push(...node.items);
        }
    }
    return undefined;
}

/** The message of a duplicate key, the same wherever YAML is read. */
export function duplicateKeyMessage(key: unknown, quote: (value: unknown) => string): string {
    return `not valid YAML: the key ${quote(key)} appears twice in one mapping (kubectl refuses it too). Fix: keep one of them`;
}
