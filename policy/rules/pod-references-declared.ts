import { StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata } from "../catalog";
import { TYPES } from "../k8s";
import { externalNameMatcher, externalNamesSchema } from "../external-names";
import { IndexedWorkload, StackIndex } from "../stack-index";
import { fieldOf } from "../validate";

interface Reference {
    kind: keyof typeof TYPE_OF;
    name: string;
    where: string;
    symptom: string;
}

const TYPE_OF = { ConfigMap: TYPES.configMap, Secret: TYPES.secret, ServiceAccount: TYPES.serviceAccount };

const VOLUME = "the pod stays in ContainerCreating (FailedMount)";
const ENV = "the container stays in CreateContainerConfigError";

const ACCOUNT = "the controller cannot create the pods (FailedCreate: serviceaccount not found)";

/** Every required (not optional) ConfigMap/Secret/ServiceAccount reference of a pod template, with the field it sits in. */
function references(w: IndexedWorkload): Reference[] {
    const found: Reference[] = [];
    const add = (
        kind: Reference["kind"],
        ref: { name?: string; secretName?: string; optional?: boolean } | undefined,
        where: string,
        symptom: string,
    ) => {
        const name = ref?.name ?? ref?.secretName;
        if (ref != null && ref.optional !== true && typeof name === "string") {
            found.push({ kind, name, where, symptom });
        }
    };
    const podSpecPath = w.workload.podSpecPath;
    // Every namespace has the "default" account.
    if (w.workload.podSpec.serviceAccountName !== undefined && w.workload.podSpec.serviceAccountName !== "default") {
        add(
            "ServiceAccount",
            { name: w.workload.podSpec.serviceAccountName },
            `${w.who} (${podSpecPath}.serviceAccountName)`,
            ACCOUNT,
        );
    }
    (w.workload.podSpec.volumes ?? []).forEach((v, i) => {
        add("ConfigMap", v.configMap, `${w.who} (${podSpecPath}.volumes[${i}].configMap.name)`, VOLUME);
        add("Secret", v.secret, `${w.who} (${podSpecPath}.volumes[${i}].secret.secretName)`, VOLUME);
        (v.projected?.sources ?? []).forEach((s, j) => {
            add(
                "ConfigMap",
                s.configMap,
                `${w.who} (${podSpecPath}.volumes[${i}].projected.sources[${j}].configMap.name)`,
                VOLUME,
            );
            add(
                "Secret",
                s.secret,
                `${w.who} (${podSpecPath}.volumes[${i}].projected.sources[${j}].secret.name)`,
                VOLUME,
            );
        });
    });
    for (const ref of w.workload.containers) {
        (ref.container.env ?? []).forEach((env, k) => {
            const from = env.valueFrom;
            add(
                "ConfigMap",
                from?.configMapKeyRef,
                fieldOf(w.who, ref, `env[${k}].valueFrom.configMapKeyRef.name`),
                ENV,
            );
            add("Secret", from?.secretKeyRef, fieldOf(w.who, ref, `env[${k}].valueFrom.secretKeyRef.name`), ENV);
        });
        (ref.container.envFrom ?? []).forEach((source, k) => {
            add("ConfigMap", source.configMapRef, fieldOf(w.who, ref, `envFrom[${k}].configMapRef.name`), ENV);
            add("Secret", source.secretRef, fieldOf(w.who, ref, `envFrom[${k}].secretRef.name`), ENV);
        });
    }
    return found;
}

/**
 * Lesson L15: a deploy hung for 12 minutes on pods that could never start. A pod that needs a ConfigMap,
 * Secret or ServiceAccount nobody creates (renamed in the program, created by a script that no longer runs, wrong namespace) is
 * the same hang: ContainerCreating or CreateContainerConfigError until the rollout deadline. References marked
 * optional are skipped. Advisory: the object may come from outside the program (an operator, cert-manager, a
 * sealed secret); list such names in externalNames. Remediation: declare the object in the program and pass its
 * metadata.name to the pod, so the reference cannot drift.
 */
export const podReferencesDeclared: StackValidationPolicy = {
    ...policyMetadata("pod-references-declared"),
    configSchema: externalNamesSchema(
        "ConfigMap/Secret/ServiceAccount names (globs) created outside the program; references to them are not reported.",
    ),
    validateStack: (args, report) => {
        const isExternal = externalNameMatcher(args);
        const index = new StackIndex(args.resources);
        for (const w of index.workloads) {
            for (const ref of references(w)) {
                if (index.find(TYPE_OF[ref.kind], w.namespace, ref.name) === undefined && !isExternal(ref.name)) {
                    report(
                        `${ref.where}: ${ref.kind} "${ref.name}" is not declared in namespace "${w.namespace}" of this stack; unless something else creates it, ${ref.symptom} and the rollout hangs. Fix: declare the ${ref.kind} in the program and use its metadata.name, ${ref.kind === "ServiceAccount" ? "" : "mark the reference optional: true, "}or add "${ref.name}" to externalNames.`,
                        w.resource.urn,
                    );
                }
            }
        }
    },
};
