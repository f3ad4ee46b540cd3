/**
 * The offline harness reaches SDK internals through offline/sdk-internals.ts only (issue 15 item 5): these tests
 * fail on an SDK version whose internals moved, and when another file starts reaching into them directly.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { internalsProblems, loadSdkModules, SdkModules } from "../../offline/sdk-internals";

const ROOT = path.join(__dirname, "..", "..");
/** Private modules of @pulumi/pulumi and @pulumi/policy (their public entry points are the package roots and `automation`). */
const PRIVATE_MODULE = /["']@pulumi\/(?:pulumi\/(?:runtime|proto|cmd)|policy\/(?!policy["']))[^"']*["']/;

function tsFiles(dir: string): string[] {
    return fs
        .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(dir, f));
}

describe("offline harness: SDK internals behind one adapter (issue 15)", () => {
    it("every internal the harness relies on is where it expects it in the installed @pulumi/pulumi and @pulumi/policy", () => {
        const modules = loadSdkModules();
        assert.deepEqual(
            internalsProblems(modules),
            [],
            `@pulumi/pulumi ${modules.pulumiVersion}, @pulumi/policy ${modules.policyVersion}`,
        );
    });

    it("names each internal that moved: a missing function, a renamed getter, a class that went away", () => {
        const real = loadSdkModules();
        const realRequest = real.resourceProto.RegisterResourceRequest as {
            prototype: object;
            CustomTimeouts: unknown;
        };
        const RegisterResourceRequest = function () {} as unknown as { prototype: Record<string, unknown> };
        Object.assign(RegisterResourceRequest.prototype, realRequest.prototype, { getIgnorechangesList: undefined });
        Object.assign(RegisterResourceRequest, { CustomTimeouts: realRequest.CustomTimeouts });
        const moved: SdkModules = {
            ...real,
            dependsOn: {},
            mocks: {},
            resourceProto: { ...real.resourceProto, RegisterResourceRequest },
            policyProxy: { ...real.policyProxy, UnknownValueError: "renamed" },
        };
        assert.deepEqual(internalsProblems(moved), [
            "@pulumi/pulumi/runtime/dependsOn.gatherExplicitDependencies is missing, expected a function",
            "@pulumi/pulumi/runtime/mocks.MockMonitor#newUrn is missing, expected a function",
            "@pulumi/pulumi/runtime/mocks.MockMonitor#registerResource is missing, expected a function",
            "@pulumi/pulumi/runtime/mocks.MockMonitor#registerResourceOutputs is missing, expected a function",
            "@pulumi/pulumi/proto/resource_pb.RegisterResourceRequest#getIgnorechangesList is missing, expected a function",
            "@pulumi/policy/proxy.UnknownValueError is a string, expected a function",
        ]);
    });

    it("no other file of the harness, the check or its tests imports a private SDK module", () => {
        const adapter = path.join("offline", "sdk-internals.ts");
        // pack-cli.test.ts speaks the analyzer's gRPC protocol to the pack's own host process, as the engine does;
        // this file names the internals in the messages it expects.
        const allowed = new Set([
            adapter,
            path.join("test", "policy", "pack-cli.test.ts"),
            path.join("test", "offline", "sdk-internals.test.ts"),
        ]);
        const offenders = ["offline", "bench", "scripts", "test"]
            .flatMap(tsFiles)
            .filter(
                (file) =>
                    !allowed.has(file) &&
                    !file.startsWith(path.join("test", "engine")) &&
                    !file.startsWith(path.join("test", "cluster")),
            )
            .filter((file) => PRIVATE_MODULE.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
        assert.deepEqual(offenders, []);
        assert.match(
            fs.readFileSync(path.join(ROOT, adapter), "utf8"),
            PRIVATE_MODULE,
            "the pattern finds what the adapter imports",
        );
    });
});
