/**
 * The pack's waiver settings, in one place: the pack, `npm run check`, `npm run waivers` and the docs read them
 * from here. They are code of the pack (a change is reviewed like any policy change), not part of the waiver file
 * that the waivers themselves live in: the people who write waivers do not also set their limits.
 */
import type { PolicyName } from "./catalog";

/** The longest a waiver may run, counted from today: a waiver is a dated debt, not a permanent opt-out. */
export const MAX_EXPIRY_DAYS = 90;

/** The audit calls a waiver "expiring" this many days (or fewer) before its expiry date. */
export const EXPIRING_WITHIN_DAYS = 14;

/**
 * Policies no waiver can silence: the API server or Pod Security admission rejects these objects anyway, so a waiver
 * would only move the failure from the preview to the middle of `pulumi up`.
 */
export const UNWAIVABLE: readonly PolicyName[] = [
    "api-version-removed", // the API server no longer serves the version: "no matches for kind"
    "configmap-size-limit", // etcd's 1 MiB object limit: "Too long: must have at most 1048576 bytes"
    "pod-security-baseline", // Pod Security admission, enforcing namespaces
    "pod-security-restricted",
];

/** The waiver file, at the repository root beside Pulumi.yaml (the pack lives in policy/). */
export const WAIVER_FILE_NAME = "policy-waivers.yaml";

/** Environment variable naming another waiver file (a project outside this repository, tests). */
export const WAIVER_FILE_ENV = "WEBSTACK_WAIVERS";

/** TEST ONLY: the date ("YYYY-MM-DD") the pack takes as today, so a test can see a waiver expire. */
export const WAIVER_NOW_ENV = "WEBSTACK_WAIVER_NOW";

/** Annotation prefix of a waiver on the object itself: `waive.webstack.dev/<policy>: "owner=…; expires=…; reason=…"`. */
export const WAIVER_ANNOTATION_PREFIX = "waive.webstack.dev/";

/** The name violations about waivers themselves (invalid, stale) are reported under. */
export const WAIVERS_POLICY = "waivers";
