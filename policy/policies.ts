/**
 * Every policy of the webstack pack, one per file in rules/. Kept apart from index.ts so tests and the
 * offline runner can load the policies without constructing a PolicyPack (which starts a gRPC server).
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { withConfigCheck } from "./config";
import { withNotEvaluated } from "./not-evaluated";
import { waiverHygiene } from "./waiver-hygiene";
import { withWaivers } from "./waiver-ledger";
import { allowedImagePrefixes } from "./rules/allowed-image-prefixes";
import { apiVersionDeprecated } from "./rules/api-version-deprecated";
import { apiVersionRemoved } from "./rules/api-version-removed";
import { automountServiceAccountToken } from "./rules/automount-service-account-token";
import { configMapSizeAdvisory } from "./rules/configmap-size-advisory";
import { configMapSizeLimit } from "./rules/configmap-size-limit";
import { containerResources } from "./rules/container-resources";
import { envNamesUnique } from "./rules/env-names-unique";
import { hpaTargetExists } from "./rules/hpa-target-exists";
import { hpaTargetReplicasUnset } from "./rules/hpa-target-replicas-unset";
import { imagesDigestPinned } from "./rules/images-digest-pinned";
import { ingressTls } from "./rules/ingress-tls";
import { internalRegistrySameNamespace } from "./rules/internal-registry-same-namespace";
import { jobBoundedRetries } from "./rules/job-bounded-retries";
import { jobNoTtlAfterFinished } from "./rules/job-no-ttl-after-finished";
import { livenessDiffersFromReadiness } from "./rules/liveness-differs-from-readiness";
import { livenessProbeSet } from "./rules/liveness-probe-set";
import { namespaceHasNetworkPolicy } from "./rules/namespace-has-network-policy";
import { networkPolicyIngressRestricted } from "./rules/network-policy-ingress-restricted";
import { networkPolicySelectsPods } from "./rules/network-policy-selects-pods";
import { nginxUpstreamMatchesService } from "./rules/nginx-upstream-matches-service";
import { noIgnoreChangesOnWorkloadSpec } from "./rules/no-ignore-changes-on-workload-spec";
import { noLiteralSecretEnv } from "./rules/no-literal-secret-env";
import { noPrivilegedPorts } from "./rules/no-privileged-ports";
import { noRootOnlyImages } from "./rules/no-root-only-images";
import { noSecretInCommand } from "./rules/no-secret-in-command";
import { noSecretValues } from "./rules/no-secret-values";
import { pdbAllowsDisruption } from "./rules/pdb-allows-disruption";
import { podReferencesDeclared } from "./rules/pod-references-declared";
import { podSecurityBaseline } from "./rules/pod-security-baseline";
import { podSecurityRestricted } from "./rules/pod-security-restricted";
import { portEnvMatchesContainerPort } from "./rules/port-env-matches-container-port";
import { probePortsDeclared } from "./rules/probe-ports-declared";
import { pvcProtected } from "./rules/pvc-protected";
import { readOnlyRootFilesystem } from "./rules/read-only-root-filesystem";
import { readinessProbeSet } from "./rules/readiness-probe-set";
import { recommendedLabels } from "./rules/recommended-labels";
import { redisDataPersistent } from "./rules/redis-data-persistent";
import { replicatedWorkloadHasPdb } from "./rules/replicated-workload-has-pdb";
import { rollingUpdateZeroUnavailable } from "./rules/rolling-update-zero-unavailable";
import { routeBackendSelectsPods } from "./rules/route-backend-selects-pods";
import { rwoVolumeRecreateStrategy } from "./rules/rwo-volume-recreate-strategy";
import { rwoVolumeSingleReplica } from "./rules/rwo-volume-single-replica";
import { s2iBuilderCommandSet } from "./rules/s2i-builder-command-set";
import { serviceSelectsPods } from "./rules/service-selects-pods";
import { serviceTargetPortMatchesPods } from "./rules/service-target-port-matches-pods";
import { statefulSetHeadlessService } from "./rules/statefulset-headless-service";

/**
 * In lesson order (L01 ... L32); each rejects config properties it does not declare (see config.ts) and consults the
 * waivers before it reports a violation (waiver-ledger.ts); a value unknown during preview makes it "not evaluated"
 * (not-evaluated.ts).
 */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = (
    [
        s2iBuilderCommandSet, // L01
        noRootOnlyImages, // L02
        noPrivilegedPorts, // L02
        rwoVolumeSingleReplica, // L03
        rwoVolumeRecreateStrategy, // L03
        routeBackendSelectsPods, // L05
        serviceSelectsPods, // L05
        internalRegistrySameNamespace, // L06
        configMapSizeAdvisory, // L08
        configMapSizeLimit, // L08
        redisDataPersistent, // L10
        hpaTargetExists, // L10
        hpaTargetReplicasUnset, // L10
        statefulSetHeadlessService, // L10
        imagesDigestPinned, // L12
        jobBoundedRetries, // L13
        jobNoTtlAfterFinished, // L13
        noIgnoreChangesOnWorkloadSpec, // L14
        readinessProbeSet, // L15
        podReferencesDeclared, // L15
        apiVersionRemoved, // L15
        apiVersionDeprecated, // L15
        recommendedLabels, // L16
        probePortsDeclared, // L18
        serviceTargetPortMatchesPods, // L18
        portEnvMatchesContainerPort, // L18
        envNamesUnique, // L18
        nginxUpstreamMatchesService, // L18
        noLiteralSecretEnv, // L19
        noSecretValues, // L19
        noSecretInCommand, // L19
        allowedImagePrefixes, // L20
        replicatedWorkloadHasPdb, // L21
        pdbAllowsDisruption, // L21
        containerResources, // L21
        readOnlyRootFilesystem, // L26
        livenessProbeSet, // L27
        livenessDiffersFromReadiness, // L27
        rollingUpdateZeroUnavailable, // L29
        podSecurityBaseline, // L30
        podSecurityRestricted, // L30
        automountServiceAccountToken, // L30
        namespaceHasNetworkPolicy, // L31
        networkPolicyIngressRestricted, // L31
        networkPolicySelectsPods, // L31
        ingressTls, // L31
        pvcProtected, // L32
    ] as (ResourceValidationPolicy | StackValidationPolicy)[]
).map((policy) => withNotEvaluated(withWaivers(withConfigCheck(policy))));

/** What the pack runs: the policies, then `waivers`, which reports on the waivers once the others have run. */
export const packPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [...policies, waiverHygiene];
