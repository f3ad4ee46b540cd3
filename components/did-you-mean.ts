/**
 * "Did you mean …?" for names a user typed: flags, policy names, config properties, enum values.
 * Dependency-free so the policy pack, the config layer and every command share it.
 */

/** Edit distance (insertions, deletions, substitutions; a swap of two neighbours counts once). */
export function editDistance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) {
        d[0][j] = j;
    }
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.length][b.length];
}

/**
 * The candidate closest to `input` (case-insensitive), if it is close enough to be a typo:
 * at most a third of the longer name's length in edits (and at least one edit allowed).
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
    let best: { candidate: string; distance: number } | undefined;
    for (const candidate of candidates) {
        const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
        if (best === undefined || distance < best.distance) {
            best = { candidate, distance };
        }
    }
    if (best === undefined) {
        return undefined;
    }
    const allowed = Math.max(1, Math.floor(Math.max(input.length, best.candidate.length) / 3));
    return best.distance <= allowed ? best.candidate : undefined;
}

/** " Did you mean \"x\"?" or "" — ready to append to an error message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
    const match = closestMatch(input, candidates);
    return match === undefined ? "" : ` Did you mean "${match}"?`;
}
