import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { globMatches } from "../images";
import { fieldOf, validateWorkloads } from "../validate";

export interface SecretEnvConfig {
    /** env names (case-insensitive globs) that hold secrets */
    secretEnvNames: string[];
    /** env names (globs) that only point at a secret (a mounted file path) and may be literal */
    allowedEnvNames: string[];
}

export const noLiteralSecretEnv: ResourceValidationPolicy = {
    ...policyMetadata("no-literal-secret-env"),
    configSchema: closedSchema({
        secretEnvNames: {
            type: "array",
            items: { type: "string" },
            default: [
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
            description: "Env names (case-insensitive globs) that hold secrets.",
        },
        allowedEnvNames: {
            type: "array",
            items: { type: "string" },
            // Names that point at a secret or a service rather than hold one; a credential inside such a value
            // (a password in a *_URL) is no-secret-values' to find.
            default: ["*_FILE", "*_PATH", "*_URL", "*_URI", "*_ENDPOINT", "*_NAME", "*_PREFIX"],
            description:
                "Env names (globs) that point at a secret (a mounted file, a Secret's name, a service URL) and may be literal.",
        },
    }),
    validateResource: validateWorkloads((workload, args, report, who) => {
        const { secretEnvNames, allowedEnvNames } = args.getConfig<SecretEnvConfig>();
        const matches = (patterns: string[], name: string) =>
            patterns.some((p) => globMatches(p.toUpperCase(), name.toUpperCase()));
        for (const ref of workload.containers) {
            (ref.container.env ?? []).forEach((env, i) => {
                if (
                    env.value !== undefined &&
                    env.value !== "" &&
                    matches(secretEnvNames, env.name) &&
                    !matches(allowedEnvNames, env.name)
                ) {
                    report(
                        `${fieldOf(who, ref, `env[${i}].value`)}: ${env.name} looks like a secret and is set as a literal value (readable in the spec and the state). Fix: put it in a Kubernetes Secret (from \`pulumi config set --secret\`) and use valueFrom.secretKeyRef.`,
                    );
                }
            });
        }
    }),
};
