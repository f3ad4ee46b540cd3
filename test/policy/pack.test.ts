import { strict as assert } from "assert";
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import { CATALOG, lessonsOf, NOT_COVERED } from "../../policy/catalog";
import { policies } from "../../policy/policies";

/** The "policy" column of LESSONS.md: every M/A row and the level(s) its policies must have by default. */
const LESSON_LEVELS: Record<string, ("mandatory" | "advisory")[]> = {
    L01: ["mandatory"],
    L02: ["mandatory"],
    L03: ["mandatory", "advisory"],
    L05: ["mandatory", "advisory"],
    L06: ["mandatory"],
    L08: ["advisory", "mandatory"],
    L10: ["advisory"],
    L12: ["mandatory"],
    L13: ["advisory"],
    L14: ["mandatory"],
    // L15 gained api-version-removed (M): a removed API fails the update at apply, like the hang it prevents.
    L15: ["advisory", "mandatory"],
    L16: ["advisory"],
    L18: ["mandatory", "advisory"],
    L19: ["mandatory"],
    L20: ["mandatory"],
    // L30: all of Pod Security (baseline + restricted) is mandatory since an enforcing cluster rejects the pod (issue 10).
    L21: ["advisory"],
    L26: ["advisory"],
    L27: ["advisory"],
    L29: ["advisory"],
    L30: ["mandatory", "advisory"],
    L31: ["advisory"],
    L32: ["mandatory"],
};

