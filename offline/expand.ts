/**
 * What the mock run alone does not show: resources whose Kubernetes objects the provider creates itself.
 *
 * - yaml/v2 ConfigFile and ConfigGroup are provider-side components (the SDK registers them remotely and
 *   the mocks get no children): expanded here from their inputs exactly as pulumi-kubernetes'
 *   provider/pkg/provider/yaml/v2 does (files with globs, `yaml`, `objs`; Lists; default namespace; child
 *   names "<prefix>:<namespace>/<name>" with the component's name as prefix; parented to the component).
 * - Helm charts and releases (helm.v3.Chart, helm.v4.Chart, helm.v3.Release) and kustomize directories
 *   need a renderer this check does not have: listed as not checked, with the command that checks them.
 * - `*Patch` resources are partial objects: the policies that judge what a patch adds (a pinned image, no
 *   privilege) run on them; the merged object is not known offline, so they are listed as not checked.
 * - Any other pulumi-kubernetes resource that is not one applied object (`*List`, future components): listed.
 */
import * as fs from "fs";
import * as path from "path";
import type { Policies } from "@pulumi/policy";
import {
    ManifestError,
    ManifestObject,
    parseManifests,
    registerObjects,
    RegisteredObject,
    secretValuesOf,
} from "./manifests";
import { kubernetesTypeInfo } from "../policy/kubernetes-tokens";
import { runPolicies, Violation } from "./policy-runner";
import type { RecordedResource } from "./types";
import type { SourceLocation, Unchecked } from "./report";

const YAML_V2 = new Set(["kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml/v2:ConfigGroup"]);
/** yaml v1 components register their children themselves once `kubernetes:yaml:decode` is answered. */
const EXPANDED_BY_THE_SDK = new Set(["kubernetes:yaml:ConfigFile", "kubernetes:yaml:ConfigGroup"]);
const HELM = new Set(["kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"]);
/** Policies whose findings hold for a patch on its own: they judge what the patch sets, never what it lacks. */
const PATCH_POLICIES = ["images-digest-pinned", "pod-security-baseline"];
/** Node >= 22 has fs.globSync; the @types/node this repo pins (20) does not declare it yet. */
const globSync = (fs as unknown as { globSync(this: void, pattern: string): string[] }).globSync;

export interface ExpandOptions {
    stack: string;
    project: string;
    /** Relative manifest paths in ConfigFile/ConfigGroup are read from here (the provider runs in the project). */
    programDir: string;
    /** Turns a manifest file into the path the report shows. */
    displayPath: (file: string) => string;
    /** Namespace of the provider a component uses, if it sets one. */
    providerNamespace: (r: RecordedResource) => string | undefined;
}

export interface Expansion {
    /** Objects the provider would register for yaml/v2 components, with where they were written. */
    children: RegisteredObject[];
    unchecked: Unchecked[];
    /** Secret data of the expanded objects (the provider marks it secret). */
    secretValues: string[];
}

export function expandProviderComponents(resources: RecordedResource[], opts: ExpandOptions): Expansion {
    const children: RegisteredObject[] = [];
    const unchecked: Unchecked[] = [];
    for (const r of resources) {
        if (YAML_V2.has(r.type)) {
            children.push(...expandYamlV2(r, opts));
        } else if (HELM.has(r.type)) {
            unchecked.push(helmUnchecked(r));
        } else if (isPatch(r)) {
            const patched = r.inputs as { kind?: string; metadata?: { namespace?: string; name?: string } };
            unchecked.push({
                resource: label(r),
                type: r.type,
                reason: `a patch of ${patched.kind ?? "an object"} "${patched.metadata?.namespace ? `${patched.metadata.namespace}/` : ""}${patched.metadata?.name ?? "?"}" that this program does not declare: only ${PATCH_POLICIES.join(" and ")} ran on it; the patched object is not known offline`,
                fix: "pulumi preview --policy-pack policy checks the patched object; or declare the object in the program",
            });
        } else if (yieldsUnseenObjects(r)) {
            unchecked.push({
                resource: label(r),
                type: r.type,
                reason: "the provider creates its Kubernetes objects at preview; the offline check cannot see them",
                fix: "pulumi preview --policy-pack policy",
            });
        }
    }
    return { children, unchecked, secretValues: secretValuesOf(children.map((c) => c.resource.inputs)) };
}

function label(r: { type: string; name: string }): string {
    return `${r.type}::${r.name}`;
}

function isPatch(r: RecordedResource): boolean {
    return r.custom && /^kubernetes:[^:]+:[A-Za-z0-9]+Patch$/.test(r.type);
}

function yieldsUnseenObjects(r: RecordedResource): boolean {
    return (
        r.type.startsWith("kubernetes:") && !EXPANDED_BY_THE_SDK.has(r.type) && kubernetesTypeInfo(r.type) === undefined
    );
}

// ---- yaml/v2 -------------------------------------------------------------------------------------------

