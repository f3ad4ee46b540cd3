// The schema version a stack's migration brings the database to, recorded on a ConfigMap the admission guard
// (admission/schema-guard.ts) watches: an update lowering it is refused (postmortem 002, L13, L23). Kept free of
// Pulumi imports: `npm run admission` reads these names too.
import { FieldProblem } from "./errors";

/** Annotation holding the declared schema version (an annotation, not data: see MigrationJob's schema record). */
export const SCHEMA_VERSION_ANNOTATION = "webstack.dev/schema-version";
/** Annotation that lets one update lower the version, to exactly the version it names. */
export const SCHEMA_DOWNGRADE_ANNOTATION = "webstack.dev/allow-schema-downgrade-to";
/** Default `migration.schemaVersion`: undeclared, so any later declared version is an upgrade. */
export const DEFAULT_SCHEMA_VERSION = 0;
/** Largest version: nine digits, so the guard's CEL `int()` of the annotation never overflows. */
export const MAX_SCHEMA_VERSION = 999_999_999;
/** The grammar of a recorded version, for the guard's CEL (and for the checks below). */
export const SCHEMA_VERSION_PATTERN = "^[0-9]{1,9}$";

/** Name of the ConfigMap recording the schema version of application `partOf`. */
export const schemaRecordName = (partOf: string) => `${partOf}-schema`;

/**
 * allowSchemaDowngradeTo, when given, must name the declared schemaVersion (the value rules are MIGRATION_OPTIONS');
 * `prefix` is the config path ("migration.") or "".
 */
export function schemaDowngradeProblem(
    args: { schemaVersion?: number; allowSchemaDowngradeTo?: number },
    prefix: string,
): FieldProblem | undefined {
    const target = args.allowSchemaDowngradeTo;
    const declared = args.schemaVersion ?? DEFAULT_SCHEMA_VERSION;
    if (target === undefined || target === declared) return undefined;
    return {
        field: `${prefix}allowSchemaDowngradeTo`,
        problem: `only allows a downgrade to the declared ${prefix}schemaVersion (${declared}), and must be removed once that deploy is done`,
        got: target,
        fix: `after the database was migrated down to ${prefix}schemaVersion, set ${prefix}allowSchemaDowngradeTo to that same version for one deploy, then remove it`,
        remove: true,
        lessons: ["L13", "L23"],
    };
}
