/**
 * The Kubernetes Pod Security Standards (L30), control by control, as pod-security-admission evaluates them at
 * its newest version (k8s.io/pod-security-admission/policy/check_*.go, Kubernetes 1.37): the same fields, the
 * same allowed values, the same exemptions (Windows pods, user-namespaced pods), on containers, initContainers
 * and ephemeralContainers alike. Each control reports where it fails and how to fix it; the pack's two policies
 * (pod-security-baseline, pod-security-restricted) run the controls of their profile.
 *
 * Where the restricted profile replaces a baseline check (volumes, capabilities, seccomp, procMount), the
 * restricted control reports only what the baseline one lets through, so a pod is never told the same thing twice.
 */
import { Container, LifecycleHandler, Probe, SecurityContext } from "./k8s";
import { fieldOf } from "./validate";
import { ContainerRef, Workload } from "./workloads";

export type Profile = "baseline" | "restricted";

export interface PodSecurityControl {
    /** The control's name in the Pod Security Standards table, e.g. "Host Ports". */
    name: string;
    profile: Profile;
    /** Messages ("<where>: <problem>. Fix: <fix>.") for one workload. */
    check(w: Workload, who: string): string[];
}

/** Capabilities a container may add under baseline (the container runtime's default set). */
export const BASELINE_CAPABILITIES = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];
/** Namespaced sysctls isolated from other pods (baseline's "safe" set, 1.37). */
export const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];
export const SELINUX_TYPES = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
/** Inline volume sources restricted allows (hostPath is baseline's to report). */
export const RESTRICTED_VOLUMES = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];
const PROFILE_TYPES = ["RuntimeDefault", "Localhost"];
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

function message(
    where: string,
    control: PodSecurityControl | { name: string; profile: Profile },
    problem: string,
    fix: string,
): string {
    return `${where}: Pod Security ${control.profile} "${control.name}": ${problem}. Fix: ${fix}.`;
}

/** A pod in its own user namespace (hostUsers: false) may run as UID 0 and unmask /proc inside it. */
const userNamespaced = (w: Workload) => w.podSpec.hostUsers === false;
/** Windows pods cannot set the Linux-only fields, so restricted does not require them there. */
const windows = (w: Workload) => w.podSpec.os?.name === "windows";
const sc = (ref: ContainerRef): SecurityContext => ref.container.securityContext ?? {};
const podField = (w: Workload, who: string, field: string) => `${who} (${w.podSpecPath}.${field})`;
const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(", ");

/** A control evaluated container by container: `problem` returns [field, problem, fix] or undefined. */
function perContainer(
    name: string,
    profile: Profile,
    problem: (c: Container, s: SecurityContext, w: Workload) => [string, string, string] | undefined,
    applies: (w: Workload) => boolean = () => true,
): PodSecurityControl {
    const control: PodSecurityControl = {
        name,
        profile,
        check: (w, who) =>
            !applies(w)
                ? []
                : w.allContainers.flatMap((ref) => {
                      const found = problem(ref.container, sc(ref), w);
                      return found ? [message(fieldOf(who, ref, found[0]), control, found[1], found[2])] : [];
                  }),
    };
    return control;
}

/** The probe and lifecycle handlers that may carry a `host`, with their field names. */
function handlers(c: Container): [string, Probe | LifecycleHandler | undefined][] {
    return [
        ["livenessProbe", c.livenessProbe],
        ["readinessProbe", c.readinessProbe],
        ["startupProbe", c.startupProbe],
        ["lifecycle.postStart", c.lifecycle?.postStart],
        ["lifecycle.preStop", c.lifecycle?.preStop],
    ];
}

/** Profile types (seccomp, AppArmor) set on the pod and each container: [where, type] for every explicit value outside RuntimeDefault/Localhost. */
function badProfileTypes(w: Workload, who: string, field: "seccompProfile" | "appArmorProfile"): [string, unknown][] {
    const explicit: [string, { type?: string } | undefined][] = [
        [podField(w, who, `securityContext.${field}.type`), w.podSpec.securityContext?.[field]],
        ...w.allContainers.map((ref): [string, { type?: string } | undefined] => [
            fieldOf(who, ref, `securityContext.${field}.type`),
            sc(ref)[field],
        ]),
    ];
    return explicit
        .filter(([, profile]) => profile !== undefined && !PROFILE_TYPES.includes(profile.type ?? ""))
        .map(([where, profile]) => [where, profile!.type]);
}

