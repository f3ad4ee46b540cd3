/**
 * The policy catalog: every policy's metadata as data, in lesson order. Rules take their name, description,
 * level, severity, tags and remediation steps from here (policyMetadata), the offline runner and the SARIF
 * report read lessons and help from here, and `npm run docs` writes the lessons and coverage tables of docs/
 * from here. A rule's own file holds only what it checks and its config.
 */
import type { EnforcementLevel, Policy, Severity } from "@pulumi/policy";
import type { LessonId } from "./lessons";

/** What a policy protects, as @pulumi/policy `tags` and SARIF rule tags ("security" marks GitHub security alerts). */
export type Tag = "security" | "reliability" | "supply-chain" | "data-loss" | "networking" | "openshift";

/** The other checkers docs/policies.md compares the pack with. */
export type PeerSource = "PSS baseline" | "PSS restricted" | "kube-linter" | "Polaris";

/** A check of a peer tool (a Pod Security Standards control, a kube-linter default check, a Polaris check). */
export interface PeerCheck {
    source: PeerSource;
    check: string;
    /** How this policy's coverage differs from the peer's check, when it does. */
    note?: string;
}

export interface CatalogEntry {
    /** Lessons the policy enforces; the first is the one it was written for. */
    lessons: LessonId[];
    /** Default level; a policy config may change it. */
    enforcementLevel: Extract<EnforcementLevel, "mandatory" | "advisory">;
    severity: Severity;
    /** What the policy checks and why, without the fix. */
    summary: string;
    /** What to do about a violation in general; each message names the fix for its own field and values. */
    remediation: string;
    tags: Tag[];
    /** Peer checks this policy covers, wholly or in part. */
    peers: PeerCheck[];
}

const pss = (profile: "baseline" | "restricted", check: string, note?: string): PeerCheck => ({
    source: `PSS ${profile}`,
    check,
    note,
});
const kubeLinter = (check: string, note?: string): PeerCheck => ({ source: "kube-linter", check, note });
const polaris = (check: string, note?: string): PeerCheck => ({ source: "Polaris", check, note });
const uncovered = (source: PeerSource, check: string, note: string): Required<PeerCheck> => ({ source, check, note });

