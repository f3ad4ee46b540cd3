/**
 * The path `pulumi preview --policy-pack policy` takes, minus the CLI: the Node language host's
 * run-policy-pack loads policy/ (package.json main, ts-node with type checking, no tsconfig from the
 * repo root) in a child process, which serves the analyzer gRPC API. We speak that API the way the engine
 * does: GetAnalyzerInfo, Configure (reconciled config), Analyze, AnalyzeStack.
 * The PolicyPack is constructed only in that child process, never in the test process.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { reconcileConfig } from "../../offline/policy-runner";
import { packPolicies, policies } from "../../policy/policies";
import { WAIVER_FILE_ENV, WAIVER_NOW_ENV, WAIVERS_POLICY } from "../../policy/waiver-settings";
import { TYPES } from "../../policy/k8s";
import { kinds } from "./fixtures";

const PACK_DIR = path.join(__dirname, "..", "..", "policy");
/** The pack process reads this waiver file ($WEBSTACK_WAIVERS) with today = 2026-12-04 ($WEBSTACK_WAIVER_NOW). */
const WAIVER_FILE = `waivers:
  - policy: images-digest-pinned
    kind: Deployment
    name: legacy-*
    owner: team-legacy
    expires: 2027-01-15
    reason: retired in January
`;
const LEVELS: Record<string, analyzer.EnforcementLevel> = {
    advisory: analyzer.EnforcementLevel.ADVISORY,
    mandatory: analyzer.EnforcementLevel.MANDATORY,
    disabled: analyzer.EnforcementLevel.DISABLED,
    remediate: analyzer.EnforcementLevel.REMEDIATE,
};

function call<Req, Res>(
    method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
    req: Req,
): Promise<Res> {
    return new Promise((resolve, reject) => method(req, (err, res) => (err ? reject(err) : resolve(res))));
}

function options(protect = false): analyzer.AnalyzerResourceOptions {
    return new analyzer.AnalyzerResourceOptions().setProtect(protect).setIgnorechangesList([]);
}

