/**
 * The schema-version guard (postmortem 002, L13, L23): a ValidatingAdmissionPolicy refusing an update of a stack's
 * schema record (the ConfigMap `<app>-schema` a MigrationJob writes) that lowers its `webstack.dev/schema-version`
 * annotation, unless the update also carries `webstack.dev/allow-schema-downgrade-to` naming exactly the new version.
 * Not a catalog policy: it compares an object with its previous version, which the pack (and `npm run check`) never
 * sees. The provider previews an update with a server-side dry run, so a reverted config fails at `pulumi preview`
 * with this message, before the older image's migration Job or the API Deployment change (docs/rollback.md).
 */
import {
    SCHEMA_DOWNGRADE_ANNOTATION,
    SCHEMA_VERSION_ANNOTATION,
    SCHEMA_VERSION_PATTERN,
} from "../components/schema-version";
import { str } from "./cel";

type Json = Record<string, unknown>;

export const SCHEMA_GUARD_NAME = "schema-version-guard";
export const SCHEMA_GUARD_LESSONS = ["L13", "L23"];

const annotation = (object: "object" | "oldObject", key: string) =>
    `${object}.metadata.?annotations[?${str(key)}].orValue("")`;

/** The guard's CEL, by role: reused by the policy below and named in tests. */
export const SCHEMA_GUARD_CEL = {
    /** Only records: the previous object carried a version annotation (a MigrationJob's schema record). */
    matchesRecord: `${annotation("oldObject", SCHEMA_VERSION_ANNOTATION)} != ""`,
    oldVersion: annotation("oldObject", SCHEMA_VERSION_ANNOTATION),
    newVersion: annotation("object", SCHEMA_VERSION_ANNOTATION),
    override: annotation("object", SCHEMA_DOWNGRADE_ANNOTATION),
    /** The new version is a version (removing or garbling it would disarm the guard). */
    wellFormed: `variables.newVersion.matches(${str(SCHEMA_VERSION_PATTERN)})`,
    /** Not lowered, or lowered to exactly the version the override annotation names. */
    notLowered: `!variables.oldVersion.matches(${str(SCHEMA_VERSION_PATTERN)}) || !variables.newVersion.matches(${str(SCHEMA_VERSION_PATTERN)}) || int(variables.newVersion) >= int(variables.oldVersion) || variables.override == variables.newVersion`,
};

const PREFIX = `[${SCHEMA_GUARD_LESSONS.join(", ")}] ${SCHEMA_GUARD_NAME}: `;
const SUBJECT = `"ConfigMap \\"" + object.metadata.name + "\\" "`;

/** The guard's ValidatingAdmissionPolicy and its binding to `namespace`, named from `prefix`. */
export function schemaGuardObjects(namespace: string, prefix: string, labels: Record<string, string>): Json[] {
    const policyName = `${prefix}-${SCHEMA_GUARD_NAME}`;
    return [
        {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata: { name: policyName, labels },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: {
                    resourceRules: [
                        { apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["UPDATE"] },
                    ],
                },
                matchConditions: [{ name: "is-schema-record", expression: SCHEMA_GUARD_CEL.matchesRecord }],
                variables: [
                    { name: "oldVersion", expression: SCHEMA_GUARD_CEL.oldVersion },
                    { name: "newVersion", expression: SCHEMA_GUARD_CEL.newVersion },
                    { name: "override", expression: SCHEMA_GUARD_CEL.override },
                ],
                // reason Invalid (HTTP 422), not Forbidden: the kubernetes provider takes a Forbidden answer to a preview's
                // dry run as "cannot preview" and carries on (provider.go Update), and the preview must fail here.
                validations: [
                    {
                        expression: SCHEMA_GUARD_CEL.wellFormed,
                        messageExpression: `${str(PREFIX)} + ${SUBJECT} + ${str(`annotation ${SCHEMA_VERSION_ANNOTATION} must stay a version number, got "`)} + variables.newVersion + ${str('" (was "')} + variables.oldVersion + ${str(`"). Fix: set migration.schemaVersion; the record is written by pulumi up, not by hand.`)}`,
                        reason: "Invalid",
                    },
                    {
                        expression: SCHEMA_GUARD_CEL.notLowered,
                        messageExpression: `${str(PREFIX)} + ${SUBJECT} + "lowers the schema version from " + variables.oldVersion + " to " + variables.newVersion + ${str(`: the older image's migration would run against the newer schema. Fix: roll back the API image alone, keeping migration.schemaVersion and setting migration.image to the current image (docs/rollback.md); or, after migrating the database down, set migration.allowSchemaDowngradeTo to `)} + variables.newVersion + ${str(` for that one deploy.`)}`,
                        reason: "Invalid",
                    },
                ],
            },
        },
        {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name: `${policyName}-${namespace}`, labels },
            spec: {
                policyName,
                validationActions: ["Deny"],
                matchResources: {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
                },
            },
        },
    ];
}