export const CATALOG = {
    "s2i-builder-command-set": {
        lessons: ["L01"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability", "openshift"],
        summary:
            "Containers running an S2I builder image (ubi9/python-311 and the like) set an explicit `command`; otherwise the image's S2I run script replaces the app's start command.",
        remediation: "Set `command` to the real entrypoint (e.g. gunicorn).",
        peers: [],
    },
    "no-root-only-images": {
        lessons: ["L02"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability", "openshift"],
        summary:
            "No image that needs root (library nginx, httpd: they write /var/cache/nginx and /run/nginx.pid): under runAsNonRoot or OpenShift's arbitrary UID they crash.",
        remediation:
            "Use an unprivileged variant such as nginxinc/nginx-unprivileged (listens on 8080, pid and temp paths under /tmp).",
        peers: [],
    },
    "no-privileged-ports": {
        lessons: ["L02"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability", "openshift"],
        summary:
            "Non-root containers declare no port below 1024: a non-root process cannot bind it (OpenShift always runs non-root).",
        remediation: "Listen on a port >= 1024 (e.g. 8080) and map 80 on the Service.",
        peers: [],
    },
    "rwo-volume-single-replica": {
        lessons: ["L03"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability"],
        summary:
            "A workload that can run more than one pod (replicas > 1, HPA maxReplicas > 1, Job parallelism > 1, any DaemonSet) does not share a ReadWriteOnce PVC: pods on another node hang in ContainerCreating (Multi-Attach). StatefulSet volumeClaimTemplates are per pod and fine.",
        remediation: "Use a ReadWriteMany claim, or run 1 replica with strategy Recreate.",
        peers: [],
    },
    "rwo-volume-recreate-strategy": {
        lessons: ["L03"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "A Deployment that mounts a ReadWriteOnce PVC uses strategy Recreate: a RollingUpdate starts the new pod while the old one still holds the volume, and it hangs if scheduled on another node.",
        remediation: "Set spec.strategy.type: Recreate (or use a ReadWriteMany PVC).",
        peers: [],
    },
    "route-backend-selects-pods": {
        lessons: ["L05", "L18"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability", "networking", "openshift"],
        summary:
            "Every Route/Ingress backend is a Service in the same namespace (or one listed in externalNames) whose selector matches a workload of the stack and that has the port the route names: the router builds backends from endpoints, so an ExternalName Service, one selecting nothing, or a missing port answers 503.",
        remediation: "Point the route at the stack's own selector Service.",
        peers: [],
    },
    "service-selects-pods": {
        lessons: ["L05"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability", "networking"],
        summary:
            "Every Service with a selector selects the pods of a workload of the stack in its namespace; otherwise it has no endpoints and its clients get connection refused.",
        remediation: "Set spec.selector to the pod template labels of the workload it fronts.",
        peers: [kubeLinter("dangling-service")],
    },
    "internal-registry-same-namespace": {
        lessons: ["L06"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability", "supply-chain", "openshift"],
        summary:
            "An image from the cluster-internal registry comes from the workload's own namespace; pods cannot pull another namespace's image stream by default (ImagePullBackOff).",
        remediation: "Build/push the image in this namespace or take the image reference from stack config.",
        peers: [],
    },
    "configmap-size-advisory": {
        lessons: ["L08"],
        enforcementLevel: "advisory",
        severity: "low",
        tags: ["reliability"],
        summary:
            "ConfigMaps hold configuration, not content: above 256 KiB it is content on its way to the 1 MiB API limit.",
        remediation: "Serve site content and media from a volume (PVC) or a content image.",
        peers: [],
    },
    "configmap-size-limit": {
        lessons: ["L08"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability"],
        summary: "ConfigMaps hold configuration, not content: above 1 MiB the API server rejects it.",
        remediation: "Serve site content and media from a volume (PVC) or a content image.",
        peers: [],
    },
    "redis-data-persistent": {
        lessons: ["L10", "L26"],
        enforcementLevel: "advisory",
        severity: "high",
        tags: ["data-loss"],
        summary:
            "A Redis/Valkey container mounts a PersistentVolumeClaim (or a StatefulSet volumeClaimTemplate) at its data directory, so state survives restarts.",
        remediation: "Mount a PVC at the data dir (/data for the official images) and enable AOF.",
        peers: [],
    },
    "hpa-target-exists": {
        lessons: ["L10"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "Every HorizontalPodAutoscaler's scaleTargetRef names a Deployment, StatefulSet or ReplicaSet of the stack in the HPA's namespace; otherwise it scales nothing.",
        remediation: "Set scaleTargetRef (apiVersion apps/v1, kind, name) from the workload object.",
        peers: [],
    },
    "hpa-target-replicas-unset": {
        lessons: ["L10", "L14"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "A Deployment, StatefulSet or ReplicaSet that a HorizontalPodAutoscaler of the stack scales sets no spec.replicas: a fixed count is written back by every update, resetting the scale the autoscaler chose under load.",
        remediation: "Remove spec.replicas from the workload; the HPA's minReplicas applies from the start.",
        peers: [],
    },
    "statefulset-headless-service": {
        lessons: ["L10"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability", "networking"],
        summary:
            "A StatefulSet's serviceName names a headless Service (clusterIP: None) of the stack in its namespace that selects its pods, or one listed in externalNames; otherwise its pods' stable DNS names (redis-0.redis) do not resolve.",
        remediation: "Declare a headless Service selecting the pods and take serviceName from its metadata.name.",
        peers: [],
    },
    "images-digest-pinned": {
        lessons: ["L12", "L28"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability", "supply-chain"],
        summary:
            "Every container and initContainer image is pinned by digest (repo@sha256:<64 hex>), so a new build changes the pod template and rolls the pods.",
        remediation: "Resolve the tag to its digest at preview and deploy the digest.",
        peers: [kubeLinter("latest-tag", "stricter: any tag, not only latest"), polaris("tagNotSpecified")],
    },
    "job-bounded-retries": {
        lessons: ["L13"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "A Job (or CronJob's jobTemplate) sets backoffLimit and activeDeadlineSeconds, so a failing migration fails `pulumi up` quickly instead of retrying for a long time.",
        remediation: "Set spec.backoffLimit (e.g. 2) and spec.activeDeadlineSeconds.",
        peers: [],
    },
    "job-no-ttl-after-finished": {
        lessons: ["L13"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "A Pulumi-managed Job has no ttlSecondsAfterFinished: once the cluster deletes the finished Job, the next `pulumi up` re-creates it and runs it again.",
        remediation: "Remove spec.ttlSecondsAfterFinished (a new image digest re-runs the Job by replacement).",
        peers: [],
    },
    "no-ignore-changes-on-workload-spec": {
        lessons: ["L14"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability"],
        summary:
            "Workloads have no `ignoreChanges` on spec, the pod template, containers or image: ignored drift means updates sometimes apply and sometimes not.",
        remediation:
            "Remove those ignoreChanges entries and catch drift with `pulumi preview --refresh --expect-no-changes`.",
        peers: [],
    },
    "readiness-probe-set": {
        lessons: ["L15", "L27"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "Every container of a long-running workload has a readinessProbe: without it a crashing pod counts as ready and rollouts cannot fail fast.",
        remediation: "Add readinessProbe on the container's declared port.",
        peers: [polaris("readinessProbeMissing")],
    },
    "pod-references-declared": {
        lessons: ["L15"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "Every ConfigMap, Secret and ServiceAccount a pod template needs (volumes, projected sources, env valueFrom, envFrom, serviceAccountName; not optional ones) is declared in the stack in the pod's namespace, or listed in externalNames; otherwise pods hang in ContainerCreating/CreateContainerConfigError.",
        remediation:
            "Declare the object in the program and reference its metadata.name, or mark the reference optional.",
        peers: [kubeLinter("non-existent-service-account")],
    },
    "api-version-removed": {
        lessons: ["L15"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability"],
        summary:
            "No object uses an API version the target Kubernetes release (policy config kubernetesVersion, default the current release) no longer serves; the update would fail at apply, halfway through.",
        remediation: "Move the object to the replacement API version named in the message.",
        peers: [
            kubeLinter("no-extensions-v1beta", "every removed or deprecated API, for the configured kubernetesVersion"),
        ],
    },
    "api-version-deprecated": {
        lessons: ["L15"],
        enforcementLevel: "advisory",
        severity: "low",
        tags: ["reliability"],
        summary:
            "No object uses an API version deprecated in the target Kubernetes release (policy config kubernetesVersion): it works today and breaks at the upgrade that removes it.",
        remediation: "Move the object to the replacement API version named in the message.",
        peers: [kubeLinter("no-extensions-v1beta")],
    },
    "recommended-labels": {
        lessons: ["L16"],
        enforcementLevel: "advisory",
        severity: "low",
        tags: ["reliability"],
        summary:
            "Every Kubernetes object (and every pod template) carries the app.kubernetes.io/{name,instance,component,part-of,managed-by} labels, so ownership is clear and stale objects can be found.",
        remediation: "Add the missing labels (managed-by: pulumi).",
        peers: [],
    },
    "probe-ports-declared": {
        lessons: ["L18"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability"],
        summary:
            "Every probe port (number or name) is a port the container declares; a probe on another port keeps the pod Running but never Ready.",
        remediation: "Derive containerPort, the PORT env and every probe from one port value.",
        peers: [kubeLinter("liveness-port"), kubeLinter("readiness-port"), kubeLinter("startup-port")],
    },
    "service-target-port-matches-pods": {
        lessons: ["L18"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability", "networking"],
        summary:
            "Every Service targetPort (number or name; default = port) is a port declared by the pods it selects; otherwise traffic goes where nothing listens.",
        remediation: "Derive containerPort, probes and targetPort from one port value.",
        peers: [
            kubeLinter(
                "invalid-target-ports",
                "a targetPort must name a declared container port; malformed names are rejected by the API server",
            ),
        ],
    },
    "port-env-matches-container-port": {
        lessons: ["L18"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "An env var PORT / *_PORT with a literal number names one of the declared ports of its container (containers that declare none serve nothing and are skipped); otherwise the server listens where no probe or Service looks.",
        remediation: "Feed containerPort, the PORT env, probes and Service targetPort from one value.",
        peers: [],
    },
    "env-names-unique": {
        lessons: ["L18"],
        enforcementLevel: "advisory",
        severity: "low",
        tags: ["reliability"],
        summary:
            "No env var name appears twice in one container: Kubernetes keeps the last value and the API server only warns, so an edit to the other entry silently does nothing.",
        remediation: "Set each variable once.",
        peers: [kubeLinter("duplicate-env-var")],
    },
    "nginx-upstream-matches-service": {
        lessons: ["L18"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["reliability", "networking"],
        summary:
            "Every `host:port` an nginx config in a ConfigMap connects to (upstream `server`, `proxy_pass`) that names a Service of the run (`svc`, `svc.ns`, `svc.ns.svc[.<domain>]`) uses a port that Service exposes; otherwise every proxied request gets 502.",
        remediation: "Derive nginx's upstream port from the API Service's port (one port value, as the WebStack does).",
        peers: [],
    },
    "no-literal-secret-env": {
        lessons: ["L19"],
        enforcementLevel: "mandatory",
        severity: "critical",
        tags: ["security"],
        summary:
            "An env var whose name looks secret (PASSWORD, TOKEN, SECRET, API_KEY...) is set with valueFrom.secretKeyRef, never a literal `value` (policies see secrets unwrapped, so how the value is supplied is what counts).",
        remediation:
            "Store it with `pulumi config set --secret` or random.RandomPassword in a Kubernetes Secret and reference it with valueFrom.secretKeyRef.",
        peers: [kubeLinter("env-var-secret", "by name and by value"), polaris("sensitiveContainerEnvVar")],
    },
    "no-secret-values": {
        lessons: ["L19"],
        enforcementLevel: "mandatory",
        severity: "critical",
        tags: ["security"],
        summary:
            "No literal env value or ConfigMap data value looks like a secret by its value (private key blocks, cloud/API key formats, JSON Web Tokens, passwords in URLs, high-entropy tokens): it would be readable in the spec, the state and git.",
        remediation:
            "Put the value in a Kubernetes Secret (from `pulumi config set --secret` or random.RandomPassword) and use valueFrom.secretKeyRef or a secret volume.",
        peers: [
            kubeLinter("env-var-secret"),
            polaris("sensitiveContainerEnvVar"),
            polaris("sensitiveConfigmapContent"),
        ],
    },
    "no-secret-in-command": {
        lessons: ["L19"],
        enforcementLevel: "mandatory",
        severity: "critical",
        tags: ["security"],
        summary:
            "No container expands an env var that carries a Secret's value (secretKeyRef, envFrom secretRef, or a value built from one) into `command`/`args` with `$(VAR)`: the kubelet substitutes it, so the secret is on the process's command line, readable in /proc/<pid>/cmdline and `ps` by anything that sees the pod's processes.",
        remediation:
            "Mount the Secret as a file the program reads (an included config or ACL file, defaultMode 0440) or let the program read the environment variable itself (REDISCLI_AUTH for redis-cli).",
        peers: [],
    },
    "allowed-image-prefixes": {
        lessons: ["L20"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["supply-chain"],
        summary:
            "When allowed image prefixes are configured, every image starts with one of them, so two registry namespaces (swe-fleet vs swe-ai-fleet) cannot be in use at once.",
        remediation: "Use the configured registry/namespace, or add it to allowedPrefixes in the policy config.",
        peers: [],
    },
    "replicated-workload-has-pdb": {
        lessons: ["L21"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "A Deployment/StatefulSet/ReplicaSet with replicas >= 2 (or HPA minReplicas >= 2) has a PodDisruptionBudget selecting its pods, so node drains and reboots keep it serving.",
        remediation: "Add a PodDisruptionBudget (e.g. maxUnavailable: 1) with the workload's pod labels as selector.",
        peers: [polaris("missingPodDisruptionBudget")],
    },
    "pdb-allows-disruption": {
        lessons: ["L21"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "Every PodDisruptionBudget selects pods of the stack, sets a budget (minAvailable or maxUnavailable: without one every pod may be evicted at once) and lets at least one pod be evicted: maxUnavailable 0, or minAvailable >= the workload's replicas (or HPA minReplicas), blocks every node drain.",
        remediation: "Set spec.maxUnavailable: 1 (instead of minAvailable) and select the workload's pod labels.",
        peers: [
            kubeLinter("pdb-max-unavailable"),
            kubeLinter("pdb-min-available", "counts HPA minReplicas"),
            polaris("pdbDisruptionsIsZero"),
        ],
    },
    "container-resources": {
        lessons: ["L21"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "Every container and initContainer sets a memory request, a memory limit and a CPU request (no CPU limit required), so pods are scheduled where they fit, are not evicted first, cannot exhaust a node, and can be autoscaled.",
        remediation: "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory.",
        peers: [
            kubeLinter("unset-cpu-requirements", "CPU request; no CPU limit required"),
            kubeLinter("unset-memory-requirements", "memory request and limit"),
            polaris("cpuRequestsMissing"),
            polaris("memoryRequestsMissing"),
            polaris("memoryLimitsMissing"),
        ],
    },
    "read-only-root-filesystem": {
        lessons: ["L26"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["security", "data-loss"],
        summary:
            "Containers set securityContext.readOnlyRootFilesystem: true, so data written to the container filesystem (lost on restart) fails loudly instead.",
        remediation: "Set it and mount an emptyDir at /tmp and a PVC where state must live.",
        peers: [kubeLinter("no-read-only-root-fs"), polaris("notReadOnlyRootFilesystem")],
    },
    "liveness-probe-set": {
        lessons: ["L27", "L21"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "Every container of a long-running workload has a livenessProbe: without it a hung process is never restarted.",
        remediation: "Add livenessProbe on the container's declared port.",
        peers: [polaris("livenessProbeMissing")],
    },
    "liveness-differs-from-readiness": {
        lessons: ["L27", "L15"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "A container's livenessProbe is not identical to its readinessProbe (same handler and timings): otherwise a slow dependency fails both on every pod at once and the kubelet restarts them all instead of only taking them out of the Service.",
        remediation:
            "Probe liveness on a cheap endpoint that checks only the process, with a higher failureThreshold than readiness.",
        peers: [],
    },
    "rolling-update-zero-unavailable": {
        lessons: ["L29"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["reliability"],
        summary:
            "A Deployment with replicas >= 2 rolls with strategy RollingUpdate and maxUnavailable 0, so updates and rollbacks never drop capacity.",
        remediation: "Set spec.strategy.rollingUpdate.maxUnavailable: 0 (and maxSurge >= 1).",
        peers: [],
    },
    "pod-security-baseline": {
        lessons: ["L30"],
        enforcementLevel: "mandatory",
        severity: "critical",
        tags: ["security"],
        summary:
            'Pods meet every control of Pod Security "baseline" (no host namespaces, host ports, hostPath, privileged containers, added capabilities beyond the default set, unsafe sysctls, or relaxed AppArmor, SELinux, seccomp and /proc mount settings): a namespace enforcing baseline or restricted rejects them otherwise.',
        remediation: "Remove the privilege or host access named in the message.",
        peers: [
            pss("baseline", "HostProcess", "pod and container windowsOptions.hostProcess"),
            pss("baseline", "Host Namespaces", "hostNetwork, hostPID, hostIPC"),
            pss("baseline", "Privileged Containers"),
            pss("baseline", "Capabilities", "only the default set may be added (case-sensitive)"),
            pss("baseline", "HostPath Volumes"),
            pss("baseline", "Host Ports", "any hostPort other than 0"),
            pss(
                "baseline",
                "Host Probes / Lifecycle Hooks",
                "httpGet/tcpSocket host in probes and postStart/preStop (1.34+)",
            ),
            pss("baseline", "AppArmor", "appArmorProfile fields and the beta annotations"),
            pss(
                "baseline",
                "SELinux",
                "container_t, container_init_t, container_kvm_t, container_engine_t; no user/role",
            ),
            pss("baseline", "/proc Mount Type", "relaxed for hostUsers: false (1.35+)"),
            pss("baseline", "Seccomp", "no explicit Unconfined (or other) type"),
            pss("baseline", "Sysctls", "the safe set of 1.37"),
            kubeLinter("docker-sock", "every hostPath is rejected, the Docker socket included"),
            kubeLinter("host-ipc"),
            kubeLinter("host-network"),
            kubeLinter("host-pid"),
            kubeLinter("privilege-escalation-container", "allowPrivilegeEscalation, privileged, added capabilities"),
            kubeLinter("privileged-container"),
            kubeLinter("sensitive-host-mounts", "every hostPath, sensitive or not"),
            kubeLinter("unsafe-sysctls"),
            polaris("hostIPCSet"),
            polaris("hostPIDSet"),
            polaris("hostNetworkSet"),
            polaris("hostPortSet"),
            polaris("hostPathSet"),
            polaris("hostProcess"),
            polaris("procMount"),
            polaris("runAsPrivileged"),
            polaris("dangerousCapabilities"),
        ],
    },
    "pod-security-restricted": {
        lessons: ["L30"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["security", "openshift"],
        summary:
            'Pods meet the controls Pod Security "restricted" adds to baseline: allowPrivilegeEscalation: false, runAsNonRoot: true, never runAsUser 0, seccompProfile RuntimeDefault or Localhost, capabilities drop ["ALL"] (only NET_BIND_SERVICE added), only restricted volume types.',
        remediation: "Set these in the pod and container securityContext (leave runAsUser unset on OpenShift).",
        peers: [
            pss(
                "restricted",
                "Volume Types",
                "configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret",
            ),
            pss("restricted", "Privilege Escalation", "allowPrivilegeEscalation: false; Windows pods exempt"),
            pss("restricted", "Running as Non-root", "pod-level true or every container true"),
            pss("restricted", "Running as Non-root user", "runAsUser 0 on pod or container"),
            pss("restricted", "Seccomp", "RuntimeDefault or Localhost on the pod or every container"),
            pss("restricted", "Capabilities", 'drop "ALL" ("all" does not count), add only NET_BIND_SERVICE'),
            pss("restricted", "/proc Mount Type", "no unmasked /proc even in a user namespace (1.35+)"),
            kubeLinter("drop-net-raw-capability", "drop ALL covers NET_RAW"),
            kubeLinter("privilege-escalation-container"),
            kubeLinter("run-as-non-root"),
            polaris("procMount"),
            polaris("linuxHardening", "seccomp RuntimeDefault and drop ALL are required, not one of several"),
            polaris("privilegeEscalationAllowed"),
            polaris("runAsRootAllowed"),
            polaris("insecureCapabilities"),
        ],
    },
    "automount-service-account-token": {
        lessons: ["L30"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["security"],
        summary:
            "Pods whose service account has no RoleBinding/ClusterRoleBinding in the stack set automountServiceAccountToken: false, so a compromised container gets no Kubernetes API token.",
        remediation: "Set spec.automountServiceAccountToken: false in the pod template (or on the ServiceAccount).",
        peers: [polaris("automountServiceAccountToken", "only where the stack grants the account no RBAC")],
    },
    "namespace-has-network-policy": {
        lessons: ["L31"],
        enforcementLevel: "advisory",
        severity: "high",
        tags: ["security", "networking"],
        summary:
            "Every long-running workload's pods are selected by a NetworkPolicy of the stack in its namespace that restricts Ingress (an Egress-only policy does not count), so e.g. Redis is not reachable by anything in the cluster.",
        remediation: "Add NetworkPolicies (Redis only from the API, the API only from nginx, nginx from the router).",
        peers: [polaris("missingNetworkPolicy", "only policies restricting Ingress count")],
    },
    "network-policy-ingress-restricted": {
        lessons: ["L31"],
        enforcementLevel: "advisory",
        severity: "high",
        tags: ["security", "networking"],
        summary:
            "No NetworkPolicy ingress rule admits every source: a rule without `from` (or `from: []`), an empty peer, a peer with `namespaceSelector: {}` and no narrower podSelector, or ipBlock 0.0.0.0/0 or ::/0 without exceptions. Such a policy selects the pods yet restricts nothing.",
        remediation:
            "Name the clients in `from`: a podSelector for the pods in the namespace that may connect, a namespaceSelector with the router's or ingress controller's labels.",
        peers: [],
    },
    "network-policy-selects-pods": {
        lessons: ["L31"],
        enforcementLevel: "advisory",
        severity: "medium",
        tags: ["security", "networking"],
        summary:
            "Every NetworkPolicy with a non-empty podSelector selects a pod template of the stack in its namespace (or is listed in externalNames): one that selects nothing (a typo in a label) protects nothing.",
        remediation: "Use the pod labels of the workload the policy guards as its podSelector.",
        peers: [],
    },
    "ingress-tls": {
        lessons: ["L31"],
        enforcementLevel: "advisory",
        severity: "high",
        tags: ["security", "networking", "openshift"],
        summary:
            "Every Ingress has spec.tls covering its hosts and every Route has spec.tls, so the site is not served over plain HTTP.",
        remediation:
            "Add spec.tls (Ingress: hosts + secretName; Route: termination edge with insecureEdgeTerminationPolicy Redirect).",
        peers: [polaris("tlsSettingsMissing", "Ingress and OpenShift Route")],
    },
    "pvc-protected": {
        lessons: ["L32"],
        enforcementLevel: "mandatory",
        severity: "high",
        tags: ["data-loss"],
        summary:
            "PersistentVolumeClaims are created with the `protect` resource option: a change to accessModes/storageClassName forces a replacement, which deletes the volume and its data.",
        remediation: "Pass { protect: true } (and retainOnDelete) to the PVC.",
        peers: [],
    },
} satisfies Record<string, CatalogEntry>;

export type PolicyName = keyof typeof CATALOG;

/** Peer checks no policy covers, each with the reason; the coverage table (docs/policies.md) lists them as "not covered". */
export const NOT_COVERED: Required<PeerCheck>[] = [
    uncovered(
        "kube-linter",
        "deprecated-service-account-field",
        "`serviceAccount` is an alias the API server copies into serviceAccountName; the components never set it",
    ),
    uncovered(
        "kube-linter",
        "mismatching-selector",
        "not a policy: the API server rejects a workload whose selector does not match its template labels, and the check reports it as a schema error (offline/apiserver/)",
    ),
    uncovered(
        "kube-linter",
        "no-anti-affinity",
        "a scheduling preference; the default topology spread already spreads replicas across nodes",
    ),
    uncovered(
        "kube-linter",
        "pdb-unhealthy-pod-eviction-policy",
        "only matters once pods are already unhealthy; we flag budgets that block drains of healthy pods",
    ),
    uncovered(
        "kube-linter",
        "ssh-port",
        "a port number says nothing about the process behind it; the images are pinned by digest and reviewed",
    ),
    uncovered(
        "Polaris",
        "deploymentMissingReplicas",
        "replica count is a sizing decision; `replicated-workload-has-pdb` and `rolling-update-zero-unavailable` check what matters once replicas >= 2",
    ),
    uncovered("Polaris", "priorityClassNotSet", "priority classes are cluster-specific; none exists by default"),
    uncovered(
        "Polaris",
        "pullPolicyNotAlways",
        "on purpose: digests make IfNotPresent right, Always on a tag is the L28 anti-pattern",
    ),
    uncovered(
        "Polaris",
        "metadataAndInstanceMismatched",
        "our app.kubernetes.io/instance names the WebStack instance shared by its objects (its recommended meaning), not each object",
    ),
    uncovered(
        "Polaris",
        "topologySpreadConstraint",
        "a scheduling preference; the default topology spread already applies",
    ),
    uncovered(
        "Polaris",
        "cpuLimitsMissing",
        "on purpose: CPU limits throttle a busy server without protecting its neighbours; requests are required",
    ),
    ...[
        "clusterrolePodExecAttach",
        "rolePodExecAttach",
        "clusterrolebindingPodExecAttach",
        "rolebindingClusterRolePodExecAttach",
        "rolebindingRolePodExecAttach",
        "clusterrolebindingClusterAdmin",
        "rolebindingClusterAdminClusterRole",
        "rolebindingClusterAdminRole",
    ].map((check) =>
        uncovered("Polaris", check, "the stack creates no Roles or bindings: its pods need no API access"),
    ),
];

/** A policy's catalog entry; undefined for a policy outside the pack (a test's probe). */
export function catalogEntry(name: string): CatalogEntry | undefined {
    return (CATALOG as Record<string, CatalogEntry>)[name];
}

/** Lesson ids of a policy, from the catalog ([] for a policy outside the pack). */
export function lessonsOf(name: string): string[] {
    return [...(catalogEntry(name)?.lessons ?? [])];
}

/** Tags a policy carries to Pulumi and SARIF: what it protects, then its lesson ids (a search for "L12" finds it). */
export function tagsOf(entry: CatalogEntry): string[] {
    return [...entry.tags, ...entry.lessons];
}

/** "[L12, L28] <summary>": the description the engine prints above each violation. */
export function descriptionOf(entry: CatalogEntry): string {
    return `[${entry.lessons.join(", ")}] ${entry.summary}`;
}

/** The metadata fields of a policy of the pack, as @pulumi/policy takes them. */
export function policyMetadata(
    name: PolicyName,
): Required<Pick<Policy, "name" | "description" | "enforcementLevel" | "severity" | "tags" | "remediationSteps">> {
    const entry: CatalogEntry = CATALOG[name];
    return {
        name,
        description: descriptionOf(entry),
        enforcementLevel: entry.enforcementLevel,
        severity: entry.severity,
        tags: tagsOf(entry),
        remediationSteps: entry.remediation,
    };
}

/** "Fix: <remediation>" for a message whose fix is the policy's general one. */
export function fixOf(name: PolicyName): string {
    const { remediation } = CATALOG[name];
    return `Fix: ${remediation[0].toLowerCase()}${remediation.slice(1)}`;
}

/**
 * Whether a policy also runs at admission, as a ValidatingAdmissionPolicy the API server enforces on every write
 * (admission/forms.ts holds its CEL, `npm run admission` writes it, docs/admission.md lists both places), and when
 * not, why. A policy added to the catalog must say which.
 */
export type AdmissionCoverage = "cel" | { none: string };

const CROSS_OBJECT = "cross-object: it compares objects of the stack with each other, and admission sees one object";
const NOT_YET = "single-object, so CEL could express it, but not written yet: the pack alone checks it";

export const ADMISSION = {
    "s2i-builder-command-set": "cel",
    "no-root-only-images": "cel",
    "no-privileged-ports": "cel",
    "rwo-volume-single-replica": { none: CROSS_OBJECT },
    "rwo-volume-recreate-strategy": { none: CROSS_OBJECT },
    "route-backend-selects-pods": { none: CROSS_OBJECT },
    "service-selects-pods": { none: CROSS_OBJECT },
    "internal-registry-same-namespace": "cel",
    "configmap-size-advisory": "cel",
    "configmap-size-limit": "cel",
    "redis-data-persistent": { none: NOT_YET },
    "hpa-target-exists": { none: CROSS_OBJECT },
    "images-digest-pinned": "cel",
    "job-bounded-retries": "cel",
    "job-no-ttl-after-finished": "cel",
    "no-ignore-changes-on-workload-spec": {
        none: "ignoreChanges is a Pulumi resource option: the API server never sees it",
    },
    "readiness-probe-set": "cel",
    "pod-references-declared": { none: CROSS_OBJECT },
    "api-version-removed": { none: "the API server itself refuses an API version it no longer serves" },
    "api-version-deprecated": { none: "the API server itself answers a deprecated API version with a warning" },
    "recommended-labels": "cel",
    "probe-ports-declared": "cel",
    "service-target-port-matches-pods": { none: CROSS_OBJECT },
    "port-env-matches-container-port": "cel",
    "nginx-upstream-matches-service": { none: CROSS_OBJECT },
    "no-literal-secret-env": "cel",
    "no-secret-values": "cel",
    "no-secret-in-command": {
        none: "single-object, but which env var carries a Secret follows the kubelet's ordered $(VAR) expansion and shadowing, not yet written in CEL: the pack alone checks it",
    },
    "allowed-image-prefixes": "cel",
    "replicated-workload-has-pdb": { none: CROSS_OBJECT },
    "pdb-allows-disruption": { none: CROSS_OBJECT },
    "container-resources": "cel",
    "read-only-root-filesystem": "cel",
    "liveness-probe-set": "cel",
    "rolling-update-zero-unavailable": "cel",
    "pod-security-baseline": {
        none: "Pod Security admission, built into the API server, enforces it from the namespace's pod-security.kubernetes.io labels",
    },
    "pod-security-restricted": {
        none: "Pod Security admission, built into the API server, enforces it from the namespace's pod-security.kubernetes.io labels",
    },
    "automount-service-account-token": "cel",
    "namespace-has-network-policy": { none: CROSS_OBJECT },
    "network-policy-ingress-restricted": { none: NOT_YET },
    "ingress-tls": "cel",
    "pvc-protected": { none: "protect is a Pulumi resource option: the API server never sees it" },
    "hpa-target-replicas-unset": { none: CROSS_OBJECT },
    "statefulset-headless-service": { none: CROSS_OBJECT },
    "network-policy-selects-pods": { none: CROSS_OBJECT },
    "env-names-unique": { none: NOT_YET },
    "liveness-differs-from-readiness": { none: NOT_YET },
} as const satisfies { [N in PolicyName]: AdmissionCoverage };
