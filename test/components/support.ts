// Shared readers and lesson checks for the component and stack tests: they look at the recorded resources the
// way the API server and the kubelet would see them.
import * as assert from "assert";
import type * as pulumi from "@pulumi/pulumi";
import { FieldProblem, WebStackArgError } from "../../components/errors";
import type { RecordedResource } from "../../offline/run-program";
import { toKubernetesObject, validateKubernetesObject } from "../../offline/schema";
import type { LooseRecordedResource } from "../support/recorded";

export const DIGEST_PINNED = /@sha256:[0-9a-f]{64}$/;
/** An image reference of `repo` pinned to a made-up digest of 64 `digit`s. */
export const pinned = (repo: string, digit: string) => `${repo}@sha256:${digit.repeat(64)}`;
export const RECOMMENDED_LABELS = ["name", "instance", "component", "part-of", "managed-by"].map(
    (k) => `app.kubernetes.io/${k}`,
);

export interface KubeObject {
    resource: LooseRecordedResource;
    obj: Record<string, any>;
}

export function kubeObjects(resources: RecordedResource[]): KubeObject[] {
    return resources.flatMap((resource) => {
        const obj = toKubernetesObject(resource);
        return obj ? [{ resource, obj }] : [];
    });
}

export function ofKind(resources: RecordedResource[], kind: string): KubeObject[] {
    return kubeObjects(resources).filter((k) => k.obj.kind === kind);
}

/** The one object of `kind` whose Pulumi name is `name`. */
export function one(resources: RecordedResource[], kind: string, name: string): KubeObject {
    const found = ofKind(resources, kind).filter((k) => k.resource.name === name);
    assert.strictEqual(found.length, 1, `expected one ${kind} ${name}, found ${found.length}`);
    return found[0];
}

/** Every pod template of the run: Deployments, StatefulSets, Jobs. */
export function podTemplates(
    resources: RecordedResource[],
): { where: string; template: Record<string, any>; workload: KubeObject }[] {
    return kubeObjects(resources)
        .filter((k) => ["Deployment", "StatefulSet", "Job"].includes(k.obj.kind))
        .map((k) => ({ where: `${k.obj.kind} ${k.resource.name}`, template: k.obj.spec.template, workload: k }));
}

export function containersOf(podSpec: Record<string, any>): Record<string, any>[] {
    return [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
}

export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
    return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export function assertSchemaValid(resources: RecordedResource[]): number {
    const objects = kubeObjects(resources);
    const problems = objects.flatMap((k) =>
        validateKubernetesObject(k.obj).map((p) => `${k.obj.kind} ${k.resource.name}: ${p}`),
    );
    assert.deepStrictEqual(problems, []);
    return objects.length;
}

/** Pod Security Standards "restricted" without a fixed UID, plus a read-only root filesystem (L30, L26). */
export function assertRestricted(where: string, podSpec: Record<string, any>): void {
    assert.strictEqual(podSpec.securityContext?.runAsNonRoot, true, `${where}: runAsNonRoot`);
    assert.strictEqual(podSpec.securityContext?.seccompProfile?.type, "RuntimeDefault", `${where}: seccomp`);
    assert.strictEqual(
        podSpec.securityContext?.runAsUser,
        undefined,
        `${where}: fixed runAsUser breaks OpenShift's SCC`,
    );
    for (const volume of podSpec.volumes ?? []) {
        assert.ok(volume.hostPath === undefined, `${where}: hostPath volume ${volume.name}`);
    }
    assert.ok(!podSpec.hostNetwork && !podSpec.hostPID && !podSpec.hostIPC, `${where}: host namespaces`);
    for (const c of containersOf(podSpec)) {
        const sc = c.securityContext ?? {};
        assert.strictEqual(sc.allowPrivilegeEscalation, false, `${where}/${c.name}: allowPrivilegeEscalation`);
        assert.deepStrictEqual(sc.capabilities?.drop, ["ALL"], `${where}/${c.name}: drop ALL`);
        assert.strictEqual(sc.capabilities?.add, undefined, `${where}/${c.name}: no added capabilities`);
        assert.notStrictEqual(sc.privileged, true, `${where}/${c.name}: privileged`);
        assert.strictEqual(sc.readOnlyRootFilesystem, true, `${where}/${c.name}: readOnlyRootFilesystem (L26)`);
        assert.strictEqual(sc.runAsUser, undefined, `${where}/${c.name}: fixed runAsUser`);
    }
}

/** The value of env var `name` of a container: literal value, or "secretKeyRef:<secret>/<key>". */
export function envOf(container: Record<string, any>, name: string): string | undefined {
    const entry = (container.env ?? []).find((e: any) => e.name === name);
    if (!entry) return undefined;
    const ref = entry.valueFrom?.secretKeyRef;
    return ref ? `secretKeyRef:${ref.name}/${ref.key}` : entry.value;
}

/** Every string anywhere inside a value. */
export function stringsIn(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(stringsIn);
    if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
    return [];
}

/** An Output's value, or its rejection (Output.promise() is internal, but the only way to read one outside an apply). */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/** The problems `rejected` failed with, whole (field, value, fix, lessons), as `pulumi preview` reports them. */
export async function problemsOf(rejected: Promise<unknown>): Promise<FieldProblem[]> {
    const err = await rejected.then(
        () => assert.fail("accepted"),
        (e: unknown) => e,
    );
    assert.ok(err instanceof WebStackArgError, `not a WebStackArgError: ${String(err)}`);
    return err.problems;
}
