/**
 * Waivers as the pack applies them (policy/waiver-ledger.ts through the offline runner, which calls the same
 * wrapped policies pulumi preview does): both forms, expiry with an injected day, stale, unwaivable, bad input.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TYPES } from "../../policy/k8s";
import { packPolicies } from "../../policy/policies";
import { MAX_EXPIRY_DAYS } from "../../policy/waiver-settings";
import { parseWaiverFile, waiverToday } from "../../policy/waivers";
import { runPolicies, Violation } from "../../offline/policy-runner";
import { compliantStack, stackWith } from "../policy/fixtures";

const NOW = new Date(Date.UTC(2026, 11, 4)); // 2026-12-04
const POLICY = "no-privileged-ports";
const waivable = packPolicies.filter((p) => p.name === POLICY || p.name === "waivers");

/** The baseline with Deployment "web" listening on port 80 (no-privileged-ports, mandatory), plus annotations. */
function port80(annotations: Record<string, string> = {}) {
    return stackWith(TYPES.deployment, "web", (o) => {
        o.spec.template.spec.containers[0].ports = [{ containerPort: 80 }];
        o.metadata.annotations = { ...o.metadata.annotations, ...annotations };
    });
}

let dir: string;
function waiverFile(text: string): string {
    const file = path.join(dir, "policy-waivers.yaml");
    fs.writeFileSync(file, text);
    return file;
}

async function run(resources = port80(), file = path.join(dir, "none.yaml"), now = NOW): Promise<Violation[]> {
    return runPolicies(resources, { policies: waivable, waivers: { file, now } });
}

const FILE_WAIVER = (expires: string, extra = "") => `waivers:
  - policy: ${POLICY}
    kind: Deployment
    name: we*
    owner: team-web
    expires: ${expires}
    reason: the sidecar binds 80 through CAP_NET_BIND_SERVICE; INC-42${extra}
`;

