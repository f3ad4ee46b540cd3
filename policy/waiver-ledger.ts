/**
 * One run's waivers and what they covered, and the wrapper that consults them before a violation is reported.
 * A PolicyPack process serves one update (its resources' Analyze calls, then AnalyzeStack), so the ledger lives as
 * long as the process; the offline runner starts a fresh one per run (startWaiverRun).
 */
import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { NotEvaluatedNote } from "./not-evaluated";
import { UNWAIVABLE } from "./waiver-settings";
import {
    annotationWaivers,
    dateStatus,
    describeWaiver,
    fileWaiverMatches,
    loadWaiverFile,
    Waiver,
    WaiverFile,
    waiverFilePath,
    WaiverTarget,
    waiverTarget,
    waiverToday,
} from "./waivers";
import { wrapPolicy } from "./wrap-policy";

type Policy = ResourceValidationPolicy | StackValidationPolicy;

/** A waiver as a report shows it (never the object's data: a Secret's values stay out). */
export type WaiverNote = Pick<Waiver, "policy" | "form" | "source" | "owner" | "expires" | "reason">;

/**
 * The object form of a violation that @pulumi/policy's server.js accepts beside the documented string (it copies
 * name, message, urn, description, enforcementLevel, severity): a waived violation goes out as advisory. The
 * offline runner reads the same object, plus the fields server.js leaves out.
 */
export interface ViolationInfo {
    message: string;
    urn?: string;
    name?: string;
    enforcementLevel?: "advisory" | "mandatory";
    /** The policy's own message, without the description and waiver text the CLI shows in `message` (offline only). */
    detail?: string;
    waived?: WaiverNote;
    expiredWaiver?: WaiverNote;
    stale?: WaiverNote;
    notEvaluated?: NotEvaluatedNote;
}

/** Reports a ViolationInfo through a ReportViolation (its declared type takes only a string). */
export function reportInfo(report: ReportViolation, info: ViolationInfo): void {
    (report as unknown as (info: ViolationInfo) => void)(info);
}

export class WaiverLedger {
    /** Keys of the waivers that covered a violation this run (active or expired). */
    readonly used = new Set<string>();

    constructor(
        readonly file: WaiverFile,
        readonly now: Date,
    ) {}

    /** The waiver of `policy` for the object: an active one first, else an expired one (named in the violation). */
    lookup(policy: string, target: WaiverTarget): { waiver: Waiver; expired: boolean } | undefined {
        if ((UNWAIVABLE as readonly string[]).includes(policy)) {
            return undefined;
        }
        const candidates = [
            ...annotationWaivers(target, this.now).waivers,
            ...this.file.waivers.filter((w) => fileWaiverMatches(w, target)),
        ].filter((w) => w.policy === policy);
        const active = candidates.find((w) => dateStatus(w, this.now) !== "expired");
        const chosen = active ?? candidates[0];
        if (chosen === undefined) {
            return undefined;
        }
        this.used.add(chosen.key);
        return { waiver: chosen, expired: active === undefined };
    }
}

let ledger: WaiverLedger | undefined;

/** Starts a run with the given file and day (default: $WEBSTACK_WAIVERS / the repository's file, and today). */
export function startWaiverRun(opts: { file?: string; now?: Date } = {}): WaiverLedger {
    const now = opts.now ?? waiverToday();
    ledger = new WaiverLedger(loadWaiverFile(opts.file ?? waiverFilePath(), now), now);
    return ledger;
}

export function currentWaiverRun(): WaiverLedger {
    return ledger ?? startWaiverRun();
}

export const noteOf = (w: Waiver): WaiverNote => ({
    policy: w.policy,
    form: w.form,
    source: w.source,
    owner: w.owner,
    expires: w.expires,
    reason: w.reason,
});

/** "WAIVED (owner …, expires … (source): reason)": the line above a waived violation's message. */
export function waivedText(w: WaiverNote): string {
    return `WAIVED, ${describeWaiver(w)}`;
}

/** The line after a violation whose waiver has expired. */
export function expiredText(w: WaiverNote): string {
    return `The waiver expired on ${w.expires} and no longer applies: ${describeWaiver(w)}. Fix: correct the object, or renew the waiver if the reason still holds.`;
}

/** A ReportViolation that first asks the ledger whether the object has a waiver for this policy. */
function waivingReport(
    policy: Policy,
    report: ReportViolation,
    targetFor: (urn: string | undefined) => WaiverTarget | undefined,
): ReportViolation {
    return (message, urn) => {
        const target = targetFor(urn);
        const found = target === undefined ? undefined : currentWaiverRun().lookup(policy.name, target);
        if (found === undefined) {
            report(message, urn);
            return;
        }
        const { waiver, expired } = found;
        if (expired) {
            reportInfo(report, {
                message: `${policy.description}\n${message}\n${expiredText(waiver)}`,
                detail: message,
                urn,
                expiredWaiver: noteOf(waiver),
            });
            return;
        }
        reportInfo(report, {
            message: `${policy.description}\n${waivedText(waiver)}\n${message}`,
            detail: message,
            urn,
            enforcementLevel: "advisory",
            waived: noteOf(waiver),
        });
    };
}

/** The policy with every violation it reports checked against the waivers first. */
export function withWaivers<P extends Policy>(policy: P): P {
    return wrapPolicy(policy, {
        resource: (validate) => (args, report) =>
            validate(
                args,
                waivingReport(policy, report, (urn) =>
                    urn === undefined || urn === args.urn
                        ? waiverTarget(args.urn, args.type, args.name, args.props)
                        : undefined,
                ),
            ),
        stack: (validateStack) => (args, report) =>
            validateStack(
                args,
                waivingReport(policy, report, (urn) => {
                    const r = urn === undefined ? undefined : args.resources.find((x) => x.urn === urn);
                    return r === undefined ? undefined : waiverTarget(r.urn, r.type, r.name, r.props);
                }),
            ),
    });
}
