/**
 * Wraps every validation of a policy, resource or stack, keeping the rest of the policy as it is: the pack's
 * config check (config.ts) and waivers (waiver-ledger.ts) both sit in front of the rules this way.
 */
import type {
    ResourceValidation,
    ResourceValidationPolicy,
    StackValidation,
    StackValidationPolicy,
} from "@pulumi/policy";

type Policy = ResourceValidationPolicy | StackValidationPolicy;

export interface Wrappers {
    resource: (validate: ResourceValidation) => ResourceValidation;
    stack: (validate: StackValidation) => StackValidation;
}

export function wrapPolicy<P extends Policy>(policy: P, wrap: Wrappers): P {
    if ("validateStack" in policy) {
        return { ...policy, validateStack: wrap.stack(policy.validateStack) };
    }
    const validations =
        policy.validateResource === undefined
            ? []
            : Array.isArray(policy.validateResource)
              ? policy.validateResource
              : [policy.validateResource];
    return { ...policy, validateResource: validations.map(wrap.resource) };
}
