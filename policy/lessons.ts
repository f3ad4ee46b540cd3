/**
 * The lessons L01–L32 (the postmortems' failures, /work/shared/LESSONS.md) and where this repository answers
 * each: the component default that prevents it and the regression tests that reproduce it. Which policies
 * catch it is in catalog.ts. `npm run docs` writes docs/lessons.md's table from this and the catalog;
 * test/lessons.test.ts checks the tests named here exist and cite the lesson.
 */
export interface Lesson {
    /** The incident, in a few words. */
    happened: string;
    /** What the components do by default so it cannot happen again (Markdown, file names in backticks). */
    componentDefault: string;
    /** Test files, relative to the repository root, with a test titled with the lesson id. */
    tests: string[];
}

export const LESSONS = {
    L01: {
        happened: "S2I image replaced CMD",
        componentDefault: "`api.command` required (`config.ts`, `api.ts`)",
        tests: ["test/stacks.test.ts", "test/policy/s2i-builder-command-set.test.ts", "test/incidents.test.ts"],
    },
    L02: {
        happened: "nginx needed root",
        componentDefault: "nginx-unprivileged, :8080, pid/temp in /tmp (`nginx-conf.ts`, `static-site.ts`)",
        tests: ["test/nginx.real.test.ts", "test/policy/no-root-only-images.test.ts"],
    },
    L03: {
        happened: "RWO PVC, 3 replicas",
        componentDefault: "RWX, or RWO ⇒ 1 replica + Recreate, else error (`storage.ts`)",
        tests: [
            "test/components/storage.test.ts",
            "test/policy/rwo-volume-single-replica.test.ts",
            "test/incidents.test.ts",
        ],
    },
    L04: {
        happened: "API routes missing from allow-list",
        componentDefault: "API fallback or full route list (`nginx-conf.ts`)",
        tests: ["test/nginx.real.test.ts"],
    },
    L05: {
        happened: "Route to ExternalName: 503",
        componentDefault: "Route to own selector Service (`route.ts`)",
        tests: [
            "test/components/routing.test.ts",
            "test/policy/route-backend-selects-pods.test.ts",
            "test/policy/service-selects-pods.test.ts",
        ],
    },
    L06: {
        happened: "qa pulled dev's registry path",
        componentDefault:
            "config rejects other namespace's registry; promote retags (`config.ts`, `scripts/promote.ts`)",
        tests: ["test/config.test.ts", "test/promote.test.ts", "test/policy/internal-registry-same-namespace.test.ts"],
    },
    L07: {
        happened: "`/present-blackjack` 404",
        componentDefault: "`try_files $uri $uri.html $uri/` (`nginx-conf.ts`)",
        tests: ["test/nginx.real.test.ts"],
    },
    L08: {
        happened: "site in 3 MB ConfigMaps",
        componentDefault: "content from a volume or content image (`static-site.ts`)",
        tests: ["test/components/static-site.test.ts", "test/policy/configmap-size-limit.test.ts"],
    },
    L09: {
        happened: "videos need real serving",
        componentDefault: "Range, Cache-Control, gzip (`nginx-conf.ts`)",
        tests: ["test/nginx.real.test.ts"],
    },
    L10: {
        happened: "in-memory state lost",
        componentDefault: "Redis AOF on a PVC; API ≥ 2 replicas (`redis.ts`, `redis-conf.ts`)",
        tests: [
            "test/redis.real.test.ts",
            "test/policy/redis-data-persistent.test.ts",
            "test/policy/hpa-target-exists.test.ts",
        ],
    },
    L11: {
        happened: "SSE through proxy and router",
        componentDefault: "unbuffered SSE location; Route timeout annotation (`nginx-conf.ts`, `route.ts`)",
        tests: ["test/nginx.real.test.ts", "test/components/routing.test.ts", "test/sse-replicas.real.test.ts"],
    },
    L12: {
        happened: "`:main` never rolled",
        componentDefault: "digests everywhere, tags resolved at preview (`images.ts`)",
        tests: [
            "test/images/resolve-image.test.ts",
            "test/rollout.test.ts",
            "test/policy/images-digest-pinned.test.ts",
        ],
    },
    L13: {
        happened: "migrations by hand",
        componentDefault: "migration Job before the API, replaced on change, no TTL (`migration-job.ts`)",
        tests: ["test/stacks.test.ts", "test/policy/job-bounded-retries.test.ts"],
    },
    L14: {
        happened: "drift, manual edits",
        componentDefault: "no `ignoreChanges`; nightly drift check (`drift.yml`) that also lists unmanaged objects",
        tests: [
            "test/rollout.test.ts",
            "test/policy/no-ignore-changes-on-workload-spec.test.ts",
            "test/workflows.test.ts",
            "test/unmanaged-objects.test.ts",
        ],
    },
    L15: {
        happened: "deploy hung 12 min",
        componentDefault:
            "`progressDeadlineSeconds`, readiness, custom timeouts from `rolloutTimeoutSeconds` (`workload.ts`, `probes.ts`)",
        tests: [
            "test/stacks.test.ts",
            "test/components/api.test.ts",
            "test/policy/readiness-probe-set.test.ts",
            "test/policy/pod-references-declared.test.ts",
            "test/policy/api-version-removed.test.ts",
        ],
    },
    L16: {
        happened: "ownership conflicts",
        componentDefault: "recommended labels, bounded history (`labels.ts`)",
        tests: ["test/stacks.test.ts", "test/policy/recommended-labels.test.ts"],
    },
    L17: {
        happened: "failed builds deployed",
        componentDefault: "registry lookup at preview fails first (`images.ts`)",
        tests: ["test/images/resolve-image.test.ts"],
    },
    L18: {
        happened: "ports 50053 vs 50054",
        componentDefault: "one `port` feeds all (`api.ts`)",
        tests: [
            "test/components/api.test.ts",
            "test/policy/probe-ports-declared.test.ts",
            "test/policy/nginx-upstream-matches-service.test.ts",
            "test/incidents.test.ts",
        ],
    },
    L19: {
        happened: "secrets in git",
        componentDefault:
            "RandomPassword / secret config → Secret → secretKeyRef (`redis.ts`, `api.ts`); Redis reads an ACL file from a Secret volume and its probe REDISCLI_AUTH, never a command line (`redis-conf.ts`); one secret-env rule (`components/secret-env.ts`) for config check and pack",
        tests: [
            "test/components/redis.test.ts",
            "test/secret-env.test.ts",
            "test/policy/no-literal-secret-env.test.ts",
            "test/check.test.ts",
            "test/policy/no-secret-values.test.ts",
            "test/policy/no-secret-in-command.test.ts",
            "test/redis.real.test.ts",
        ],
    },
    L20: {
        happened: "two registry namespaces",
        componentDefault: "allowed prefixes from policy config",
        tests: ["test/policy/allowed-image-prefixes.test.ts"],
    },
    L21: {
        happened: "zombie pods, no PDB",
        componentDefault: "PDB for ≥ 2 replicas, grace period (`workload.ts`)",
        tests: [
            "test/components/api.test.ts",
            "test/policy/replicated-workload-has-pdb.test.ts",
            "test/policy/pdb-allows-disruption.test.ts",
            "test/policy/container-resources.test.ts",
        ],
    },
    L22: {
        happened: "quiet build, moved files",
        componentDefault: "one typed program; config validated first (`config.ts`)",
        tests: ["test/config.test.ts"],
    },
    L23: {
        happened: "rollback hunted tags",
        componentDefault: "config holds digests; stack exports them (`web-stack.ts`, `scripts/promote.ts`)",
        tests: ["test/rollout.test.ts", "test/promote.test.ts"],
    },
    L24: {
        happened: "which version is live?",
        componentDefault:
            "nginx version header + `version` output + verify (`static-site.ts`, `scripts/verify.ts`, `scripts/verify-checks.ts`)",
        tests: ["test/nginx.real.test.ts", "test/verify.test.ts", "test/verify-checks.test.ts"],
    },
    L25: {
        happened: "CORS preflight 405",
        componentDefault: "204 for configured origins (`nginx-conf.ts`)",
        tests: ["test/nginx.real.test.ts"],
    },
    L26: {
        happened: "data lost on restart",
        componentDefault: "read-only root, state on PVCs (`security-context.ts`)",
        tests: ["test/redis.real.test.ts", "test/policy/read-only-root-filesystem.test.ts"],
    },
    L27: {
        happened: "no probes",
        componentDefault: "readiness + liveness on every long-running container (`probes.ts`)",
        tests: ["test/stacks.test.ts", "test/policy/liveness-probe-set.test.ts"],
    },
    L28: {
        happened: "`Always` pull on a tag",
        componentDefault: "digests + `IfNotPresent`",
        tests: ["test/rollout.test.ts"],
    },
    L29: {
        happened: "cutover by hand",
        componentDefault: "route in the stack; `maxUnavailable: 0` (`workload.ts`)",
        tests: ["test/stacks.test.ts", "test/policy/rolling-update-zero-unavailable.test.ts"],
    },
    L30: {
        happened: "root / privileged",
        componentDefault: "PSS restricted, no fixed UID (`security-context.ts`)",
        tests: [
            "test/components/api.test.ts",
            "test/policy/pod-security-baseline.test.ts",
            "test/policy/pod-security-restricted.test.ts",
            "test/policy/automount-service-account-token.test.ts",
        ],
    },
    L31: {
        happened: "Redis open to all",
        componentDefault: "NetworkPolicies router→nginx→API→Redis (`network-policies.ts`)",
        tests: [
            "test/components/routing.test.ts",
            "test/policy/namespace-has-network-policy.test.ts",
            "test/policy/network-policy-ingress-restricted.test.ts",
            "test/policy/ingress-tls.test.ts",
        ],
    },
    L32: {
        happened: "PVC replaced (deleted)",
        componentDefault: "`protect: true` on PVCs (`storage.ts`, `redis.ts`)",
        tests: ["test/components/storage.test.ts", "test/policy/pvc-protected.test.ts"],
    },
} satisfies Record<string, Lesson>;

export type LessonId = keyof typeof LESSONS;
