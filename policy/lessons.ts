/**
 * Lesson ids of a policy, read from the "[L12, L28] ..." prefix of its description. The description is
 * the single place where a policy names its lessons, so reports and the README table derive from it.
 */
export function lessonsOf(p: { description?: string }): string[] {
    const prefix = /^\s*\[([^\]]*)\]/.exec(p.description ?? "");
    if (!prefix) {
        return [];
    }
    return prefix[1].split(",").map(id => id.trim()).filter(id => /^L\d{2}$/.test(id));
}
