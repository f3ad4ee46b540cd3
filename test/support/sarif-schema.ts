// The OASIS SARIF 2.1.0 JSON schema (draft-04, as shipped in @microsoft/jest-sarif; its jest matcher is not used)
// compiled with Ajv's draft-04 class, so reports are validated against the standard, not against our reading of it.
import Ajv, { type ErrorObject } from "ajv-draft-04";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a JSON file of a package that has no exports map
const SARIF_2_1_0_SCHEMA = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object;

// unicodeRegExp off: the published schema's `language` pattern ("…{2}]?$") is only valid without the u flag.
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false }).compile(
    SARIF_2_1_0_SCHEMA,
);

/** Schema errors of a SARIF log as "<instance path> <message>" lines; empty when it is valid SARIF 2.1.0. */
export function sarifSchemaErrors(log: unknown): string[] {
    return validate(log) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.message}`);
}
