/**
 * Shared runner for the Pod Security tests: each case is a pod spec change that must pass and one that must
 * fail a given control (built from the rules of k8s.io/pod-security-admission/policy/check_*.go), asserted on the
 * Deployment "web" of the compliant stack.
 */
import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../../policy/k8s";
import { stackWith, violationsOf } from "./fixtures";

type Json = Record<string, any>;

export interface ControlCase {
    control: string;
    /** what the passing change shows (an edge case the rule allows) */
    allowed: string;
    pass: (spec: Json, template: Json) => void;
    /** what the failing change shows */
    rejected: string;
    fail: (spec: Json, template: Json) => void;
    /** field paths (under spec.template) the failure must name, one message each */
    fields: string[];
}

export const web = (change: (spec: Json, template: Json) => void) =>
    stackWith(TYPES.deployment, "web", (o) => change(o.spec.template.spec, o.spec.template));

export const app = (spec: Json) => spec.containers[0];

export function controlTests(policy: ResourceValidationPolicy, profile: string, cases: ControlCase[]): void {
    for (const c of cases) {
        it(`[L30] ${profile} "${c.control}" allows ${c.allowed}`, async () => {
            assert.deepEqual(
                (await violationsOf(policy, web(c.pass))).map((v) => v.message),
                [],
            );
        });
        it(`[L30] ${profile} "${c.control}" rejects ${c.rejected}`, async () => {
            const messages = (await violationsOf(policy, web(c.fail))).map((v) => v.message);
            assert.equal(messages.length, c.fields.length, messages.join("\n"));
            for (const field of c.fields) {
                const hit = messages.find((m) => m.includes(`(spec.template.${field})`));
                assert.ok(hit, `no message names spec.template.${field}:\n${messages.join("\n")}`);
                assert.ok(hit.startsWith(`Deployment "web" `), hit);
                assert.ok(hit.includes(`: Pod Security ${profile} "${c.control}": `), hit);
                assert.match(hit, /\. Fix: .+\.$/);
            }
        });
    }
}
