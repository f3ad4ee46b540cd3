import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { admissionObjects, LeftOut } from "./generate";
import { loadWaiverFile, waiverFilePath, waiverToday } from "../policy/waivers";

export interface AdmissionPoliciesArgs {
    /** Namespace the policies are enforced in (the stack's): the bindings select it by name. Required. */
    namespace: string;
    /** The policy pack config (`--policy-pack-config` JSON): levels and settings. Default: the pack's defaults. */
    packConfig?: Record<string, unknown>;
    /** The waiver file. Default: the repository's (`$WEBSTACK_WAIVERS`, else policy-waivers.yaml beside Pulumi.yaml). */
    waiverFile?: string;
    /** Create the cluster-wide params kind (a CRD). Default true; false when another stack on the cluster installs it. */
    installParamsKind?: boolean;
}

/**
 * The pack's policies enforced by the API server in one namespace (docs/admission.md): the ValidatingAdmissionPolicies
 * and bindings of every policy with an admission form (admission/generate.ts), the schema-version guard
 * (admission/schema-guard.ts, docs/rollback.md), and the policies' params with the settings and the
 * repository's live waivers, compiled at each `pulumi up` (CEL has no clock: an expired waiver stops applying at the
 * next deploy). Waiver annotations on objects are not honoured: the person making a hand edit could add one.
 * Cluster-scoped objects: the deployer needs cluster-admin. Not part of the @webstack/components package: it reads
 * the policy pack's settings and waiver file, which the package does not ship.
 */
export class AdmissionPolicies extends pulumi.ComponentResource {
    /** Names of the ValidatingAdmissionPolicies installed. */
    readonly policyNames: string[];
    /** Catalog policies without an admission form (or turned off), and why. */
    readonly leftOut: LeftOut[];

    constructor(name: string, args: AdmissionPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("webstack:index:AdmissionPolicies", name, {}, opts);
        const now = waiverToday();
        const waivers = loadWaiverFile(args.waiverFile ?? waiverFilePath(), now);
        if (waivers.errors.length > 0) {
            throw new Error(`${name}: the waiver file is invalid:\n  ${waivers.errors.join("\n  ")}`);
        }
        const generated = admissionObjects({
            namespace: args.namespace,
            prefix: name,
            packConfig: args.packConfig,
            waivers: waivers.waivers,
            stack: pulumi.getStack(),
            now,
        });
        const crd =
            args.installParamsKind === false
                ? undefined
                : new k8s.apiextensions.v1.CustomResourceDefinition(
                      `${name}-params-kind`,
                      generated.crd as unknown as k8s.apiextensions.v1.CustomResourceDefinitionArgs,
                      { parent: this },
                  );
        const [params, ...rest] = generated.objects;
        const paramsResource = new k8s.apiextensions.CustomResource(
            `${name}-params`,
            params as unknown as k8s.apiextensions.CustomResourceArgs,
            {
                parent: this,
                dependsOn: crd ? [crd] : [],
            },
        );
        const policies = rest
            .filter((o) => o.kind === "ValidatingAdmissionPolicy")
            .map(
                (o) =>
                    new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                        (o.metadata as { name: string }).name,
                        o as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs,
                        { parent: this, dependsOn: crd ? [crd] : [] },
                    ),
            );
        for (const binding of rest.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding")) {
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                (binding.metadata as { name: string }).name,
                binding as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs,
                { parent: this, dependsOn: [paramsResource, ...policies] },
            );
        }
        // The schema-version guard (admission/schema-guard.ts): no params, so nothing to wait for.
        const [guard, guardBinding] = generated.guards;
        const guardPolicy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            (guard.metadata as { name: string }).name,
            guard,
            { parent: this },
        );
        new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            (guardBinding.metadata as { name: string }).name,
            guardBinding as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs,
            { parent: this, dependsOn: [guardPolicy] },
        );
        this.policyNames = [...rest, guard]
            .filter((o) => o.kind === "ValidatingAdmissionPolicy")
            .map((o) => (o.metadata as { name: string }).name);
        this.leftOut = generated.leftOut;
        this.registerOutputs({ policyNames: this.policyNames });
    }
}