describe("policy pack under the real run-policy-pack host (the `--policy-pack policy` path)", function () {
    this.timeout(300_000);
    let child: ChildProcess;
    let client: AnalyzerClient;
    let waiverDir: string;

    before(async () => {
        const host = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
        waiverDir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-cli-waivers-"));
        fs.writeFileSync(path.join(waiverDir, "policy-waivers.yaml"), WAIVER_FILE);
        child = spawn(process.execPath, [host, "127.0.0.1:1", "."], {
            cwd: PACK_DIR,
            env: {
                ...process.env,
                [WAIVER_FILE_ENV]: path.join(waiverDir, "policy-waivers.yaml"),
                [WAIVER_NOW_ENV]: "2026-12-04",
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr!.on("data", (chunk) => {
            stderr += chunk;
        });
        const port = await new Promise<string>((resolve, reject) => {
            child.stdout!.once("data", (chunk) => resolve(String(chunk).trim()));
            child.once("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
        });
        assert.match(port, /^\d+$/);
        client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        // The engine configures the pack with its reconciled config (schema defaults filled in).
        const request = new analyzer.ConfigureAnalyzerRequest();
        for (const [name, config] of reconcileConfig(policies, {})) {
            request
                .getPolicyconfigMap()
                .set(
                    name,
                    new analyzer.PolicyConfig()
                        .setEnforcementlevel(LEVELS[config.enforcementLevel])
                        .setProperties(Struct.fromJavaScript(config.properties as any)),
                );
        }
        await call(client.configure.bind(client), request);
    });

    after(() => {
        client?.close();
        child?.kill();
        fs.rmSync(waiverDir, { recursive: true, force: true });
    });

    it("waivers reach the engine: a waived violation is advisory and says so; an expired one is mandatory again", async () => {
        const analyze = async (name: string, annotations: Record<string, string>) => {
            const deployment = kinds.deployment();
            deployment.metadata.name = name;
            deployment.metadata.annotations = annotations;
            deployment.spec.template.spec.containers[0].image = "ghcr.io/acme/worker:main";
            const response = await call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(
                client.analyze.bind(client),
                new analyzer.AnalyzeRequest()
                    .setType(TYPES.deployment)
                    .setName(name)
                    .setUrn(`urn:pulumi:dev::webstack::${TYPES.deployment}::${name}`)
                    .setProperties(Struct.fromJavaScript(deployment))
                    .setOptions(options()),
            );
            return response
                .getDiagnosticsList()
                .map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()]);
        };
        const annotation = (expires: string) => ({
            "waive.webstack.dev/images-digest-pinned": `owner=team-web; expires=${expires}; reason=pinned by the release job`,
        });
        const waived = await analyze("web", annotation("2027-01-31"));
        assert.deepEqual(
            waived.map((d) => d.slice(0, 2)),
            [["images-digest-pinned", analyzer.EnforcementLevel.ADVISORY]],
        );
        assert.match(
            String(waived[0][2]),
            /^\[L12, L28\] .*\nWAIVED, owner team-web, expires 2027-01-31 \(Deployment "web" annotation waive\.webstack\.dev\/images-digest-pinned\): pinned by the release job\n.*is not pinned by digest/s,
        );
        const fromFile = await analyze("legacy-worker", {});
        assert.deepEqual(
            fromFile.map((d) => d.slice(0, 2)),
            [["images-digest-pinned", analyzer.EnforcementLevel.ADVISORY]],
        );
        assert.match(
            String(fromFile[0][2]),
            /WAIVED, owner team-legacy, expires 2027-01-15 \(.*policy-waivers\.yaml:2\)/,
        );
        const expired = await analyze("web", annotation("2026-12-03"));
        assert.deepEqual(
            expired.map((d) => d.slice(0, 2)),
            [["images-digest-pinned", analyzer.EnforcementLevel.MANDATORY]],
        );
        assert.match(String(expired[0][2]), /The waiver expired on 2026-12-03 and no longer applies: owner team-web/);
    });

    it("describes the webstack pack: every policy with its lesson-cited description and level", async () => {
        const info = await call<Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
        assert.equal(info.getName(), "webstack");
        assert.equal(info.getVersion(), "0.1.0");
        const served = info
            .getPoliciesList()
            .map((p) => [p.getName(), p.getEnforcementlevel(), /^\[L\d{2}/.test(p.getDescription())]);
        assert.deepEqual(
            served,
            packPolicies.map((p) => [p.name, LEVELS[p.enforcementLevel!], p.name !== WAIVERS_POLICY]),
        );
        // The catalog's structured metadata reaches the engine (and Pulumi Cloud) as @pulumi/policy's own fields.
        const pinned = info.getPoliciesList().find((p) => p.getName() === "images-digest-pinned")!;
        assert.equal(pinned.getSeverity(), analyzer.PolicySeverity.POLICY_SEVERITY_HIGH);
        assert.deepEqual(pinned.getTagsList(), ["reliability", "supply-chain", "L12", "L28"]);
        assert.equal(pinned.getRemediationSteps(), "Resolve the tag to its digest at preview and deploy the digest.");
    });

    it("[L12] Analyze rejects a :main image on a Deployment (mandatory, message names field and fix)", async () => {
        const deployment = kinds.deployment();
        deployment.spec.template.spec.containers[0].image = "ghcr.io/acme/worker:main";
        const request = new analyzer.AnalyzeRequest()
            .setType(TYPES.deployment)
            .setName("web")
            .setUrn(`urn:pulumi:dev::webstack::${TYPES.deployment}::web`)
            .setProperties(Struct.fromJavaScript(deployment))
            .setOptions(options());
        const response = await call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(
            client.analyze.bind(client),
            request,
        );
        const diagnostics = response
            .getDiagnosticsList()
            .map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()] as const);
        assert.deepEqual(
            diagnostics.map((d) => d[0]),
            ["images-digest-pinned"],
        );
        assert.equal(diagnostics[0][1], analyzer.EnforcementLevel.MANDATORY);
        assert.match(
            diagnostics[0][2],
            /spec\.template\.spec\.containers\[0\]\.image\): "ghcr\.io\/acme\/worker:main" is not pinned by digest.*Fix:/,
        );
    });

    it("a misspelt config property reaches the pack (the engine drops additionalProperties) and fails the analysis, naming the closest one", async () => {
        const configure = (extra: Record<string, unknown>) => {
            const request = new analyzer.ConfigureAnalyzerRequest();
            for (const [name, config] of reconcileConfig(policies, {})) {
                request.getPolicyconfigMap().set(
                    name,
                    new analyzer.PolicyConfig().setEnforcementlevel(LEVELS[config.enforcementLevel]).setProperties(
                        Struct.fromJavaScript({
                            ...config.properties,
                            ...(name === "configmap-size-limit" ? extra : {}),
                        } as any),
                    ),
                );
            }
            return call(client.configure.bind(client), request);
        };
        const analyze = () =>
            call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(
                client.analyze.bind(client),
                new analyzer.AnalyzeRequest()
                    .setType(TYPES.configMap)
                    .setName("config")
                    .setUrn(`urn:pulumi:dev::webstack::${TYPES.configMap}::config`)
                    .setProperties(Struct.fromJavaScript(kinds.configMap()))
                    .setOptions(options()),
            );
        await configure({ maxByte: 10 });
        try {
            await assert.rejects(
                analyze(),
                /policy config "configmap-size-limit": unknown property "maxByte"\. Did you mean "maxBytes"\?/,
            );
        } finally {
            await configure({});
        }
        assert.deepEqual(
            (await analyze()).getDiagnosticsList().map((d) => d.getPolicyname()),
            [],
        );
    });

    it("[L32] Analyze sees resource options: an unprotected PVC is rejected, a protected one passes", async () => {
        const request = (protect: boolean) =>
            new analyzer.AnalyzeRequest()
                .setType(TYPES.pvc)
                .setName("content")
                .setUrn(`urn:pulumi:dev::webstack::${TYPES.pvc}::content`)
                .setProperties(Struct.fromJavaScript(kinds.pvc()))
                .setOptions(options(protect));
        const names = async (protect: boolean) =>
            (
                await call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(
                    client.analyze.bind(client),
                    request(protect),
                )
            )
                .getDiagnosticsList()
                .map((d) => d.getPolicyname());
        assert.deepEqual(await names(false), ["pvc-protected"]);
        assert.deepEqual(await names(true), []);
    });

    it("[L05] AnalyzeStack rejects a Route to an ExternalName Service, reported against the Route", async () => {
        const resource = (type: string, name: string, props: Record<string, any>) =>
            new analyzer.AnalyzerResource()
                .setType(type)
                .setName(name)
                .setUrn(`urn:pulumi:dev::webstack::${type}::${name}`)
                .setProperties(Struct.fromJavaScript(props))
                .setOptions(options());
        const service = kinds.service();
        service.spec = { type: "ExternalName", externalName: "nginx.qr-demo-dev.svc.cluster.local" };
        const request = new analyzer.AnalyzeStackRequest().setResourcesList([
            resource(TYPES.service, "web", service),
            resource(TYPES.route, "web", kinds.route()),
        ]);
        const response = await call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>(
            client.analyzeStack.bind(client),
            request,
        );
        const diagnostics = response.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getUrn()]);
        assert.deepEqual(diagnostics, [
            ["route-backend-selects-pods", `urn:pulumi:dev::webstack::${TYPES.route}::web`],
        ]);
    });
});
