// After an interrupted `pulumi up` (the CI runner killed, Ctrl-C twice): what the state still claims to be doing,
// what of it exists in the cluster, and the exact commands that make the next `pulumi up` converge (docs/
// interrupted-deploys.md). Reads `pulumi stack export`; looks objects up with kubectl (KUBECONFIG); with --yes it
// runs the commands it prints.
//
//   npm run recover -- --stack dev [--yes] [--cwd <project dir>]
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { kubernetesTypeInfo } from "../policy/kubernetes-tokens";
import { CommandSpec, helpText, parseCommandLine } from "./cli";

/** One entry of the state's `pending_operations` (apitype.OperationV2 of `pulumi stack export`). */
export interface PendingOperation {
    type: string;
    resource: {
        urn: string;
        type: string;
        custom?: boolean;
        id?: string;
        inputs?: Record<string, unknown>;
        outputs?: Record<string, unknown>;
    };
}

/** A Kubernetes object a pending operation is about. */
export interface KubeObjectRef {
    /** kubectl's fully qualified resource, e.g. "Deployment.v1.apps" or "ConfigMap.v1." */
    resource: string;
    namespace?: string;
    name: string;
    /** The provider's resource id: "namespace/name", or the name of a cluster-scoped object. */
    id: string;
}

export type Presence = "present" | "absent";

/** The lock file a killed CLI left (file:// backends); `running` when its process is alive on this host. */
export interface StackLock {
    file: string;
    pid: number;
    hostname: string;
    running: boolean;
}

/** One pending operation judged: the object, whether it exists, and what the recovery does with it. */
export interface JudgedOperation {
    op: PendingOperation;
    object?: KubeObjectRef;
    presence?: Presence;
    action: "import" | "clear" | "delete-orphan" | "refresh";
}

export interface RecoveryPlan {
    operations: JudgedOperation[];
    lock?: StackLock;
    /** Command lines (`pulumi …`, `kubectl …`), in order; empty when nothing is to be done. */
    commands: string[][];
    /** Why the plan cannot be run (an update still running). */
    blocked?: string;
}

/** The object of a pending operation on a Kubernetes resource, from its inputs (or outputs), or undefined. */
export function kubeObjectOf(op: PendingOperation): KubeObjectRef | undefined {
    const type = kubernetesTypeInfo(op.resource.type);
    const props = op.resource.outputs ?? op.resource.inputs;
    const metadata = (props?.metadata ?? op.resource.inputs?.metadata) as
        { name?: unknown; namespace?: unknown } | undefined;
    if (!type || typeof metadata?.name !== "string") {
        return undefined;
    }
    const { group, version, kind } = type;
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
    return {
        resource: `${kind}.${version}.${group}`,
        namespace,
        name: metadata.name,
        id: namespace ? `${namespace}/${metadata.name}` : metadata.name,
    };
}

/**
 * The recovery for a stack's pending operations, given which of their objects exist and the URNs of the resources
 * the state holds.
 */
export function recoveryPlan(
    stack: string,
    operations: PendingOperation[],
    presence: (object: KubeObjectRef) => Presence,
    stateUrns: ReadonlySet<string>,
    lock?: StackLock,
): RecoveryPlan {
    const judged: JudgedOperation[] = operations.map((op) => {
        const object = kubeObjectOf(op);
        const found = object && presence(object);
        if (op.type !== "creating") {
            // An update or delete in flight: the resource is in the state; refresh reads what the cluster now holds.
            return { op, object, presence: found, action: "refresh" };
        }
        if (found !== "present") {
            return { op, object, presence: found, action: "clear" }; // never reached the cluster: dropped
        }
        // The replacement of a resource the state still holds (a new migration Job): adopting it would put the URN in
        // the state twice, so the copy nobody owns is deleted and the next up replaces again. Otherwise the object is
        // adopted, or the next up would fail on "already exists" (or, auto-named, leave it beside a second copy).
        return { op, object, presence: found, action: stateUrns.has(op.resource.urn) ? "delete-orphan" : "import" };
    });
    const commands: string[][] = [];
    if (lock) {
        commands.push(["pulumi", "cancel", "--stack", stack, "--yes"]);
    }
    for (const { object } of judged.filter((j) => j.action === "delete-orphan")) {
        commands.push([
            "kubectl",
            "delete",
            object!.resource,
            object!.name,
            ...(object!.namespace ? ["-n", object!.namespace] : []),
        ]);
    }
    if (judged.length > 0) {
        const imports = judged.filter((j) => j.action === "import");
        const clears = judged.some((j) => j.action === "clear" || j.action === "delete-orphan");
        commands.push([
            "pulumi",
            "refresh",
            "--stack",
            stack,
            "--yes",
            "--skip-preview",
            ...imports.flatMap((j) => ["--import-pending-creates", j.op.resource.urn, j.object!.id]),
            ...(clears ? ["--clear-pending-creates"] : []),
        ]);
    }
    const blocked = lock?.running
        ? `the lock belongs to pid ${lock.pid} on this host (${lock.hostname}), which is still running: an update is in progress. Fix: let it finish, or stop it (Ctrl-C once lets it finish the operations in flight), then run this again`
        : undefined;
    return { operations: judged, lock, commands, blocked };
}

