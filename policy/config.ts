/**
 * Policy configuration that cannot be misspelt silently. A typo in a property ("maxByte") or a policy name
 * ("pod-security-restriced") used to be ignored: the policy kept its default or stayed at its default level,
 * and nobody noticed. The Pulumi engine validates a config only against `properties`/`required` (it drops
 * `additionalProperties` when it builds the JSON schema), so the pack checks its own config: every schema says
 * `additionalProperties: false`, and each policy rejects properties its schema does not declare, naming the
 * closest one. The offline runner applies the same checks plus unknown policy names (which a policy of the pack
 * cannot see: @pulumi/policy hands each policy only its own entry).
 */
import type { Policies, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { didYouMean } from "../components/did-you-mean";
import { wrapPolicy } from "./wrap-policy";

type Policy = ResourceValidationPolicy | StackValidationPolicy;

/** A closed configSchema: the only properties a policy accepts are the ones listed. */
export function closedSchema(properties: Record<string, PolicyConfigJSONSchema>): PolicyConfigSchema {
    const schema = { properties, additionalProperties: false };
    return schema;
}

/** Errors for config properties the policy does not declare, each naming the closest declared one. */
export function unknownPropertyErrors(policy: Policy, properties: Record<string, unknown>): string[] {
    const known = Object.keys(policy.configSchema?.properties ?? {});
    return Object.keys(properties)
        .filter((key) => key !== "enforcementLevel" && !known.includes(key))
        .map(
            (key) =>
                `policy config "${policy.name}": unknown property "${key}".${didYouMean(key, [...known, "enforcementLevel"])} Fix: ${
                    known.length === 0
                        ? "this policy takes only enforcementLevel"
                        : `use one of ${[...known, "enforcementLevel"].join(", ")}`
                }.`,
        );
}

/** Errors for keys of a --policy-pack-config file that name no policy of the pack ("all" sets every level). */
export function unknownPolicyErrors(policies: Policies, packConfig: Record<string, unknown>): string[] {
    const names = ["all", ...policies.map((p) => p.name)];
    return Object.keys(packConfig)
        .filter((key) => !names.includes(key))
        .map(
            (key) =>
                `policy config "${key}": no policy of the pack has this name, so the entry would be ignored.${didYouMean(key, names)} Fix: use a policy name from policy/policies.ts (or "all").`,
        );
}

/**
 * The policy with its validation preceded by a check of its own config: an unknown property throws, and the
 * engine reports "Error validating ... with policy '<name>': policy config ...: unknown property ..." and fails.
 */
export function withConfigCheck<P extends Policy>(policy: P): P {
    const check = (config: object) => {
        const errors = unknownPropertyErrors(policy, config as Record<string, unknown>);
        if (errors.length > 0) {
            throw new Error(errors.join(" "));
        }
    };
    return wrapPolicy(policy, {
        resource: (validate) => (args, report) => {
            check(args.getConfig());
            return validate(args, report);
        },
        stack: (validateStack) => (args, report) => {
            check(args.getConfig());
            return validateStack(args, report);
        },
    });
}
