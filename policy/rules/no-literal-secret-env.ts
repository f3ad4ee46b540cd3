import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { DEFAULT_SECRET_ENV_NAME_RULE, isSecretEnvName, SecretEnvNameRule } from "../../components/secret-env";
import { fieldOf, validateWorkloads } from "../validate";

export const noLiteralSecretEnv: ResourceValidationPolicy = {
    ...policyMetadata("no-literal-secret-env"),
    configSchema: closedSchema({
        secretEnvNames: {
            type: "array",
            items: { type: "string" },
            default: [...DEFAULT_SECRET_ENV_NAME_RULE.secretEnvNames],
            description: "Env names (case-insensitive globs) that hold secrets.",
        },
        allowedEnvNames: {
            type: "array",
            items: { type: "string" },
            default: [...DEFAULT_SECRET_ENV_NAME_RULE.allowedEnvNames],
            description:
                "Env names (globs) that point at a secret (a mounted file, a Secret's name, a service URL) and may be literal.",
        },
    }),
    validateResource: validateWorkloads((workload, args, report, who) => {
        const rule = args.getConfig<SecretEnvNameRule>();
        for (const ref of workload.containers) {
            (ref.container.env ?? []).forEach((env, i) => {
                if (env.value !== undefined && env.value !== "" && isSecretEnvName(env.name, rule)) {
                    report(
                        `${fieldOf(who, ref, `env[${i}].value`)}: ${env.name} looks like a secret and is set as a literal value (readable in the spec and the state). Fix: put it in a Kubernetes Secret (from \`pulumi config set --secret\`) and use valueFrom.secretKeyRef.`,
                    );
                }
            });
        }
    }),
};