export const BASELINE: PodSecurityControl[] = [
    {
        name: "HostProcess",
        profile: "baseline",
        check(w, who) {
            const pod =
                w.podSpec.securityContext?.windowsOptions?.hostProcess === true
                    ? [podField(w, who, "securityContext.windowsOptions.hostProcess")]
                    : [];
            const containers = w.allContainers
                .filter((ref) => sc(ref).windowsOptions?.hostProcess === true)
                .map((ref) => fieldOf(who, ref, "securityContext.windowsOptions.hostProcess"));
            return [...pod, ...containers].map((where) =>
                message(
                    where,
                    this,
                    "true runs the Windows container as a process on the node, with the node's privileges",
                    "remove windowsOptions.hostProcess",
                ),
            );
        },
    },
    {
        name: "Host Namespaces",
        profile: "baseline",
        check(w, who) {
            return (["hostNetwork", "hostPID", "hostIPC"] as const)
                .filter((host) => w.podSpec[host] === true)
                .map((host) =>
                    message(
                        podField(w, who, host),
                        this,
                        `true shares the node's ${host.slice(4) === "Network" ? "network" : host.slice(4)} namespace with the pod`,
                        `remove ${host}`,
                    ),
                );
        },
    },
    perContainer("Privileged Containers", "baseline", (_c, s) =>
        s.privileged === true
            ? [
                  "securityContext.privileged",
                  "true disables most isolation and gives the container the node's devices",
                  "remove privileged (or set it to false)",
              ]
            : undefined,
    ),
    perContainer("Capabilities", "baseline", (_c, s) => {
        const extra = (s.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.includes(cap));
        return extra.length === 0
            ? undefined
            : [
                  "securityContext.capabilities.add",
                  `adds ${quoted(extra)}, outside the default set (names are case-sensitive: ${BASELINE_CAPABILITIES.join(", ")})`,
                  "add no capabilities and drop ALL; listen on a port >= 1024 instead of adding NET_BIND_SERVICE",
              ];
    }),
    {
        name: "HostPath Volumes",
        profile: "baseline",
        check(w, who) {
            return (w.podSpec.volumes ?? []).flatMap((v, i) =>
                v.hostPath === undefined
                    ? []
                    : [
                          message(
                              podField(w, who, `volumes[${i}].hostPath`),
                              this,
                              `volume "${v.name}" mounts a directory of the node`,
                              "use a PersistentVolumeClaim, an emptyDir or a configMap/secret volume",
                          ),
                      ],
            );
        },
    },
    {
        name: "Host Ports",
        profile: "baseline",
        check(w, who) {
            return w.allContainers.flatMap((ref) =>
                (ref.container.ports ?? []).flatMap((p, i) =>
                    !p.hostPort
                        ? []
                        : [
                              message(
                                  fieldOf(who, ref, `ports[${i}].hostPort`),
                                  this,
                                  `hostPort ${p.hostPort} binds the port on the node`,
                                  "remove hostPort and expose the port through a Service",
                              ),
                          ],
                ),
            );
        },
    },
    {
        name: "Host Probes / Lifecycle Hooks",
        profile: "baseline",
        check(w, who) {
            return w.allContainers.flatMap((ref) =>
                handlers(ref.container).flatMap(([field, handler]) =>
                    (["httpGet", "tcpSocket"] as const)
                        .filter((kind) => typeof handler?.[kind]?.host === "string" && handler[kind].host !== "")
                        .map((kind) =>
                            message(
                                fieldOf(who, ref, `${field}.${kind}.host`),
                                this,
                                `"${handler![kind]!.host}" makes the kubelet connect to another host, which can reach the node's network`,
                                `remove ${field}.${kind}.host (the kubelet then probes the pod's IP)`,
                            ),
                        ),
                ),
            );
        },
    },
    {
        name: "AppArmor",
        profile: "baseline",
        check(w, who) {
            const fields = badProfileTypes(w, who, "appArmorProfile").map(([where, type]) =>
                message(
                    where,
                    this,
                    `${JSON.stringify(type ?? "")} overrides or disables the default AppArmor profile`,
                    "set appArmorProfile.type to RuntimeDefault or Localhost, or leave it unset",
                ),
            );
            const annotations = Object.entries(w.podAnnotations)
                .filter(
                    ([key, value]) =>
                        key.startsWith(APPARMOR_ANNOTATION) &&
                        value !== "" &&
                        value !== "runtime/default" &&
                        !value.startsWith("localhost/"),
                )
                .map(([key, value]) =>
                    message(
                        `${who} (${w.podLabelsPath.replace(/labels$/, "annotations")}["${key}"])`,
                        this,
                        `"${value}" disables the default AppArmor profile`,
                        `set it to "runtime/default" or "localhost/<profile>", or remove the annotation`,
                    ),
                );
            return [...fields, ...annotations];
        },
    },
    {
        name: "SELinux",
        profile: "baseline",
        check(w, who) {
            const settings: [string, SecurityContext["seLinuxOptions"]][] = [
                [podField(w, who, "securityContext.seLinuxOptions"), w.podSpec.securityContext?.seLinuxOptions],
                ...w.allContainers.map((ref): [string, SecurityContext["seLinuxOptions"]] => [
                    fieldOf(who, ref, "securityContext.seLinuxOptions"),
                    sc(ref).seLinuxOptions,
                ]),
            ];
            return settings.flatMap(([where, options]) => {
                const problems = [
                    ...(options?.type && !SELINUX_TYPES.includes(options.type)
                        ? [`type "${options.type}" is not one of ${SELINUX_TYPES.join(", ")}`]
                        : []),
                    ...(["user", "role"] as const)
                        .filter((k) => options?.[k])
                        .map((k) => `a custom ${k} "${options![k]}" is forbidden`),
                ];
                return problems.length === 0
                    ? []
                    : [
                          message(
                              where,
                              this,
                              problems.join("; "),
                              "leave seLinuxOptions.user and .role unset and use a container_* type (or none)",
                          ),
                      ];
            });
        },
    },
    perContainer(
        "/proc Mount Type",
        "baseline",
        (_c, s) =>
            s.procMount !== undefined && s.procMount !== "Default"
                ? [
                      "securityContext.procMount",
                      `"${s.procMount}" unmasks /proc outside a user namespace`,
                      "remove procMount (or set Default), or run the pod with hostUsers: false",
                  ]
                : undefined,
        (w) => !userNamespaced(w),
    ),
    {
        name: "Seccomp",
        profile: "baseline",
        check(w, who) {
            return badProfileTypes(w, who, "seccompProfile").map(([where, type]) =>
                message(
                    where,
                    this,
                    `${JSON.stringify(type ?? "")} turns off or replaces the runtime's syscall filter`,
                    "set seccompProfile.type: RuntimeDefault (or Localhost)",
                ),
            );
        },
    },
    {
        name: "Sysctls",
        profile: "baseline",
        check(w, who) {
            return (w.podSpec.securityContext?.sysctls ?? []).flatMap((s, i) =>
                SAFE_SYSCTLS.includes(s.name)
                    ? []
                    : [
                          message(
                              podField(w, who, `securityContext.sysctls[${i}].name`),
                              this,
                              `"${s.name}" is not a namespaced, isolated ("safe") sysctl`,
                              `set only ${SAFE_SYSCTLS.join(", ")}`,
                          ),
                      ],
            );
        },
    },
];