describe("policy pack contents", () => {
    it("the catalog lists exactly the pack's policies, in the pack's order, and each policy carries its catalog metadata", () => {
        assert.deepEqual(
            Object.keys(CATALOG),
            policies.map((p) => p.name),
        );
        for (const p of policies) {
            const entry = CATALOG[p.name as keyof typeof CATALOG];
            assert.equal(p.description, `[${entry.lessons.join(", ")}] ${entry.summary}`, p.name);
            assert.equal(p.enforcementLevel, entry.enforcementLevel, p.name);
            assert.equal(p.severity, entry.severity, p.name);
            assert.equal(p.remediationSteps, entry.remediation, p.name);
            assert.deepEqual(p.tags, [...entry.tags, ...entry.lessons], p.name);
        }
    });

    it("the fix is said once: in remediation steps, never in a summary; every remediation is a sentence", () => {
        for (const [name, entry] of Object.entries(CATALOG)) {
            assert.doesNotMatch(entry.summary, /\bFix:/, name);
            assert.match(entry.remediation, /^[A-Z].*\.$/, name);
        }
    });

    it("no peer check is both covered and listed as not covered", () => {
        const covered = new Set(
            Object.values(CATALOG).flatMap((e) => e.peers.map((peer) => `${peer.source} ${peer.check}`)),
        );
        assert.deepEqual(
            NOT_COVERED.map((peer) => `${peer.source} ${peer.check}`).filter((key) => covered.has(key)),
            [],
        );
    });

    it("every M/A lesson has a policy at its default level (its first cited lesson)", () => {
        const levels = new Map<string, Set<string>>();
        for (const p of policies) {
            const lesson = lessonsOf(p.name)[0];
            levels.set(lesson, new Set([...(levels.get(lesson) ?? []), p.enforcementLevel!]));
        }
        for (const [lesson, expected] of Object.entries(LESSON_LEVELS)) {
            assert.deepEqual([...(levels.get(lesson) ?? [])].sort(), [...expected].sort(), lesson);
        }
        assert.deepEqual(
            [...levels.keys()].filter((l) => !(l in LESSON_LEVELS)),
            [],
        );
    });

    it("one policy per file: rules/<name>.ts, kebab-case names, each citing lessons and naming its remediation", () => {
        const files = fs
            .readdirSync(path.join(__dirname, "..", "..", "policy", "rules"))
            .map((f) => f.replace(/\.ts$/, ""))
            .sort();
        assert.deepEqual(policies.map((p) => p.name).sort(), files);
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(lessonsOf(p.name).length > 0, p.name);
            assert.ok((p.remediationSteps ?? "").length > 10, p.name);
            assert.ok(fs.existsSync(path.join(__dirname, `${p.name}.test.ts`)), `test/policy/${p.name}.test.ts`);
        }
    });

    it("every configSchema is closed (additionalProperties: false) and every policy rejects undeclared properties itself", async () => {
        for (const p of policies.filter((p) => p.configSchema !== undefined)) {
            assert.equal((p.configSchema as { additionalProperties?: unknown }).additionalProperties, false, p.name);
        }
        // The engine drops additionalProperties, so the pack checks: a typo in the config throws from the policy.
        const { kinds, record } = await import("./fixtures");
        const { runPolicies } = await import("../../offline/policy-runner");
        const { TYPES } = await import("../../policy/k8s");
        const limit = policies.find((p) => p.name === "configmap-size-limit")!;
        const args: any = {
            type: TYPES.configMap,
            props: kinds.configMap(),
            name: "config",
            getConfig: () => ({ maxBytes: 10, maxByte: 1 }),
            notApplicable: () => undefined,
        };
        assert.throws(
            () => (limit as any).validateResource[0](args, () => undefined),
            /policy config "configmap-size-limit": unknown property "maxByte"\. Did you mean "maxBytes"\? Fix: use one of maxBytes, enforcementLevel\./,
        );
        const baseline = policies.find((p) => p.name === "pod-security-baseline")!;
        assert.throws(
            () =>
                (baseline as any).validateResource[0](
                    { ...args, getConfig: () => ({ profile: "x" }) },
                    () => undefined,
                ),
            /policy config "pod-security-baseline": unknown property "profile"\. Fix: this policy takes only enforcementLevel\./,
        );
        assert.deepEqual(
            await runPolicies([record(TYPES.configMap, "config", kinds.configMap())], { policies: [limit] }),
            [],
        );
    });

    it('no message of any policy says "undefined", even for containers without a name or objects without metadata', async () => {
        const { compliantStack, record, kinds } = await import("./fixtures");
        const { runPolicies } = await import("../../offline/policy-runner");
        const { TYPES } = await import("../../policy/k8s");
        const { workloadOf } = await import("../../policy/workloads");
        const stack = compliantStack().map((r) => {
            const w = workloadOf(r.type, r.inputs);
            w?.allContainers.forEach((ref) => {
                delete (ref.container as { name?: string }).name;
                ref.container.securityContext = {};
                delete ref.container.resources;
            });
            return w ? record(r.type, r.name, r.inputs) : r;
        });
        stack.push(
            record(TYPES.deployment, "bare", {
                spec: {
                    template: {
                        spec: { containers: [{ image: "x" }], initContainers: [{}], ephemeralContainers: [{}] },
                    },
                },
            }),
            record(TYPES.pdb, "bare", { spec: {} }),
            record(TYPES.hpaV2, "bare", { spec: {} }),
            record(TYPES.service, "bare", { spec: { selector: { a: "b" } } }),
            record(TYPES.ingress, "bare", { spec: {} }),
            record(TYPES.configMap, "bare", { data: { k: kinds.configMap().data["app.conf"] } }),
        );
        const violations = await runPolicies(stack);
        assert.ok(violations.length > 50, `the broken stack should violate a lot: ${violations.length}`);
        assert.deepEqual(
            violations.filter((v) => /undefined/.test(v.message)).map((v) => `${v.policy}: ${v.message}`),
            [],
        );
    });

    it("the pack imports nothing outside policy/ except npm packages and the zero-dependency shared modules of components/", () => {
        const root = path.join(__dirname, "..", "..", "policy");
        const components = path.join(root, "..", "components");
        // The domain facts and generic helpers the pack shares with the components (issue 26): they import only
        // each other, so the pack never loads a component.
        const shared = ["facts", "did-you-mean", "secret-env", "secret-values"].map((m) => path.join(components, m));
        for (const module of shared) {
            for (const [, spec] of fs.readFileSync(`${module}.ts`, "utf8").matchAll(/from "([^"]+)"/g)) {
                assert.ok(shared.includes(path.resolve(components, spec)), `${module}.ts imports ${spec}`);
            }
        }
        const packDependencies = (
            JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { dependencies: object }
        ).dependencies;
        const sources = [root, path.join(root, "rules")].flatMap((dir) =>
            fs
                .readdirSync(dir)
                .filter((f) => f.endsWith(".ts"))
                .map((f) => path.join(dir, f)),
        );
        for (const file of sources) {
            for (const [, spec] of fs.readFileSync(file, "utf8").matchAll(/from "([^"]+)"/g)) {
                if (spec.startsWith(".")) {
                    const target = path.resolve(path.dirname(file), spec);
                    assert.ok(target.startsWith(root + path.sep) || shared.includes(target), `${file} imports ${spec}`);
                } else if (!builtinModules.includes(spec)) {
                    assert.ok(
                        Object.keys(packDependencies).some((dep) => spec === dep || spec.startsWith(`${dep}/`)),
                        `${file} imports ${spec}, not a dependency of policy/package.json`,
                    );
                }
            }
        }
    });

    it("policy-config.example.json names only real policies and valid config", async () => {
        const { reconcileConfig } = await import("../../offline/policy-runner");
        const example = JSON.parse(
            fs.readFileSync(path.join(__dirname, "..", "..", "policy-config.example.json"), "utf8"),
        );
        const names = new Set(policies.map((p) => p.name));
        assert.deepEqual(
            Object.keys(example).filter((k) => k !== "all" && !names.has(k)),
            [],
        );
        assert.doesNotThrow(() => reconcileConfig(policies, example));
    });
});
