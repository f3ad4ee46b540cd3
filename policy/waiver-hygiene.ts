/**
 * The `waivers` policy: runs last, once per update (a stack policy), and reports what is wrong with the waivers
 * themselves: every problem of the waiver file and of waiver annotations (mandatory: a waiver that does not say who,
 * why and until when is not accepted), and every waiver that covered nothing this run (advisory: stale).
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { currentWaiverRun, noteOf, reportInfo } from "./waiver-ledger";
import { WAIVERS_POLICY } from "./waiver-settings";
import { annotationWaivers, describeWaiver, displayPath, stackOfUrn, waiverTarget } from "./waivers";

export const waiverHygiene: StackValidationPolicy = {
    name: WAIVERS_POLICY,
    description:
        "Waivers (policy-waivers.yaml, waive.webstack.dev/<policy> annotations) name a real, waivable policy, an owner, a reason and an expiry within the limit; a waiver that covers nothing is stale.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateStack: (args, report) => {
        const run = currentWaiverRun();
        for (const error of run.file.errors) {
            report(error);
        }
        const stacks = new Set<string>();
        for (const r of args.resources) {
            stacks.add(stackOfUrn(r.urn));
            const { waivers, errors } = annotationWaivers(waiverTarget(r.urn, r.type, r.name, r.props), run.now);
            errors.forEach((error) => report(error, r.urn));
            for (const w of waivers.filter((w) => !run.used.has(w.key))) {
                reportInfo(report, staleInfo(w, r.urn));
            }
        }
        for (const w of run.file.waivers) {
            if (!run.used.has(w.key) && (w.stack === undefined || stacks.has(w.stack))) {
                reportInfo(report, staleInfo(w, undefined, displayPath(run.file.path)));
            }
        }
    },
};

function staleInfo(w: Parameters<typeof noteOf>[0], urn: string | undefined, file?: string) {
    const detail = `stale waiver: "${w.policy}" reported nothing on the objects it names, ${describeWaiver(w)}. Fix: delete it${file === undefined ? " (the annotation)" : ` from ${file}`}, or correct what it matches.`;
    return {
        message: `${waiverHygiene.description}\n${detail}`,
        detail,
        urn,
        enforcementLevel: "advisory" as const,
        stale: noteOf(w),
    };
}