describe("waivers", () => {
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "waivers-test-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("without a waiver the violation is mandatory (the baseline for every case below)", async () => {
        const v = await run();
        assert.deepEqual(
            v.map((x) => [x.policy, x.level, x.resource]),
            [[POLICY, "mandatory", `${TYPES.deployment}::web`]],
        );
    });

    it("an annotation waiver makes the violation advisory and names owner, expiry and reason", async () => {
        const v = await run(
            port80({ "waive.webstack.dev/no-privileged-ports": "owner=team-web; expires=2027-01-31; reason=a; b" }),
        );
        assert.equal(v.length, 1);
        assert.equal(v[0].level, "advisory");
        assert.deepEqual(v[0].waived, {
            policy: POLICY,
            form: "annotation",
            source: 'Deployment "web" annotation waive.webstack.dev/no-privileged-ports',
            owner: "team-web",
            expires: "2027-01-31",
            reason: "a; b",
        });
        assert.match(
            v[0].message,
            /^Deployment "web" container "app" .*port 80/,
            "the policy's own message, unchanged",
        );
    });

    it("a file waiver matches by kind/name globs, by URN glob, and a stacks: section only its own stack", async () => {
        const byName = await run(port80(), waiverFile(FILE_WAIVER("2027-01-31")));
        assert.equal(byName[0].level, "advisory");
        assert.equal(byName[0].waived?.source, `${path.join(dir, "policy-waivers.yaml")}:2`);
        const byUrn = `waivers:\n  - policy: ${POLICY}\n    urn: "urn:pulumi:test::*::web"\n    owner: o\n    expires: 2027-01-31\n    reason: r\n`;
        assert.equal((await run(port80(), waiverFile(byUrn)))[0].level, "advisory");
        const otherStack = `stacks:\n  prod:\n${FILE_WAIVER("2027-01-31").split("\n").slice(1).join("\n").replace(/^/gm, "  ")}`;
        assert.deepEqual(
            (await run(port80(), waiverFile(otherStack))).map((x) => [x.policy, x.level]),
            [[POLICY, "mandatory"]],
            "a waiver of the prod section does not apply to stack test, and is not stale there",
        );
        const ownStack = otherStack.replace("prod:", "test:");
        assert.equal((await run(port80(), waiverFile(ownStack)))[0].level, "advisory");
    });

    it("an expired waiver stops applying: the violation keeps its level and names the waiver", async () => {
        const file = waiverFile(FILE_WAIVER("2026-12-31"));
        assert.equal((await run(port80(), file, NOW))[0].level, "advisory", "valid through 2026-12-31");
        const v = await run(port80(), file, new Date(Date.UTC(2027, 0, 1)));
        assert.equal(v[0].level, "mandatory");
        assert.equal(v[0].expiredWaiver?.expires, "2026-12-31");
        assert.equal(
            v[0].message,
            (await run(port80()))[0].message,
            "the policy's own message; reports add the waiver",
        );
    });

    it("a waiver that covers nothing is reported as stale (advisory), from the file and from an annotation", async () => {
        const stack = compliantStack().map((r) =>
            r.name === "web" && r.type === TYPES.deployment
                ? {
                      ...r,
                      inputs: {
                          ...r.inputs,
                          metadata: {
                              ...(r.inputs.metadata as object),
                              annotations: {
                                  "waive.webstack.dev/no-privileged-ports": "owner=o; expires=2027-01-01; reason=r",
                              },
                          },
                      },
                      outputs: {
                          ...r.outputs,
                          metadata: {
                              ...(r.outputs.metadata as object),
                              annotations: {
                                  "waive.webstack.dev/no-privileged-ports": "owner=o; expires=2027-01-01; reason=r",
                              },
                          },
                      },
                  }
                : r,
        );
        const v = await run(stack, waiverFile(FILE_WAIVER("2027-01-31")));
        assert.deepEqual(v.map((x) => [x.policy, x.level, x.stale?.form]).sort(), [
            ["waivers", "advisory", "annotation"],
            ["waivers", "advisory", "file"],
        ]);
        assert.match(
            v.find((x) => x.stale?.form === "file")!.message,
            /^stale waiver: "no-privileged-ports" reported nothing/,
        );
    });

    it("every problem of the waiver file is reported at once, with its line and the fix", () => {
        const text = [
            "waivers:",
            "  - policy: no-privileged-port", // 2: unknown policy
            "    kind: Deployment",
            "    name: web",
            "    owner: team-web",
            "    expires: 2027-01-31",
            "    reason: r",
            "  - policy: no-privileged-ports", // 8: bad date, missing owner
            "    kind: Deployment",
            "    name: web",
            "    expires: 2026-13-40",
            "    reason: r",
            "  - policy: no-privileged-ports", // 13: too far
            "    kind: Deployment",
            "    name: web",
            "    owner: o",
            "    expires: 2027-12-31",
            "    reason: r",
            "  - policy: api-version-removed", // 19: unwaivable
            "    urn: '*'",
            "    owner: o",
            "    expires: 2027-01-01",
            "    reason: r",
            "  - policy: no-privileged-ports", // 24
            "    kind: Deployment",
            "    name: web",
            "    owner: o",
            "    expires: 2027-01-01",
            "    reason: r",
            "  - policy: no-privileged-ports", // 30: duplicate of 24
            "    kind: Deployment",
            "    name: web",
            "    owner: o2",
            "    expires: 2027-01-02",
            "    reason: r2",
            "    ownr: x", // 36: unknown key
            "",
        ].join("\n");
        const { errors, waivers } = parseWaiverFile(text, "/elsewhere/policy-waivers.yaml", NOW);
        assert.deepEqual(
            waivers.map((w) => w.source),
            ["/elsewhere/policy-waivers.yaml:24"],
        );
        const at = (line: number) => errors.filter((e) => e.startsWith(`/elsewhere/policy-waivers.yaml:${line}:`));
        assert.match(
            at(2).join(),
            /"no-privileged-port" is not a policy of the pack\. Did you mean "no-privileged-ports"\?/,
        );
        assert.match(at(8).join(), /owner is missing\. Fix: name the team/);
        assert.match(
            at(8).join(),
            /expires "2026-13-40" is not a date\. Fix: write a date YYYY-MM-DD no later than 2027-03-04/,
        );
        assert.match(at(13).join(), new RegExp(`expires 2027-12-31 is more than ${MAX_EXPIRY_DAYS} days away`));
        assert.match(at(19).join(), /"api-version-removed" cannot be waived/);
        assert.match(at(36).join(), /unknown key "ownr"\. Did you mean "owner"\?/);
        assert.equal(errors.length, 6, errors.join("\n")); // line 30 has only its unknown key: a broken entry is not compared
        const dup = parseWaiverFile(
            text.split("\n").slice(23, 35).join("\n").replace(/^/, "waivers:\n"),
            "w.yaml",
            NOW,
        );
        assert.match(
            dup.errors.join(),
            /w\.yaml:8: duplicate of the waiver at w\.yaml:2 \(same policy and objects\)\. Fix: keep one entry\./,
        );
    });

    it("YAML errors and wrong shapes are errors with a line, never a throw", () => {
        assert.match(
            parseWaiverFile("waivers:\n  - policy: [\n", "w.yaml", NOW).errors.join(),
            /^w\.yaml:\d+: .*Fix: correct the YAML/,
        );
        assert.match(
            parseWaiverFile("waivers: 3\n", "w.yaml", NOW).errors.join(),
            /^w\.yaml:1: waivers must be a list/,
        );
        assert.match(parseWaiverFile("- a\n", "w.yaml", NOW).errors.join(), /^w\.yaml:1: the file must be a mapping/);
        assert.match(
            parseWaiverFile("waivers: []\nwaivers: []\n", "w.yaml", NOW).errors.join(),
            /^w\.yaml:2: Map keys must be unique/,
        );
    });

    it("a bad annotation is a mandatory `waivers` violation naming the object and annotation; the violation stays", async () => {
        const v = await run(port80({ "waive.webstack.dev/no-privileged-ports": "owner=team-web; expires=2026-13-40" }));
        assert.deepEqual(v.map((x) => [x.policy, x.level]).sort(), [
            [POLICY, "mandatory"],
            ["waivers", "mandatory"],
            ["waivers", "mandatory"],
        ]);
        const messages = v.filter((x) => x.policy === "waivers").map((x) => x.message);
        assert.ok(
            messages.some((m) =>
                /^Deployment "web" annotation waive\.webstack\.dev\/no-privileged-ports: reason is missing/.test(m),
            ),
            messages.join("\n"),
        );
        assert.ok(messages.some((m) => /expires "2026-13-40" is not a date/.test(m)));
    });

    it("an unwaivable policy's annotation is an error, and the violation keeps its level", async () => {
        const stack = stackWith(TYPES.deployment, "web", (o) => {
            o.metadata.annotations = {
                "waive.webstack.dev/pod-security-baseline": "owner=o; expires=2027-01-01; reason=r",
            };
            o.spec.template.spec.hostNetwork = true;
        });
        const v = await runPolicies(stack, {
            policies: packPolicies.filter((p) => p.name === "pod-security-baseline" || p.name === "waivers"),
            waivers: { file: path.join(dir, "none.yaml"), now: NOW },
        });
        assert.deepEqual(v.map((x) => [x.policy, x.level]).sort(), [
            ["pod-security-baseline", "mandatory"],
            ["waivers", "mandatory"],
        ]);
        assert.match(v.find((x) => x.policy === "waivers")!.message, /"pod-security-baseline" cannot be waived/);
    });

    it("a waiver annotation on a Secret never brings the Secret's values into a report", async () => {
        const stack = stackWith(TYPES.secret, "api", (o) => {
            o.stringData = { DB_PASSWORD: "hunter2-very-secret" };
            o.data = { TOKEN: Buffer.from("tok-very-secret").toString("base64") };
            o.metadata.annotations = { "waive.webstack.dev/no-secret-values": "owner=o; expires=2027-13-01; reason=r" };
        });
        const v = await runPolicies(stack, { waivers: { file: path.join(dir, "none.yaml"), now: NOW } });
        const text = JSON.stringify(v);
        assert.ok(
            v.some((x) => x.policy === "waivers"),
            text,
        );
        assert.doesNotMatch(text, /hunter2|tok-very-secret|dG9rLXZlcnktc2VjcmV0/);
    });

    it("WEBSTACK_WAIVER_NOW sets the day (tests only); a bad one is an error naming the variable", () => {
        assert.equal(waiverToday({ WEBSTACK_WAIVER_NOW: "2027-02-01" }).toISOString(), "2027-02-01T00:00:00.000Z");
        assert.throws(
            () => waiverToday({ WEBSTACK_WAIVER_NOW: "2027-02-30" }),
            /WEBSTACK_WAIVER_NOW=2027-02-30 is not a date/,
        );
    });
});