function expandYamlV2(component: RecordedResource, opts: ExpandOptions): RegisteredObject[] {
    const inputs: Record<string, unknown> = component.inputs;
    const where = `${component.type}::${component.name}`;
    const manifests: ManifestObject[] = [];
    const files: unknown[] =
        component.type === "kubernetes:yaml/v2:ConfigFile"
            ? [inputs.file]
            : inputs.files === undefined
              ? []
              : ([] as unknown[]).concat(inputs.files);
    for (const file of files) {
        if (typeof file !== "string" || file === "") {
            throw new ManifestError(`${where}: file ${JSON.stringify(file)} is not a path`);
        }
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
            throw new ManifestError(
                `${where}: ${file} is fetched over the network by the provider; the offline check cannot read it. Fix: vendor the file into the repository, or run pulumi preview --policy-pack policy`,
            );
        }
        const absolute = path.resolve(opts.programDir, file);
        // ConfigGroup expands glob patterns (sorted); ConfigFile reads exactly one file.
        const matches =
            component.type === "kubernetes:yaml/v2:ConfigGroup" && /(?:^|[^\\])[*?[]/.test(file)
                ? globSync(absolute).sort()
                : [absolute];
        for (const match of matches) {
            let text: string;
            try {
                text = fs.readFileSync(match, "utf8");
            } catch (err) {
                throw new ManifestError(`${where}: reading YAML file from disk: ${(err as Error).message}`);
            }
            manifests.push(...parseManifests(text, match));
        }
    }
    if (typeof inputs.yaml === "string") {
        manifests.push(...parseManifests(inputs.yaml, `${where} (yaml)`));
    }
    for (const [i, obj] of (Array.isArray(inputs.objs) ? inputs.objs : []).entries()) {
        manifests.push({ object: obj as Record<string, unknown>, file: `${where} (objs[${i}])`, line: 0 });
    }
    const prefix = typeof inputs.resourcePrefix === "string" ? inputs.resourcePrefix : component.name;
    return registerObjects(
        manifests,
        {
            resourcePrefix: prefix,
            defaultNamespace: opts.providerNamespace(component) ?? "default",
            parent: component,
            stack: opts.stack,
            project: opts.project,
            skipAwait: inputs.skipAwait === true,
        },
        (m): SourceLocation | undefined =>
            fs.existsSync(m.file) ? { file: opts.displayPath(m.file), line: m.line } : undefined,
    );
}

// ---- Helm ----------------------------------------------------------------------------------------------

function helmUnchecked(r: RecordedResource): Unchecked {
    const inputs: Record<string, unknown> = r.inputs;
    const chart = (inputs.chart ?? inputs.path ?? "<chart>") as string;
    const releaseName = typeof inputs.name === "string" && inputs.name !== "" ? inputs.name : r.name;
    const namespace: string | undefined =
        typeof inputs.namespace === "string" && inputs.namespace !== "" ? inputs.namespace : undefined;
    const repo =
        (inputs.repositoryOpts as { repo?: unknown } | undefined)?.repo ??
        (inputs.fetchOpts as { repo?: unknown } | undefined)?.repo ??
        inputs.repo;
    const flags = [
        ...(namespace ? [`--namespace ${namespace}`] : []),
        ...(typeof inputs.version === "string" ? [`--version ${inputs.version}`] : []),
        ...(typeof repo === "string" ? [`--repo ${repo}`] : []),
        ...(inputs.values && Object.keys(inputs.values).length > 0
            ? ["-f <the values the program passes, as YAML>"]
            : []),
    ];
    const template = ["helm template", releaseName, chart, ...flags].join(" ");
    return {
        resource: label(r),
        type: r.type,
        reason: `${r.type.endsWith(":Release") ? "a Helm release is installed by Helm at pulumi up" : "a Helm chart is rendered by the provider at preview"}; no Helm renderer is available offline, so its objects were not checked`,
        fix: `${template} | npm run -s check -- --manifests - --namespace ${namespace ?? "default"}; or pulumi preview --policy-pack policy`,
    };
}

// ---- patches -------------------------------------------------------------------------------------------

/**
 * Runs the patch-safe policies on every `*Patch` resource as if it were its object. Containers without an
 * image keep the object's image, so images-digest-pinned only sees the images the patch sets.
 */
export async function checkPatches(
    resources: RecordedResource[],
    policies: Policies,
    packConfig: Record<string, unknown>,
    stackTags: Record<string, string>,
): Promise<Violation[]> {
    const patches = resources.filter(isPatch);
    if (patches.length === 0) {
        return [];
    }
    const asObjects = patches.map((p) => ({ ...structuredClone(p), type: p.type.replace(/Patch$/, "") }));
    const patchLabel = new Map(patches.map((p, i) => [label(asObjects[i]), label(p)]));
    const run = (names: string[], targets: RecordedResource[]) =>
        runPolicies(targets, { policies: policies.filter((p) => names.includes(p.name)), packConfig, stackTags });
    const violations = [
        ...(await run(["pod-security-baseline"], asObjects)),
        ...(await run(
            ["images-digest-pinned"],
            asObjects.map((r) => ({ ...r, inputs: withoutImagelessContainers(r.inputs) })),
        )),
    ];
    return violations.map((v) => ({ ...v, resource: patchLabel.get(v.resource) ?? v.resource }));
}

function withoutImagelessContainers(inputs: Record<string, unknown>): Record<string, unknown> {
    type PodSpec = Record<string, unknown>;
    const copy = structuredClone(inputs) as {
        spec?: PodSpec & { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } };
    };
    for (const podSpec of [copy.spec, copy.spec?.template?.spec, copy.spec?.jobTemplate?.spec?.template?.spec]) {
        for (const list of ["containers", "initContainers"]) {
            const containers = podSpec?.[list];
            if (podSpec && Array.isArray(containers)) {
                podSpec[list] = containers.filter(
                    (c: Record<string, unknown> | undefined) => typeof c?.image === "string",
                );
            }
        }
    }
    return copy;
}
