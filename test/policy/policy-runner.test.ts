import { strict as assert } from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { reconcileConfig, runPolicies } from "../../offline/policy-runner";
import type { RecordedResource } from "../../offline/run-program";
import { TYPES } from "../../policy/k8s";
import { kinds, record } from "./fixtures";

/** A resource policy that reports what it was given, so the args the runner builds can be asserted. */
function probe(
    name: string,
    level: ResourceValidationPolicy["enforcementLevel"],
    seen: unknown[] = [],
): ResourceValidationPolicy {
    return {
        name,
        description: "test probe",
        enforcementLevel: level,
        configSchema: {
            properties: {
                limit: { type: "integer", default: 3 },
                names: { type: "array", items: { type: "string" }, default: ["a"] },
            },
        },
        validateResource: (args, report) => {
            if (args.type !== TYPES.pvc) {
                args.notApplicable("only PVCs");
            }
            seen.push({
                config: args.getConfig(),
                opts: args.opts,
                tags: [...args.stackTags.entries()],
                props: args.props,
                name: args.name,
                urn: args.urn,
            });
            report(`seen ${args.name}`);
        },
    };
}

const pvc = (): RecordedResource => ({
    ...record(TYPES.pvc, "content", kinds.pvc(), { protect: true, ignoreChanges: ["spec.resources"] }),
    parent: "urn:parent",
});

