/**
 * Recognising a secret by its value, for env literals and ConfigMap data (L19): names lie in both directions
 * (a private key under DATA, a URL under TOKEN_URL), values do not. Findings name the kind of secret and never
 * echo the value.
 */

/** Formats whose shape alone says "credential": [what it is, pattern]. */
export const KNOWN_FORMATS: [string, RegExp][] = [
    ["a private key block", /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/],
    ["an AWS access key id", /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/],
    ["a GitHub token", /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/],
    ["a GitLab token", /\bglpat-[A-Za-z0-9_-]{20,}/],
    ["a Slack token", /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
    ["a Google API key", /\bAIza[0-9A-Za-z_-]{35}\b/],
    ["a Stripe live key", /\b[rs]k_live_[0-9A-Za-z]{24,}\b/],
    ["a JSON Web Token", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
];

/** scheme://user:password@host; the password group is checked against references like $(VAR) and ${VAR}. */
export const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:([^\s@/?#]+)@/gi;
export const REFERENCE = /^(?:\$\(.+\)|\$\{.+\}|<.+>|\*+|x+|\.\.\.)$/i;
/** Certificates and public keys are meant to be shared; their base64 body would look like random tokens. */
const PUBLIC_PEM = /-----BEGIN ([A-Z0-9 ]*?(?:CERTIFICATE|PUBLIC KEY)[A-Z0-9 ]*)-----[\s\S]*?-----END \1-----/g;
const TOKEN = /[A-Za-z0-9+/_\-.=]+/g;

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
    const counts = new Map<string, number>();
    for (const ch of text) {
        counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    let bits = 0;
    for (const n of counts.values()) {
        const p = n / text.length;
        bits -= p * Math.log2(p);
    }
    return bits;
}

export interface EntropyOptions {
    /** bits per character at or above which a token counts as random */
    entropyThreshold: number;
    /** shorter tokens are not considered */
    minTokenLength: number;
}

/** What kind of secret `text` contains (never the secret itself), or undefined. */
export function secretKind(text: string, options: EntropyOptions): string | undefined {
    const known = KNOWN_FORMATS.find(([, pattern]) => pattern.test(text));
    if (known) {
        return known[0];
    }
    for (const [, password] of text.matchAll(URL_CREDENTIALS)) {
        if (!REFERENCE.test(password)) {
            return "a password in a URL (scheme://user:password@host)";
        }
    }
    // Random tokens mix upper case, lower case and digits; words, paths, hex digests and UUIDs stay below the threshold.
    for (const [token] of text.replace(PUBLIC_PEM, "").matchAll(TOKEN)) {
        if (token.length >= options.minTokenLength && /[a-z]/.test(token) && /[A-Z]/.test(token) && /\d/.test(token)) {
            const bits = entropy(token);
            if (bits >= options.entropyThreshold) {
                return `a random-looking ${token.length}-character token (${bits.toFixed(2)} bits/char >= ${options.entropyThreshold})`;
            }
        }
    }
    return undefined;
}
