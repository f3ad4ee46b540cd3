/**
 * The one place the offline harness touches internals of @pulumi/pulumi and @pulumi/policy: modules and members
 * outside their public .d.ts, and the shapes of objects the public API hands out untyped (the mock monitor and
 * the gRPC requests it receives). Written against @pulumi/pulumi 3.270.0 and @pulumi/policy 1.21.0.
 *
 * Why each one is needed:
 * - the mock monitor (`runtime/mocks` MockMonitor behind `setMocks`): the RegisterResourceRequest it receives is
 *   the only place the effective resource options (protect, ignoreChanges, provider...) and the parent are
 *   visible, so its `registerResource`, `registerResourceOutputs` and `newUrn` are wrapped;
 * - `runtime/settings` waitForRPCs: the only way to know every registration of a program has settled;
 * - `runtime/dependsOn` gatherExplicitDependencies: turns a `dependsOn` option (resources, outputs, promises)
 *   into resources exactly as the SDK does;
 * - `Output#promise`: the URN of a resource as a promise, to name `dependsOn` entries by URN;
 * - `runtime/state` setStackResource and the mock monitor's `resources`: what the SDK keeps of a finished run (the
 *   root stack, through it every resource object and its outputs; the monitor's copy of every resource's state),
 *   let go so the check's own work reuses that memory (issue 29: at 8,000 resources it doubled the peak);
 * - `@pulumi/policy/proxy`: the analyzer's unknown-checking proxy, so a policy reading a value unknown during
 *   preview fails as it does under the engine.
 *
 * Loading this module checks that every one of them is still there with the expected shape and throws, naming
 * what moved, otherwise: an SDK upgrade that moved one fails loudly here instead of recording wrong data.
 */
import * as pulumi from "@pulumi/pulumi";
import { version as pulumiVersion } from "@pulumi/pulumi/package.json";
import * as resourceProtoModule from "@pulumi/pulumi/proto/resource_pb";
import * as dependsOnModule from "@pulumi/pulumi/runtime/dependsOn";
import * as mocksModule from "@pulumi/pulumi/runtime/mocks";
import * as settingsModule from "@pulumi/pulumi/runtime/settings";
import * as stateModule from "@pulumi/pulumi/runtime/state";
import { version as policyVersion } from "@pulumi/policy/package.json";
import * as policyProxyModule from "@pulumi/policy/proxy";
import type {
    RegisterResourceOutputsRequest,
    RegisterResourceRequest,
    RegisterResourceResponse,
} from "@pulumi/pulumi/proto/resource_pb";

export type { RegisterResourceOutputsRequest, RegisterResourceRequest, RegisterResourceResponse };

type Callback<T> = (err: Error | null, resp?: T) => void;

/** The SDK's MockMonitor, as far as the harness uses it. */
export interface MockMonitor {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterResourceRequest, callback: Callback<RegisterResourceResponse>): unknown;
    registerResourceOutputs(req: RegisterResourceOutputsRequest, callback: Callback<unknown>): unknown;
}

/**
 * The internal modules, loaded; a parameter of {@link internalsProblems} so a test can hand it a moved one. Their
 * members are `unknown` until checked: the .d.ts files declare some of them differently or not at all.
 */
export interface SdkModules {
    pulumiVersion: string;
    policyVersion: string;
    settings: Record<string, unknown>;
    state: Record<string, unknown>;
    dependsOn: Record<string, unknown>;
    mocks: Record<string, unknown>;
    resourceProto: Record<string, unknown>;
    policyProxy: Record<string, unknown>;
    /** `promise` of an Output (not in the public types, which only offer `apply`). */
    outputPromise: unknown;
}

export function loadSdkModules(): SdkModules {
    return {
        pulumiVersion,
        policyVersion,
        settings: settingsModule,
        state: stateModule,
        dependsOn: dependsOnModule,
        mocks: mocksModule,
        resourceProto: resourceProtoModule,
        policyProxy: policyProxyModule,
        outputPromise: (pulumi.output(0) as unknown as { promise?: unknown }).promise,
    };
}

/** `root[keys[0]][keys[1]]…` as optional chaining reads it: undefined once a step is undefined or null. */
function memberAt(root: unknown, ...keys: string[]): unknown {
    let value = root;
    for (const key of keys) {
        if (value === undefined || value === null) {
            return undefined;
        }
        value = (value as Record<string, unknown>)[key];
    }
    return value;
}

/** Getters of the gRPC messages the harness reads (offline/mock-runtime.ts). */
const REQUEST_GETTERS = [
    "getType",
    "getName",
    "getParent",
    "getCustom",
    "getObject",
    "hasProtect",
    "getProtect",
    "getIgnorechangesList",
    "getReplaceonchangesList",
    "getDeletebeforereplace",
    "getDeletebeforereplacedefined",
    "hasRetainondelete",
    "getRetainondelete",
    "getCustomtimeouts",
    "getProvider",
    "getAdditionalsecretoutputsList",
];

/**
 * Every internal the harness relies on that is missing or has another shape, one line each ("" when all are
 * there). Checks presence and kind (function, class, string), which is what moves between SDK versions.
 */