describe("offline policy runner (mirrors the engine and @pulumi/policy's analyzer server)", () => {
    it("builds ResourceValidationArgs: inputs as props, options, stack tags, schema-default config", async () => {
        const seen: any[] = [];
        const resource = pvc();
        resource.options.customTimeouts = { create: "5m", update: "1h30m" };
        resource.options.deleteBeforeReplace = true;
        // Named like a policy of the pack, so its lessons come from the catalog.
        const v = await runPolicies([resource], {
            policies: [probe("pvc-protected", "advisory", seen)],
            stackTags: { env: "dev" },
        });
        assert.deepEqual(v, [
            {
                policy: "pvc-protected",
                lessons: ["L32"],
                level: "advisory",
                resource: `${TYPES.pvc}::content`,
                message: "seen content",
            },
        ]);
        assert.deepEqual(seen[0].config, { limit: 3, names: ["a"] });
        assert.deepEqual(seen[0].opts, {
            protect: true,
            ignoreChanges: ["spec.resources"],
            aliases: [],
            additionalSecretOutputs: [],
            deleteBeforeReplace: true,
            parent: "urn:parent",
            customTimeouts: { createSeconds: 300, updateSeconds: 5400, deleteSeconds: 0 },
        });
        assert.deepEqual(seen[0].tags, [["env", "dev"]]);
        assert.deepEqual(seen[0].props, kinds.pvc());
        assert.equal(seen[0].urn, `urn:pulumi:test::webstack::${TYPES.pvc}::content`);
    });

    it("a policy that calls notApplicable reports nothing for that resource and is told to the caller", async () => {
        const skipped: string[] = [];
        const v = await runPolicies([record(TYPES.service, "web", kinds.service())], {
            policies: [probe("p", "mandatory")],
            onNotApplicable: (p, r, reason) => skipped.push(`${p} ${r} ${reason}`),
        });
        assert.deepEqual(v, []);
        assert.deepEqual(skipped, [`p ${TYPES.service}::web only PVCs`]);
    });

    it('pack config: "all" sets every level, a policy\'s own entry wins, properties merge key by key', () => {
        const policies = [probe("a", "advisory"), probe("b", "mandatory")];
        const config = reconcileConfig(policies, {
            all: "mandatory",
            a: { enforcementLevel: "advisory", limit: 7 },
            b: { names: ["x", "y"] },
        });
        assert.deepEqual(config.get("a"), { enforcementLevel: "advisory", properties: { limit: 7, names: ["a"] } });
        assert.deepEqual(config.get("b"), {
            enforcementLevel: "mandatory",
            properties: { limit: 3, names: ["x", "y"] },
        });
        assert.deepEqual(reconcileConfig(policies, { all: "advisory" }).get("b")!.enforcementLevel, "advisory");
    });

    it("disabled policies are skipped and remediate counts as mandatory", async () => {
        const policies = [probe("a", "advisory"), probe("b", "remediate")];
        assert.deepEqual(
            (await runPolicies([pvc()], { policies, packConfig: { a: "disabled" } })).map((v) => [v.policy, v.level]),
            [["b", "mandatory"]],
        );
        assert.deepEqual(await runPolicies([pvc()], { policies, packConfig: { all: "disabled" } }), []);
    });

    it("invalid config is rejected like the engine does, naming the policy, the key and the value", () => {
        const policies = [probe("a", "advisory")];
        assert.throws(
            () => reconcileConfig(policies, { a: "strict" }),
            /policy pack config "a": "strict" is not a valid enforcement level\. Fix: use one of advisory, mandatory, remediate, disabled/,
        );
        assert.throws(() => reconcileConfig(policies, { a: { limit: 2.5 } }), /a: limit: expected integer, got 2\.5/);
        assert.throws(
            () => reconcileConfig(policies, { a: { names: ["ok", 1] } }),
            /a: names\[1\]: expected string, got 1/,
        );
        assert.throws(() => reconcileConfig(policies, { a: 3 }), /policy pack config "a": 3 is not a valid value/);
    });

    it("a misspelt policy name or property is an error naming the closest match, not an ignored entry", () => {
        const policies = [probe("configmap-size-limit", "mandatory")];
        assert.throws(
            () => reconcileConfig(policies, { "configmap-size-limt": "disabled" }),
            /policy config "configmap-size-limt": no policy of the pack has this name, so the entry would be ignored\. Did you mean "configmap-size-limit"\?/,
        );
        assert.throws(
            () => reconcileConfig(policies, { "configmap-size-limit": { limits: 4 } }),
            /policy config "configmap-size-limit": unknown property "limits"\. Did you mean "limit"\? Fix: use one of limit, names, enforcementLevel\./,
        );
        assert.throws(
            () => reconcileConfig(policies, { "configmap-size-limit": { enforcementLvel: "advisory" } }),
            /Did you mean "enforcementLevel"\?/,
        );
        assert.doesNotThrow(() =>
            reconcileConfig(policies, {
                all: "advisory",
                "configmap-size-limit": { limit: 4, enforcementLevel: "mandatory" },
            }),
        );
    });

    it("the pack's own policy names are checked too (--policy-config against policy/policies.ts)", async () => {
        const { policies } = await import("../../policy/policies");
        assert.throws(
            () => reconcileConfig(policies, { "pod-security-restriced": "advisory" }),
            /Did you mean "pod-security-restricted"\?/,
        );
        assert.throws(
            () => reconcileConfig(policies, { "configmap-size-advisory": { maxByte: 1 } }),
            /unknown property "maxByte"\. Did you mean "maxBytes"\?/,
        );
    });

    it("each policy gets its own copy of the inputs (a mutating policy cannot affect the next)", async () => {
        const mutate: ResourceValidationPolicy = {
            name: "m",
            description: "mutates",
            enforcementLevel: "advisory",
            validateResource: (args) => {
                args.props.spec = null;
            },
        };
        const seen: any[] = [];
        await runPolicies([pvc()], { policies: [mutate, probe("p", "advisory", seen)] });
        assert.deepEqual(seen[0].props.spec, kinds.pvc().spec);
    });

    it("builds StackValidationArgs: outputs as props, parent and dependencies resolved to resources, violations by URN", async () => {
        const parent = record("webstack:index:WebStack", "shop", {});
        const child = {
            ...record(TYPES.pvc, "content", kinds.pvc(), { outputs: { ...kinds.pvc(), status: { phase: "Bound" } } }),
            parent: parent.urn,
        };
        child.options.dependsOn = [parent.urn, "urn:not-in-stack"];
        let got: any;
        const stackProbe: StackValidationPolicy = {
            name: "redis-data-persistent",
            description: "stack probe",
            enforcementLevel: "mandatory",
            validateStack: (args, report) => {
                got = args.resources.map((r) => ({
                    name: r.name,
                    parent: r.parent?.name,
                    deps: r.dependencies.map((d) => d.name),
                    phase: r.props.status?.phase,
                }));
                report("about the claim", child.urn);
                report("about the stack");
            },
        };
        const v = await runPolicies([parent, child], { policies: [stackProbe] });
        assert.deepEqual(got, [
            { name: "shop", parent: undefined, deps: [], phase: undefined },
            { name: "content", parent: "shop", deps: ["shop"], phase: "Bound" },
        ]);
        assert.deepEqual(
            v.map((x) => [x.resource, x.lessons, x.message]),
            [
                [`${TYPES.pvc}::content`, ["L10", "L26"], "about the claim"],
                ["stack", ["L10", "L26"], "about the stack"],
            ],
        );
    });

    it("an exception in a policy fails the run with the policy's name, as the engine does", async () => {
        const broken: ResourceValidationPolicy = {
            name: "broken",
            description: "throws",
            enforcementLevel: "advisory",
            validateResource: () => {
                throw new Error("boom");
            },
        };
        await assert.rejects(
            runPolicies([pvc()], { policies: [broken] }),
            /Error validating resource with policy 'broken': boom/,
        );
    });
});
