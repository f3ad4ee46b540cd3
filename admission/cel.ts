/**
 * CEL building blocks for the admission forms (forms.ts): literals, the pod spec of each workload kind, per-container
 * and per-env checks whose messages name the field path the pack's messages name, and image-reference parsing that
 * mirrors components/facts.ts splitImageRef. Every expression is checked by the API server's own type checker in the
 * cluster test (status.typeChecking).
 */
import { POD_SPEC_PATHS } from "../policy/workloads";

/** A CEL string literal (JSON's escapes are CEL's). */
export const str = (text: string): string => JSON.stringify(text);

/** One validation of a ValidatingAdmissionPolicy: `expression` is true when the object passes. */
export interface Check {
    expression: string;
    /** A CEL string naming the object, the field, the value and what is wrong (without the lesson prefix). */
    message: string;
}

/** The part of one object kind (or of kinds sharing a pod spec path) a form's CEL is written against. */
export interface Scope {
    /** Pulumi type tokens of the kinds in scope, e.g. kubernetes:apps/v1:Deployment. */
    types: readonly string[];
    /** Pod spec path for workload kinds ("spec.template.spec"), undefined for other kinds. */
    podSpecPath?: string;
    /** The CEL reading one parameter of the policy (a string) from the params ConfigMap. */
    param: (key: string) => string;
}

/** `Deployment "web"`: the subject as the pack's messages write it. */
export const SUBJECT = `object.kind + " \\"" + object.metadata.?name.orValue("") + "\\""`;

/** The CEL of the pod spec in scope. */
export function podSpec(scope: Scope): string {
    if (scope.podSpecPath === undefined) {
        throw new Error(`no pod spec in scope ${scope.types.join(", ")}`);
    }
    return `object.${scope.podSpecPath}`;
}

/** Pod spec path → the workload type tokens that keep their pod spec there (policy/workloads.ts). */
export function podSpecPathOf(type: string): string | undefined {
    return POD_SPEC_PATHS[type];
}

const CONTAINER_LISTS = [
    { list: "containers", role: "container", init: false },
    { list: "initContainers", role: "initContainer", init: true },
] as const;

interface ContainerCheck {
    /** CEL over `c` (the container) that is true when it violates. */
    bad: string;
    /** Static field path under the container, e.g. "image", or a CEL string expression when `fieldCel`. */
    field: string;
    /** CEL string: the value and what is wrong, e.g. `"\"" + c.image + "\" is not pinned by digest"`. */
    detail: string;
    /** Only app containers (probes): initContainers are left out, as the pack does. */
    appOnly?: boolean;
}

const listOf = (spec: string, list: string) =>
    list === "containers" ? `${spec}.containers` : `${spec}.?${list}.orValue([])`;

/** A check over every container (and initContainer) of the pod spec; the message lists each violating one. */
export function eachContainer(scope: Scope, check: ContainerCheck): Check {
    const spec = podSpec(scope);
    const lists = CONTAINER_LISTS.filter((l) => !(check.appOnly && l.init));
    const expression = lists.map((l) => `!${listOf(spec, l.list)}.exists(c, ${check.bad})`).join(" && ");
    const findings = lists.map(
        (l) =>
            `${listOf(spec, l.list)}.transformList(i, c, ${check.bad}, ${SUBJECT} + ${str(` ${l.role} "`)} + c.name + ${str(`" (${scope.podSpecPath}.${l.list}[`)} + string(i) + ${str(`].${check.field}): `)} + ${check.detail})`,
    );
    return { expression, message: `(${findings.join(" + ")}).join("; ")` };
}

interface EntryCheck {
    /** The list under each container: "env" or "ports". */
    entries: "env" | "ports";
    /** CEL over `c` that is true when the container's entries are checked at all (default: always). */
    guard?: string;
    /** CEL over `e` (the entry) and `c` (its container) that is true when it violates. */
    bad: string;
    /** Field under the entry, e.g. "value", or "" for the entry itself. */
    field: string;
    /** CEL string: the entry and what is wrong. */
    detail: string;
}

/** A check over one list of every container and initContainer; the message names e.g. containers[i].env[j].value. */
export function eachEntry(scope: Scope, check: EntryCheck): Check {
    const spec = podSpec(scope);
    const list = `c.?${check.entries}.orValue([])`;
    const violates = `${check.guard ?? "true"} && ${list}.exists(e, ${check.bad})`;
    const expression = CONTAINER_LISTS.map((l) => `!${listOf(spec, l.list)}.exists(c, ${violates})`).join(" && ");
    const suffix = check.field === "" ? "" : `.${check.field}`;
    const findings = CONTAINER_LISTS.map(
        (l) =>
            `${listOf(spec, l.list)}.transformList(i, c, ${violates}, ${list}.transformList(j, e, ${check.bad}, ${SUBJECT} + ${str(` ${l.role} "`)} + c.name + ${str(`" (${scope.podSpecPath}.${l.list}[`)} + string(i) + ${str(`].${check.entries}[`)} + string(j) + ${str(`]${suffix}): `)} + ${check.detail}).join("; "))`,
    );
    return { expression, message: `(${findings.join(" + ")}).join("; ")` };
}

/** A check on the object itself: the message names `field` (a path such as "spec.tls"). */
export function onObject(bad: string, field: string, detail: string): Check {
    return { expression: `!(${bad})`, message: `${SUBJECT} + ${str(` (${field}): `)} + ${detail}` };
}

/**
 * "registry/repository" of an image reference without tag or digest, Docker Hub defaults applied: the CEL of
 * policy/images.ts imageName (facts.ts splitImageRef + repositoryOf). The first segment is a registry when it has a
 * dot or a port or is localhost; a Docker Hub name without a slash is under library/.
 */
export function imageNameOf(image: string): string {
    const name = `${image}.find("^(?:[^@/]*/)*[^@/:]*")`;
    const withRegistry = `(${name}.matches("^(localhost|[^/]*[.:][^/]*)/") ? ${name} : "docker.io/" + ${name})`;
    return `(${withRegistry}.matches("^docker\\\\.io/[^/]*$") ? "docker.io/library/" + ${withRegistry}.substring(10) : ${withRegistry})`;
}

/** RE2 alternation, anchored at both ends, of regular-expression sources; "" (matches nothing) for none. */
export function anyOf(sources: readonly string[], flags = ""): string {
    return sources.length === 0 ? "" : `${flags}^(?:${sources.join("|")})$`;
}

/** CEL: `text` matches the regex parameter, which is "" when the setting lists nothing. */
export function matchesParam(text: string, param: string): string {
    return `(${param} != "" && ${text}.matches(${param}))`;
}
