/**
 * The one rule for "this literal environment variable is a secret" (L19), by name and by value. The Api's config
 * check (components/api.ts) and the pack's no-literal-secret-env and no-secret-values policies all call it, so a
 * stack config the config check accepts is never blocked by the pack for a secret in `api.env`, and the reverse.
 * No imports but the two dependency-free modules beside it, so the pack loads it without loading a component.
 */
import { envNameMatchesAny } from "./facts";
import { EntropyOptions, secretKind } from "./secret-values";

/** Which env names hold secrets, as case-insensitive globs (the no-literal-secret-env settings). */
export interface SecretEnvNameRule {
    /** Names that hold secrets. */
    secretEnvNames: string[];
    /** Names that only point at a secret or a service (a mounted file, a Secret's name, a URL) and may be literal. */
    allowedEnvNames: string[];
}

export const DEFAULT_SECRET_ENV_NAME_RULE: Readonly<SecretEnvNameRule> = {
    secretEnvNames: [
        "*PASSWORD*",
        "*PASSWD*",
        "*SECRET*",
        "*TOKEN*",
        "*API_KEY*",
        "*APIKEY*",
        "*PRIVATE_KEY*",
        "*CREDENTIAL*",
        "*ACCESS_KEY*",
    ],
    // A credential inside such a value (a password in a *_URL) is found by its value instead.
    allowedEnvNames: ["*_FILE", "*_PATH", "*_URL", "*_URI", "*_ENDPOINT", "*_NAME", "*_PREFIX"],
};

/** The no-secret-values settings: a token (mixed case and digits) of 24+ characters at 4.5+ bits/char is random. */
export const DEFAULT_ENTROPY_OPTIONS: Readonly<EntropyOptions> = { entropyThreshold: 4.5, minTokenLength: 24 };

/** Whether `name` says it holds a secret (and is not a pointer to one). */
export function isSecretEnvName(name: string, rule: SecretEnvNameRule = DEFAULT_SECRET_ENV_NAME_RULE): boolean {
    return envNameMatchesAny(rule.secretEnvNames, name) && !envNameMatchesAny(rule.allowedEnvNames, name);
}

/** Why a literal env var is a secret, or undefined: by its name, or by its value (the kind, never the value). */
export type LiteralSecret = { by: "name" } | { by: "value"; kind: string };

/** Judges one literal env var the way the pack does with its default settings; empty values hold nothing. */
export function literalEnvSecret(
    name: string,
    value: string,
    rule: SecretEnvNameRule = DEFAULT_SECRET_ENV_NAME_RULE,
    entropy: EntropyOptions = DEFAULT_ENTROPY_OPTIONS,
): LiteralSecret | undefined {
    if (value === "") {
        return undefined;
    }
    if (isSecretEnvName(name, rule)) {
        return { by: "name" };
    }
    const kind = secretKind(value, entropy);
    return kind === undefined ? undefined : { by: "value", kind };
}
