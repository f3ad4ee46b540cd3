import { ResourceValidationPolicy } from "@pulumi/policy";
import { fixOf, policyMetadata } from "../catalog";
import { closedSchema } from "../config";
import { TYPES, propsAs } from "../k8s";
import { DEFAULT_ENTROPY_OPTIONS } from "../../components/secret-env";
import { EntropyOptions, secretKind } from "../../components/secret-values";
import { fieldOf, subject } from "../validate";
import { WORKLOAD_TYPES, workloadOf } from "../workloads";

const FIX = fixOf("no-secret-values");

/**
 * Lesson L19: a secrets file was committed to git. no-literal-secret-env judges env vars by name; this judges
 * literal env values and ConfigMap data by value, which catches what names miss: a private key under DATA, an
 * AWS key under CONFIG, a password inside DATABASE_URL, a bearer token pasted into a ConfigMap. Recognised:
 * private key blocks, AWS/GitHub/GitLab/Slack/Google/Stripe key formats, JSON Web Tokens, credentials in URLs
 * ($(VAR) and ${VAR} references are fine), and tokens that mix cases and digits above an entropy threshold
 * (certificates and public keys are skipped). Messages name the kind of secret, never the value.
 * Remediation: a Secret and secretKeyRef.
 */
export const noSecretValues: ResourceValidationPolicy = {
    ...policyMetadata("no-secret-values"),
    configSchema: closedSchema({
        entropyThreshold: {
            type: "number",
            minimum: 0,
            default: DEFAULT_ENTROPY_OPTIONS.entropyThreshold,
            description: "Bits per character at or above which a token (mixed case and digits) counts as random.",
        },
        minTokenLength: {
            type: "integer",
            minimum: 8,
            default: DEFAULT_ENTROPY_OPTIONS.minTokenLength,
            description: "Tokens shorter than this are not checked for entropy.",
        },
    }),
    validateResource: (args, report) => {
        const options = args.getConfig<EntropyOptions>();
        if (args.type === TYPES.configMap) {
            for (const [key, value] of Object.entries<unknown>(propsAs(TYPES.configMap, args.props).data ?? {})) {
                const kind = typeof value === "string" ? secretKind(value, options) : undefined;
                if (kind !== undefined) {
                    report(
                        `${subject(args.type, args.props, args.name)} (data["${key}"]): contains ${kind}; ConfigMaps are readable by anyone who can read the namespace. ${FIX}`,
                    );
                }
            }
            return;
        }
        if (!WORKLOAD_TYPES.includes(args.type)) {
            args.notApplicable(`Policy only applies to ConfigMaps and resources of type ${WORKLOAD_TYPES.join(", ")}`);
        }
        const workload = workloadOf(args.type, args.props)!;
        const who = subject(args.type, args.props, args.name);
        for (const ref of workload.containers) {
            (ref.container.env ?? []).forEach((env, i) => {
                const kind = typeof env.value === "string" ? secretKind(env.value, options) : undefined;
                if (kind !== undefined) {
                    report(
                        `${fieldOf(who, ref, `env[${i}].value`)}: ${env.name} contains ${kind} as a literal value. ${FIX}`,
                    );
                }
            });
        }
    },
};
