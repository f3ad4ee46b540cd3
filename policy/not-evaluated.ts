/**
 * "Not evaluated" as a status. During preview a value the update has yet to produce is unknown, and a policy that
 * reads it cannot run; @pulumi/policy then reports an advisory "can't run" (pulumi/pulumi-policy #181), the preview
 * passes, and `pulumi up` stops half way when the pack runs again with the value known. The pack catches the unknown
 * itself (one implementation for pulumi preview and npm run check) and reports the policy as not evaluated, naming
 * the unknown input; under the setting below a mandatory policy that was not evaluated fails the preview.
 */
import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { reportInfo } from "./waiver-ledger";
import { wrapPolicy } from "./wrap-policy";

type Policy = ResourceValidationPolicy | StackValidationPolicy;

/**
 * - `report`: listed as not evaluated (advisory), never fails: @pulumi/policy's own behaviour.
 * - `fail`: a mandatory policy that was not evaluated fails the preview and the check.
 * - `fail-except-images`: as `fail`, except for an unknown container image reference: that is a build's digest
 *   (`api.build`: the digest exists once the image is pushed, in the same update) or a tag produced by a resource
 *   of the same update, and the pack checks it again at `pulumi up`.
 */
export const NOT_EVALUATED_MODES = ["report", "fail", "fail-except-images"] as const;
export type NotEvaluatedMode = (typeof NOT_EVALUATED_MODES)[number];

/** The pack's setting. */
export const NOT_EVALUATED_MODE: NotEvaluatedMode = "fail-except-images";

/** Overrides the setting for one run (CI that wants `fail`, tests). */
export const NOT_EVALUATED_ENV = "WEBSTACK_NOT_EVALUATED";

export function notEvaluatedMode(env: NodeJS.ProcessEnv = process.env): NotEvaluatedMode {
    const given = env[NOT_EVALUATED_ENV];
    if (given === undefined || given === "") {
        return NOT_EVALUATED_MODE;
    }
    if (!(NOT_EVALUATED_MODES as readonly string[]).includes(given)) {
        throw new Error(
            `${NOT_EVALUATED_ENV}=${given} is not a mode. Fix: use one of ${NOT_EVALUATED_MODES.join(", ")}.`,
        );
    }
    return given as NotEvaluatedMode;
}

/** What a report says about a policy that could not run. */
export interface NotEvaluatedNote {
    /** The unknown input, e.g. `spec.template.spec.containers[0].image`. */
    input: string;
    /** Why it does not fail the run although the policy is mandatory (the image exemption), when that applies. */
    exempt?: string;
}

/** Container (or init container) image fields: the unknowns `fail-except-images` lets through. */
const IMAGE_FIELD = /(^|\.)(containers|initContainers)\[\d+\]\.image$/;

export const IMAGE_EXEMPTION =
    "an image reference produced in this update (an api.build digest, known once the image is pushed): checked again at pulumi up";

/** The line a report adds under a not-evaluated policy's message. */
export function notEvaluatedText(note: NotEvaluatedNote): string {
    return `NOT EVALUATED: the input ${note.input} is unknown until the update runs${note.exempt === undefined ? "" : `; exempt from failing: ${note.exempt}`}.`;
}

/** The proxy's error (@pulumi/policy/proxy UnknownValueError), recognised by shape: the pack and the runner share it. */
function unknownPath(err: unknown): string[] | undefined {
    const e = err as { constructor?: { name?: string }; props?: unknown };
    return err instanceof Error && e.constructor?.name === "UnknownValueError" && Array.isArray(e.props)
        ? e.props.map(String)
        : undefined;
}

/** ["spec", "containers", "0", "image"] → "spec.containers[0].image". */
function fieldPath(props: string[]): string {
    return props.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** The policy with an unknown value during preview turned into a "not evaluated" report. */
export function withNotEvaluated<P extends Policy>(policy: P): P {
    const notEvaluated = (err: unknown, report: ReportViolation, urn: string | undefined): void => {
        const props = unknownPath(err);
        if (props === undefined) {
            throw err;
        }
        const input = fieldPath(props);
        const mode = notEvaluatedMode();
        const exempt = mode === "fail-except-images" && IMAGE_FIELD.test(input) ? IMAGE_EXEMPTION : undefined;
        const fails = mode === "fail" || (mode === "fail-except-images" && exempt === undefined);
        const note: NotEvaluatedNote = { input, ...(exempt === undefined ? {} : { exempt }) };
        // @pulumi/policy's own words and layout (no description above), so readers of "can't run ... during
        // preview" (the engine tests, scripts) still match; the not-evaluated line follows.
        const detail = `can't run policy '${policy.name}' during preview: ${(err as Error).message}`;
        reportInfo(report, {
            message: `${detail}\n${notEvaluatedText(note)}`,
            detail,
            urn,
            // Failing: the policy's own level (a mandatory policy fails). Otherwise advisory, as @pulumi/policy.
            ...(fails ? {} : { enforcementLevel: "advisory" as const }),
            notEvaluated: note,
        });
    };
    // Synchronous validations stay synchronous (their errors are thrown, not turned into rejected promises).
    const guard = (run: () => void | Promise<void>, report: ReportViolation, urn: string | undefined) => {
        try {
            const result = run();
            return result instanceof Promise ? result.catch((err) => notEvaluated(err, report, urn)) : result;
        } catch (err) {
            return notEvaluated(err, report, urn);
        }
    };
    return wrapPolicy(policy, {
        resource: (validate) => (args, report) => guard(() => validate(args, report), report, undefined),
        stack: (validateStack) => (args, report) => guard(() => validateStack(args, report), report, undefined),
    });
}