export function internalsProblems(modules: SdkModules): string[] {
    const problems: string[] = [];
    const expect = (where: string, value: unknown, kind: "function" | "string") => {
        if (typeof value !== kind) {
            problems.push(`${where} is ${value === undefined ? "missing" : `a ${typeof value}`}, expected a ${kind}`);
        }
    };
    expect("@pulumi/pulumi/runtime/settings.waitForRPCs", modules.settings.waitForRPCs, "function");
    expect("@pulumi/pulumi/runtime/settings.getMonitor", modules.settings.getMonitor, "function");
    expect("@pulumi/pulumi/runtime/state.setStackResource", modules.state.setStackResource, "function");
    expect(
        "@pulumi/pulumi/runtime/dependsOn.gatherExplicitDependencies",
        modules.dependsOn.gatherExplicitDependencies,
        "function",
    );
    for (const method of ["newUrn", "registerResource", "registerResourceOutputs"]) {
        expect(
            `@pulumi/pulumi/runtime/mocks.MockMonitor#${method}`,
            memberAt(modules.mocks, "MockMonitor", "prototype", method),
            "function",
        );
    }
    const proto = modules.resourceProto;
    for (const getter of REQUEST_GETTERS) {
        expect(
            `@pulumi/pulumi/proto/resource_pb.RegisterResourceRequest#${getter}`,
            memberAt(proto, "RegisterResourceRequest", "prototype", getter),
            "function",
        );
    }
    for (const getter of ["getCreate", "getUpdate", "getDelete"]) {
        expect(
            `@pulumi/pulumi/proto/resource_pb.RegisterResourceRequest.CustomTimeouts#${getter}`,
            memberAt(proto, "RegisterResourceRequest", "CustomTimeouts", "prototype", getter),
            "function",
        );
    }
    for (const getter of ["getUrn", "getObject"]) {
        expect(
            `@pulumi/pulumi/proto/resource_pb.RegisterResourceResponse#${getter}`,
            memberAt(proto, "RegisterResourceResponse", "prototype", getter),
            "function",
        );
    }
    for (const getter of ["getUrn", "getOutputs"]) {
        expect(
            `@pulumi/pulumi/proto/resource_pb.RegisterResourceOutputsRequest#${getter}`,
            memberAt(proto, "RegisterResourceOutputsRequest", "prototype", getter),
            "function",
        );
    }
    expect("@pulumi/pulumi Output#promise", modules.outputPromise, "function");
    expect("@pulumi/policy/proxy.unknownCheckingProxy", modules.policyProxy.unknownCheckingProxy, "function");
    expect("@pulumi/policy/proxy.UnknownValueError", modules.policyProxy.UnknownValueError, "function");
    return problems;
}

const modules = loadSdkModules();
{
    const problems = internalsProblems(modules);
    if (problems.length > 0) {
        throw new Error(
            `offline harness: @pulumi/pulumi ${modules.pulumiVersion} / @pulumi/policy ${modules.policyVersion} moved internals the harness ` +
                `relies on: ${problems.join("; ")}. Fix: install the versions in package-lock.json, or adapt offline/sdk-internals.ts to the new SDK`,
        );
    }
}

const settings = modules.settings as { getMonitor(): unknown; waitForRPCs(): Promise<void> };
const MockMonitorClass = modules.mocks.MockMonitor as new (...args: never[]) => MockMonitor;

/**
 * Points the SDK at a fresh mock monitor (`pulumi.runtime.setMocks`) and returns that monitor, whose methods
 * the caller may wrap.
 */
export async function installMockMonitor(
    mocks: pulumi.runtime.Mocks,
    project: string,
    stack: string,
    preview: boolean,
): Promise<MockMonitor> {
    await pulumi.runtime.setMocks(mocks, project, stack, preview, "organization");
    const monitor = settings.getMonitor();
    if (!(monitor instanceof MockMonitorClass)) {
        throw new Error(
            `offline harness: @pulumi/pulumi ${modules.pulumiVersion} did not install its MockMonitor on setMocks. Fix: adapt offline/sdk-internals.ts to the new SDK`,
        );
    }
    return monitor;
}

/**
 * Lets go of what the SDK keeps of a finished run: the root stack resource (and through its children every resource
 * object of the program, with its outputs) and the mock monitor's copy of every resource's state. The next run
 * installs a fresh monitor and stack; until then nothing reads them.
 */
export function releaseRun(monitor: MockMonitor): void {
    (modules.state.setStackResource as (stack: undefined) => void)(undefined);
    const resources = (monitor as unknown as { resources?: unknown }).resources;
    if (resources instanceof Map) {
        resources.clear();
    }
}

/** Resolves once every registration and invoke the program started has settled. */
export function waitForRPCs(): Promise<void> {
    return settings.waitForRPCs();
}

/** The resources a `dependsOn` option names (resources, outputs or promises of them), as the SDK gathers them. */
export const gatherExplicitDependencies = modules.dependsOn.gatherExplicitDependencies as (
    dependsOn: unknown,
) => Promise<pulumi.Resource[]>;

/** The analyzer's proxy over props with unknown values, and the error it throws when a policy reads one. */
export const policyProxy = modules.policyProxy as {
    unknownCheckingProxy<T>(props: T): T;
    UnknownValueError: new (...args: never[]) => Error;
};

/** The URN promise of a resource (`Output.promise()` is not in the public types). */
export function urnOf(resource: pulumi.Resource): Promise<string> {
    return (resource.urn as unknown as { promise(): Promise<string> }).promise();
}