export const RESTRICTED: PodSecurityControl[] = [
    {
        name: "Volume Types",
        profile: "restricted",
        check(w, who) {
            return (w.podSpec.volumes ?? []).flatMap((v, i) => {
                // A volume with no source is defaulted to emptyDir by the API server before admission sees it.
                const source = Object.keys(v).find((k) => k !== "name" && v[k] != null);
                return source === undefined || source === "hostPath" || RESTRICTED_VOLUMES.includes(source)
                    ? []
                    : [
                          message(
                              podField(w, who, `volumes[${i}].${source}`),
                              this,
                              `volume "${v.name}" uses ${source}`,
                              `use one of ${RESTRICTED_VOLUMES.join(", ")} (a PersistentVolumeClaim for network storage)`,
                          ),
                      ];
            });
        },
    },
    perContainer(
        "Privilege Escalation",
        "restricted",
        (_c, s) =>
            s.allowPrivilegeEscalation === false
                ? undefined
                : [
                      "securityContext.allowPrivilegeEscalation",
                      s.allowPrivilegeEscalation === undefined
                          ? "not set, and it defaults to true"
                          : "true lets a process gain more privileges than its parent (setuid binaries)",
                      "set allowPrivilegeEscalation: false",
                  ],
        (w) => !windows(w),
    ),
    {
        name: "Running as Non-root",
        profile: "restricted",
        check(w, who) {
            if (userNamespaced(w)) {
                return [];
            }
            const pod = w.podSpec.securityContext?.runAsNonRoot;
            const fix = "set runAsNonRoot: true in the pod securityContext (and no runAsNonRoot: false in containers)";
            return [
                ...(pod === false
                    ? [
                          message(
                              podField(w, who, "securityContext.runAsNonRoot"),
                              this,
                              "false allows every container to run as root",
                              fix,
                          ),
                      ]
                    : []),
                ...w.allContainers.flatMap((ref) => {
                    const own = sc(ref).runAsNonRoot;
                    return own === false
                        ? [
                              message(
                                  fieldOf(who, ref, "securityContext.runAsNonRoot"),
                                  this,
                                  "false allows the container to run as root",
                                  fix,
                              ),
                          ]
                        : own === undefined && pod !== true && pod !== false
                          ? [
                                message(
                                    fieldOf(who, ref, "securityContext.runAsNonRoot"),
                                    this,
                                    "not true in the container nor in the pod securityContext",
                                    fix,
                                ),
                            ]
                          : [];
                }),
            ];
        },
    },
    {
        name: "Running as Non-root user",
        profile: "restricted",
        check(w, who) {
            if (userNamespaced(w)) {
                return [];
            }
            const fix = "remove runAsUser (OpenShift assigns a UID) or set a non-zero UID";
            return [
                ...(w.podSpec.securityContext?.runAsUser === 0
                    ? [
                          message(
                              podField(w, who, "securityContext.runAsUser"),
                              this,
                              "0 runs the pod's containers as root",
                              fix,
                          ),
                      ]
                    : []),
                ...w.allContainers
                    .filter((ref) => sc(ref).runAsUser === 0)
                    .map((ref) =>
                        message(
                            fieldOf(who, ref, "securityContext.runAsUser"),
                            this,
                            "0 runs the container as root",
                            fix,
                        ),
                    ),
            ];
        },
    },
    // Explicitly bad values are baseline's; restricted adds that a profile must be set, on the pod or on every container.
    perContainer(
        "Seccomp",
        "restricted",
        (_c, s, w) =>
            s.seccompProfile === undefined && w.podSpec.securityContext?.seccompProfile === undefined
                ? [
                      "securityContext.seccompProfile.type",
                      "not set in the container nor in the pod securityContext",
                      "set seccompProfile.type: RuntimeDefault in the pod securityContext",
                  ]
                : undefined,
        (w) => !windows(w),
    ),
    perContainer(
        "Capabilities",
        "restricted",
        (_c, s) => {
            const drop = s.capabilities?.drop ?? [];
            const problems = [
                ...(drop.includes("ALL")
                    ? []
                    : [
                          drop.some((d) => d.toUpperCase() === "ALL")
                              ? `drop lists ${quoted(drop.filter((d) => d.toUpperCase() === "ALL"))}, but Pod Security compares case-sensitively and needs "ALL"`
                              : 'drop does not include "ALL"',
                      ]),
                // Capabilities outside the default set are baseline's to report.
                ...(s.capabilities?.add ?? [])
                    .filter((cap) => cap !== "NET_BIND_SERVICE" && BASELINE_CAPABILITIES.includes(cap))
                    .map((cap) => `adds "${cap}"; only NET_BIND_SERVICE may be added`),
            ];
            return problems.length === 0
                ? undefined
                : [
                      "securityContext.capabilities",
                      problems.join("; "),
                      'set capabilities: { drop: ["ALL"] } and add nothing but NET_BIND_SERVICE',
                  ];
        },
        (w) => !windows(w),
    ),
    // Baseline lets a user-namespaced pod unmask /proc; restricted does not (1.35+).
    perContainer(
        "/proc Mount Type",
        "restricted",
        (_c, s) =>
            s.procMount !== undefined && s.procMount !== "Default"
                ? [
                      "securityContext.procMount",
                      `"${s.procMount}" unmasks /proc (restricted forbids it even with hostUsers: false)`,
                      "remove procMount (or set Default)",
                  ]
                : undefined,
        userNamespaced,
    ),
];
