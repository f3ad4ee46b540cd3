/**
 * Every policy of the webstack pack, one per file in rules/. Kept apart from index.ts so tests and the
 * offline runner can load the policies without constructing a PolicyPack (which starts a gRPC server).
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { allowedImagePrefixes } from "./rules/allowed-image-prefixes";
import { configMapSizeAdvisory } from "./rules/configmap-size-advisory";
import { configMapSizeLimit } from "./rules/configmap-size-limit";
import { imagesDigestPinned } from "./rules/images-digest-pinned";
import { internalRegistrySameNamespace } from "./rules/internal-registry-same-namespace";
import { jobBoundedRetries } from "./rules/job-bounded-retries";
import { jobNoTtlAfterFinished } from "./rules/job-no-ttl-after-finished";
import { livenessProbeSet } from "./rules/liveness-probe-set";
import { namespaceHasNetworkPolicy } from "./rules/namespace-has-network-policy";
import { noIgnoreChangesOnWorkloadSpec } from "./rules/no-ignore-changes-on-workload-spec";
import { noLiteralSecretEnv } from "./rules/no-literal-secret-env";
import { noPrivilegedPods } from "./rules/no-privileged-pods";
import { noPrivilegedPorts } from "./rules/no-privileged-ports";
import { noRootOnlyImages } from "./rules/no-root-only-images";
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
import { serviceTargetPortMatchesPods } from "./rules/service-target-port-matches-pods";

/** In lesson order (L01 ... L32). */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    s2iBuilderCommandSet,            // L01
    noRootOnlyImages,                // L02
    noPrivilegedPorts,               // L02
    rwoVolumeSingleReplica,          // L03
    rwoVolumeRecreateStrategy,       // L03
    routeBackendSelectsPods,         // L05
    internalRegistrySameNamespace,   // L06
    configMapSizeAdvisory,           // L08
    configMapSizeLimit,              // L08
    redisDataPersistent,             // L10
    imagesDigestPinned,              // L12
    jobBoundedRetries,               // L13
    jobNoTtlAfterFinished,           // L13
    noIgnoreChangesOnWorkloadSpec,   // L14
    readinessProbeSet,               // L15
    recommendedLabels,               // L16
    probePortsDeclared,              // L18
    serviceTargetPortMatchesPods,    // L18
    portEnvMatchesContainerPort,     // L18
    noLiteralSecretEnv,              // L19
    allowedImagePrefixes,            // L20
    replicatedWorkloadHasPdb,        // L21
    readOnlyRootFilesystem,          // L26
    livenessProbeSet,                // L27
    rollingUpdateZeroUnavailable,    // L29
    noPrivilegedPods,                // L30
    podSecurityRestricted,           // L30
    namespaceHasNetworkPolicy,       // L31
    pvcProtected,                    // L32
];
