import { ResourceValidationPolicy } from "@pulumi/policy";
import { globMatches } from "../images";
import { fieldOf, validateWorkloads } from "../validate";

export interface SecretEnvConfig {
    /** env names (case-insensitive globs) that hold secrets */
    secretEnvNames: string[];
    /** env names (globs) that only point at a secret (a mounted file path) and may be literal */
    allowedEnvNames: string[];
}

export const noLiteralSecretEnv: ResourceValidationPolicy = {
    name: "no-literal-secret-env",
    description: "[L19] An env var whose name looks secret (PASSWORD, TOKEN, SECRET, API_KEY...) is set with valueFrom.secretKeyRef, never a literal `value` (policies see secrets unwrapped, so how the value is supplied is what counts). Fix: store it with `pulumi config set --secret` or random.RandomPassword in a Kubernetes Secret and reference it with valueFrom.secretKeyRef.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            secretEnvNames: {
                type: "array",
                items: { type: "string" },
                default: ["*PASSWORD*", "*PASSWD*", "*SECRET*", "*TOKEN*", "*API_KEY*", "*APIKEY*", "*PRIVATE_KEY*", "*CREDENTIAL*", "*ACCESS_KEY*"],
                description: "Env names (case-insensitive globs) that hold secrets.",
            },
            allowedEnvNames: {
                type: "array",
                items: { type: "string" },
                default: ["*_FILE", "*_PATH"],
                description: "Env names (globs) that point at a mounted secret file and may be literal.",
            },
        },
    },
    validateResource: validateWorkloads((workload, args, report, who) => {
        const { secretEnvNames, allowedEnvNames } = args.getConfig<SecretEnvConfig>();
        const matches = (patterns: string[], name: string) => patterns.some(p => globMatches(p.toUpperCase(), name.toUpperCase()));
        for (const ref of workload.containers) {
            (ref.container.env ?? []).forEach((env, i) => {
                if (env.value !== undefined && env.value !== "" && matches(secretEnvNames, env.name) && !matches(allowedEnvNames, env.name)) {
                    report(`${fieldOf(who, ref, `env[${i}].value`)}: ${env.name} looks like a secret and is set as a literal value (readable in the spec and the state). Fix: put it in a Kubernetes Secret (from \`pulumi config set --secret\`) and use valueFrom.secretKeyRef.`);
                }
            });
        }
    }),
};