/** The plan as the command prints it: what is pending, where, and the commands. */
export function planText(stack: string, plan: RecoveryPlan): string {
    const lines: string[] = [];
    if (plan.commands.length === 0) {
        return `recover: stack ${stack}: no pending operation and no lock: nothing to recover. Next: pulumi up --stack ${stack}`;
    }
    lines.push(
        `recover: stack ${stack}: ${plan.operations.length} pending operation(s) left by an interrupted update` +
            (plan.lock ? `; locked by pid ${plan.lock.pid} on ${plan.lock.hostname} (${plan.lock.file})` : ""),
    );
    for (const { op, object, presence, action } of plan.operations) {
        const where = object
            ? `${object.id}: ${presence === "present" ? "exists in the cluster" : "not in the cluster"}`
            : "not a Kubernetes object";
        const what = {
            import: "import it into the state",
            clear: "drop the pending create (the next up creates it)",
            "delete-orphan": "delete this copy and drop the pending create (the state holds the resource it replaces)",
            refresh: "refresh reads its live state",
        }[action];
        lines.push(`  ${op.type} ${op.resource.type} ${op.resource.urn.split("::").pop()} (${where}): ${what}`);
    }
    if (plan.blocked) {
        lines.push(`recover: cannot recover now: ${plan.blocked}`);
        return lines.join("\n");
    }
    lines.push("recovery:");
    lines.push(...plan.commands.map((c) => `  ${c.map(shellQuote).join(" ")}`));
    lines.push(`then: pulumi up --stack ${stack}`);
    return lines.join("\n");
}

function shellQuote(arg: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The lock files of a file:// backend for the stack (none for other backends: `pulumi cancel` is theirs to judge). */
export function findStackLock(backendUrl: string | undefined, project: string, stack: string): StackLock | undefined {
    if (!backendUrl?.startsWith("file://")) {
        return undefined;
    }
    const root = path.join(backendUrl.slice("file://".length), ".pulumi", "locks");
    for (const dir of [path.join(root, "organization", project, stack), path.join(root, stack)]) {
        const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
        for (const file of files) {
            const content = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as {
                pid: number;
                hostname: string;
            };
            const running = content.hostname === os.hostname() && processRuns(content.pid);
            return { file: path.join(dir, file), pid: content.pid, hostname: content.hostname, running };
        }
    }
    return undefined;
}

function processRuns(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z" && /pulumi/.test(stat.slice(0, stat.lastIndexOf(")")));
    } catch {
        return false;
    }
}

