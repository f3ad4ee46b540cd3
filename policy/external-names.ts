/**
 * `externalNames`: the objects a stack policy looks up that may be created outside the program (another stack, an
 * operator, another team). A reference to one of them is not reported; the run cannot see it (issue 25 item 3).
 */
import type { PolicyConfigSchema, StackValidationArgs } from "@pulumi/policy";
import { closedSchema } from "./config";
import { globMatches } from "../components/facts";

/** The config schema of a policy whose only property is `externalNames`, described for its users. */
export function externalNamesSchema(description: string): PolicyConfigSchema {
    return closedSchema({
        externalNames: {
            type: "array",
            items: { type: "string" },
            default: [],
            description,
        },
    });
}

/** Whether `name` matches one of the policy's configured externalNames. */
export function externalNameMatcher(args: StackValidationArgs): (name: string) => boolean {
    const { externalNames } = args.getConfig<{ externalNames: string[] }>();
    return (name) => externalNames.some((pattern) => globMatches(pattern, name));
}
