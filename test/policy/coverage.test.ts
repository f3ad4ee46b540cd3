// The coverage table (Pod Security Standards, kube-linter defaults, Polaris checks -> our policy) is a promise to
// users about what they trade: check the catalog it is generated from (policy/catalog.ts, `npm run docs`) against
// the pack and the reference lists, so it cannot go stale.
import { strict as assert } from "assert";
import { CATALOG, NOT_COVERED } from "../../policy/catalog";
import { policies } from "../../policy/policies";
import { BASELINE, RESTRICTED } from "../../policy/pod-security";

/** stackrox/kube-linter docs/generated/checks.md: the checks with "Enabled by default: Yes". */
const KUBE_LINTER_DEFAULTS = [
    "dangling-service",
    "deprecated-service-account-field",
    "docker-sock",
    "drop-net-raw-capability",
    "duplicate-env-var",
    "env-var-secret",
    "host-ipc",
    "host-network",
    "host-pid",
    "invalid-target-ports",
    "latest-tag",
    "liveness-port",
    "mismatching-selector",
    "no-anti-affinity",
    "no-extensions-v1beta",
    "no-read-only-root-fs",
    "non-existent-service-account",
    "pdb-max-unavailable",
    "pdb-min-available",
    "pdb-unhealthy-pod-eviction-policy",
    "privilege-escalation-container",
    "privileged-container",
    "readiness-port",
    "run-as-non-root",
    "sensitive-host-mounts",
    "ssh-port",
    "startup-port",
    "unsafe-sysctls",
    "unset-cpu-requirements",
    "unset-memory-requirements",
];

/** FairwindsOps/polaris pkg/config/default.yaml's checks, plus its pod security checks outside the default config. */
const POLARIS_CHECKS = [
    "deploymentMissingReplicas",
    "priorityClassNotSet",
    "tagNotSpecified",
    "pullPolicyNotAlways",
    "readinessProbeMissing",
    "livenessProbeMissing",
    "metadataAndInstanceMismatched",
    "pdbDisruptionsIsZero",
    "missingPodDisruptionBudget",
    "topologySpreadConstraint",
    "cpuRequestsMissing",
    "cpuLimitsMissing",
    "memoryRequestsMissing",
    "memoryLimitsMissing",
    "automountServiceAccountToken",
    "hostIPCSet",
    "hostPIDSet",
    "linuxHardening",
    "missingNetworkPolicy",
    "notReadOnlyRootFilesystem",
    "privilegeEscalationAllowed",
    "runAsRootAllowed",
    "runAsPrivileged",
    "dangerousCapabilities",
    "insecureCapabilities",
    "hostNetworkSet",
    "hostPortSet",
    "tlsSettingsMissing",
    "sensitiveContainerEnvVar",
    "sensitiveConfigmapContent",
    "clusterrolePodExecAttach",
    "rolePodExecAttach",
    "clusterrolebindingPodExecAttach",
    "rolebindingClusterRolePodExecAttach",
    "rolebindingRolePodExecAttach",
    "clusterrolebindingClusterAdmin",
    "rolebindingClusterAdminClusterRole",
    "rolebindingClusterAdminRole",
    "hostPathSet",
    "hostProcess",
    "procMount",
];

interface Row {
    source: string;
    check: string;
    policies: string[];
    covered: boolean;
    note: string;
}

/** One row per peer check: the catalog's policies covering it, or its "not covered" reason. */
function coverageRows(): Row[] {
    const rows = new Map<string, Row>();
    for (const [name, entry] of Object.entries(CATALOG)) {
        for (const peer of entry.peers) {
            const key = `${peer.source} ${peer.check}`;
            const row = rows.get(key) ?? {
                source: peer.source,
                check: peer.check,
                policies: [],
                covered: true,
                note: "",
            };
            row.policies.push(name);
            rows.set(key, row);
        }
    }
    return [
        ...rows.values(),
        ...NOT_COVERED.map((peer) => ({
            source: peer.source,
            check: peer.check,
            policies: [],
            covered: false,
            note: peer.note,
        })),
    ];
}

describe("coverage catalog matches the pack (PSS, kube-linter, Polaris)", () => {
    const rows = coverageRows();
    const of = (source: string) => rows.filter((r) => r.source === source).map((r) => r.check);

    it("[L30] lists every Pod Security control of both profiles, each covered by its profile's policy", () => {
        assert.deepEqual(
            of("PSS baseline"),
            BASELINE.map((c) => c.name),
        );
        assert.deepEqual(
            of("PSS restricted"),
            RESTRICTED.map((c) => c.name),
        );
        for (const row of rows.filter((r) => r.source.startsWith("PSS"))) {
            assert.deepEqual(
                row.policies,
                [row.source === "PSS baseline" ? "pod-security-baseline" : "pod-security-restricted"],
                row.check,
            );
            assert.ok(row.covered, row.check);
        }
    });

    it("lists exactly kube-linter's default checks and Polaris' checks, once each", () => {
        assert.deepEqual([...of("kube-linter")].sort(), [...KUBE_LINTER_DEFAULTS].sort());
        assert.deepEqual([...of("Polaris")].sort(), [...POLARIS_CHECKS].sort());
    });

    it("every row names policies of the pack, or says why it is not covered", () => {
        const names = new Set(policies.map((p) => p.name));
        for (const row of rows) {
            if (row.covered) {
                assert.ok(row.policies.length > 0, `${row.source} ${row.check}: no policy named`);
                row.policies.forEach((p) =>
                    assert.ok(names.has(p), `${row.source} ${row.check}: ${p} is not a policy of the pack`),
                );
            } else {
                assert.ok(row.note.length > 20, `${row.source} ${row.check}: "not covered" needs a reason`);
            }
        }
    });
});