export const RECOVER_COMMAND = {
    name: "npm run recover --",
    summary:
        "After an interrupted pulumi up: lists the state's pending operations and whether their objects exist in the cluster, " +
        "and prints the exact recovery (pulumi cancel, kubectl delete of orphans, pulumi refresh --import-pending-creates / --clear-pending-creates); --yes runs it.",
    flags: {
        stack: {
            type: "string",
            valueName: "<stack>",
            description: "the stack whose update was interrupted (required)",
        },
        yes: { type: "boolean", description: "run the recovery instead of printing it" },
        cwd: {
            type: "string",
            valueName: "<dir>",
            default: ".",
            description: "the Pulumi project directory (Pulumi.yaml) the pulumi commands run in",
        },
    },
    exitCodes: {
        0: "nothing to recover, or (--yes) the recovery ran: pulumi up comes next",
        1: "recovery needed: the commands are printed, nothing was changed",
        2: "error: bad arguments, the state or the cluster cannot be read, an update is still running, or a recovery command failed",
    },
    example: "npm run recover -- --stack dev --yes",
} satisfies CommandSpec;

const KUBECTL = process.env.KUBECTL ?? "kubectl";

/** Runs a command line (`pulumi …`, `kubectl …`) in `cwd`, output captured or passed through; throws on failure. */
function run([tool, ...args]: string[], cwd: string, capture: boolean): string {
    const run = spawnSync(tool === "kubectl" ? KUBECTL : tool, args, {
        cwd,
        encoding: "utf8",
        stdio: ["ignore", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"],
        maxBuffer: 256 * 1024 * 1024,
    });
    if (run.error || run.status !== 0) {
        const why = run.error?.message ?? (capture ? run.stderr.trim() : `exit code ${run.status}`);
        throw new Error(`${tool} ${args.join(" ")} failed: ${why}`);
    }
    return run.stdout ?? "";
}

/** Whether the object exists, by kubectl against KUBECONFIG; throws when the cluster cannot answer. */
function kubectlPresence(object: KubeObjectRef): Presence {
    const args = ["get", object.resource, object.name, "--ignore-not-found", "-o", "name"];
    const out = execFileSync(KUBECTL, object.namespace ? [...args, "-n", object.namespace] : args, {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
    return out.trim() === "" ? "absent" : "present";
}

export function main(argv: string[], log: (line: string) => void = console.log): number {
    let stack: string;
    let cwd: string;
    let yes: boolean;
    try {
        const parsed = parseCommandLine(RECOVER_COMMAND, argv);
        if (parsed.help) {
            log(helpText(RECOVER_COMMAND));
            return 0;
        }
        if (!parsed.flags.stack) {
            throw new Error("--stack is required");
        }
        stack = parsed.flags.stack;
        cwd = path.resolve(process.env.INIT_CWD ?? process.cwd(), parsed.flags.cwd);
        yes = parsed.flags.yes === true;
    } catch (err) {
        log(`recover: usage error: ${(err as Error).message}\n(--help lists the flags)`);
        return 2;
    }
    let plan: RecoveryPlan;
    try {
        const projectFile = path.join(cwd, "Pulumi.yaml");
        const project = /^name:\s*(\S+)/m.exec(fs.readFileSync(projectFile, "utf8"))?.[1];
        if (!project) {
            throw new Error(
                `${projectFile} names no project. Fix: pass --cwd <the directory of the stack's Pulumi.yaml>`,
            );
        }
        const state = JSON.parse(run(["pulumi", "stack", "export", "--stack", stack], cwd, true)) as {
            deployment?: { pending_operations?: PendingOperation[]; resources?: { urn: string; delete?: boolean }[] };
        };
        const stateUrns = new Set((state.deployment?.resources ?? []).filter((r) => !r.delete).map((r) => r.urn));
        const lock = findStackLock(process.env.PULUMI_BACKEND_URL, project, stack);
        plan = recoveryPlan(stack, state.deployment?.pending_operations ?? [], kubectlPresence, stateUrns, lock);
    } catch (err) {
        log(`recover: error: ${(err as Error).message}`);
        return 2;
    }
    log(planText(stack, plan));
    if (plan.blocked) {
        return 2;
    }
    if (plan.commands.length === 0) {
        return 0;
    }
    if (!yes) {
        log("(nothing changed: run again with --yes to run the recovery)");
        return 1;
    }
    try {
        for (const command of plan.commands) {
            log(`recover: running ${command.join(" ")}`);
            run(command, cwd, false);
        }
    } catch (err) {
        log(`recover: error: ${(err as Error).message}`);
        return 2;
    }
    log(`recover: done. Next: pulumi up --stack ${stack}`);
    return 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
