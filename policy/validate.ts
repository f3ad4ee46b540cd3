import { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { KubeObject, PropsOf, WorkloadProps, kindOf, objectName } from "./k8s";
import { ContainerRef, Workload, WORKLOAD_TYPES, workloadOf } from "./workloads";

/** `Deployment "api"`: how every message names the object (auto-named objects show their resource name). */
export function subject(type: string, props: KubeObject, resourceName: string): string {
    return `${kindOf(type)} "${objectName(props, resourceName)}"`;
}

/** ResourceValidationArgs with props in the shape `P` the policy reads. */
export type KubeValidationArgs<P> = Omit<ResourceValidationArgs, "props"> & { props: P };

/** A resource validation for the given type tokens; other types are reported not applicable, as validateResourceOfType does. */
export function validateTypes<T extends string>(
    types: readonly T[],
    check: (props: PropsOf<T>, args: KubeValidationArgs<PropsOf<T>>, report: ReportViolation) => void,
): ResourceValidation {
    return (args, report) => {
        if (!types.some((type) => type === args.type)) {
            args.notApplicable(`Policy only applies to resources of type ${types.join(", ")}`);
        }
        // The engine's props are untyped JSON: read them in the shape of the checked types.
        const typed = args as KubeValidationArgs<PropsOf<T>>;
        check(typed.props, typed, report);
    };
}

/** A resource validation over the pod template of every workload kind (Pod, Deployment, ... CronJob). */
export function validateWorkloads(
    check: (workload: Workload, args: KubeValidationArgs<WorkloadProps>, report: ReportViolation, who: string) => void,
): ResourceValidation {
    return validateTypes(WORKLOAD_TYPES, (props, args, report) => {
        const workload = workloadOf(args.type, props)!;
        check(workload, args, report, subject(args.type, props, args.name));
    });
}

/**
 * `Deployment "api" container "web" (spec.template.spec.containers[0].image)`: the object, the container and the
 * field. A container without a name (the API server would reject it, but a policy still sees it) is named by its
 * position, never "undefined".
 */
export function fieldOf(who: string, ref: Pick<ContainerRef, "container" | "path" | "role">, field: string): string {
    const name =
        typeof ref.container.name === "string" && ref.container.name !== "" ? `"${ref.container.name}"` : "(unnamed)";
    return `${who} ${ref.role} ${name} (${ref.path}.${field})`;
}
