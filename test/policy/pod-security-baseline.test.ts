import { strict as assert } from "assert";
import { BASELINE } from "../../policy/pod-security";
import { podSecurityBaseline as policy } from "../../policy/rules/pod-security-baseline";
import {
    POD_SPEC_PATH,
    WORKLOAD_CASES,
    WORKLOAD_TYPES,
    assertAppliesOnlyTo,
    compliantStack,
    expectMessages,
    stackWith,
} from "./fixtures";
import { ControlCase, app, controlTests, web } from "./pod-security-cases";

const cases: ControlCase[] = [
    {
        control: "HostProcess",
        allowed: "hostProcess: false on pod and container",
        pass: (s) => {
            s.securityContext.windowsOptions = { hostProcess: false };
            app(s).securityContext.windowsOptions = { hostProcess: false };
        },
        rejected: "hostProcess: true on the pod and on a container",
        fail: (s) => {
            s.securityContext.windowsOptions = { hostProcess: true };
            app(s).securityContext.windowsOptions = { hostProcess: true };
        },
        fields: [
            "spec.securityContext.windowsOptions.hostProcess",
            "spec.containers[0].securityContext.windowsOptions.hostProcess",
        ],
    },
    {
        control: "Host Namespaces",
        allowed: "hostNetwork/hostPID/hostIPC: false",
        pass: (s) => {
            s.hostNetwork = false;
            s.hostPID = false;
            s.hostIPC = false;
        },
        rejected: "hostNetwork, hostPID and hostIPC: true",
        fail: (s) => {
            s.hostNetwork = true;
            s.hostPID = true;
            s.hostIPC = true;
        },
        fields: ["spec.hostNetwork", "spec.hostPID", "spec.hostIPC"],
    },
    {
        control: "Privileged Containers",
        allowed: "privileged: false",
        pass: (s) => {
            app(s).securityContext.privileged = false;
        },
        rejected: "privileged: true on an initContainer",
        fail: (s) => {
            s.initContainers = [{ name: "setup", image: "x", securityContext: { privileged: true } }];
        },
        fields: ["spec.initContainers[0].securityContext.privileged"],
    },
    {
        control: "Capabilities",
        allowed: "adding CHOWN and NET_BIND_SERVICE (default set)",
        pass: (s) => {
            app(s).securityContext.capabilities.add = ["CHOWN", "NET_BIND_SERVICE"];
        },
        rejected: "adding NET_ADMIN and lower-case chown (names are case-sensitive)",
        fail: (s) => {
            app(s).securityContext.capabilities.add = ["NET_ADMIN", "chown"];
        },
        fields: ["spec.containers[0].securityContext.capabilities.add"],
    },
    {
        control: "HostPath Volumes",
        allowed: "an emptyDir volume",
        pass: (s) => {
            s.volumes.push({ name: "cache", emptyDir: { medium: "Memory" } });
        },
        rejected: "a hostPath volume",
        fail: (s) => {
            s.volumes.push({ name: "data", hostPath: { path: "/srv/data" } });
        },
        fields: ["spec.volumes[1].hostPath"],
    },
    {
        control: "Host Ports",
        allowed: "hostPort: 0",
        pass: (s) => {
            app(s).ports[0].hostPort = 0;
        },
        rejected: "hostPort: 8080",
        fail: (s) => {
            app(s).ports[0].hostPort = 8080;
        },
        fields: ["spec.containers[0].ports[0].hostPort"],
    },
    {
        control: "Host Probes / Lifecycle Hooks",
        allowed: "an empty probe host and a preStop httpGet without host",
        pass: (s) => {
            app(s).readinessProbe.httpGet.host = "";
            app(s).lifecycle = { preStop: { httpGet: { path: "/drain", port: 8080 } } };
        },
        rejected: "a probe httpGet.host and a postStart tcpSocket.host",
        fail: (s) => {
            app(s).livenessProbe.httpGet.host = "10.0.0.1";
            app(s).lifecycle = { postStart: { tcpSocket: { port: 22, host: "node" } } };
        },
        fields: [
            "spec.containers[0].livenessProbe.httpGet.host",
            "spec.containers[0].lifecycle.postStart.tcpSocket.host",
        ],
    },
    {
        control: "AppArmor",
        allowed: "RuntimeDefault, Localhost and the runtime/default, localhost/* annotations",
        pass: (s, t) => {
            s.securityContext.appArmorProfile = { type: "RuntimeDefault" };
            app(s).securityContext.appArmorProfile = { type: "Localhost", localhostProfile: "k8s-nginx" };
            t.metadata.annotations = {
                "container.apparmor.security.beta.kubernetes.io/app": "localhost/k8s-nginx",
                "container.apparmor.security.beta.kubernetes.io/x": "runtime/default",
            };
        },
        rejected: "Unconfined on the pod and the unconfined annotation",
        fail: (s, t) => {
            s.securityContext.appArmorProfile = { type: "Unconfined" };
            t.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" };
        },
        fields: [
            "spec.securityContext.appArmorProfile.type",
            `metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]`,
        ],
    },
    {
        control: "SELinux",
        allowed: "types container_t and container_engine_t, a level",
        pass: (s) => {
            s.securityContext.seLinuxOptions = { type: "container_t", level: "s0:c123,c456" };
            app(s).securityContext.seLinuxOptions = { type: "container_engine_t" };
        },
        rejected: "type spc_t on a container and a custom user on the pod",
        fail: (s) => {
            app(s).securityContext.seLinuxOptions = { type: "spc_t" };
            s.securityContext.seLinuxOptions = { user: "system_u" };
        },
        fields: ["spec.containers[0].securityContext.seLinuxOptions", "spec.securityContext.seLinuxOptions"],
    },
    {
        control: "/proc Mount Type",
        allowed: "procMount Unmasked in a user-namespaced pod (hostUsers: false)",
        pass: (s) => {
            s.hostUsers = false;
            app(s).securityContext.procMount = "Unmasked";
        },
        rejected: "procMount Unmasked with host users",
        fail: (s) => {
            app(s).securityContext.procMount = "Unmasked";
        },
        fields: ["spec.containers[0].securityContext.procMount"],
    },
    {
        control: "Seccomp",
        allowed: "Localhost on a container, no profile on the pod (baseline does not require one)",
        pass: (s) => {
            delete s.securityContext.seccompProfile;
            app(s).securityContext.seccompProfile = { type: "Localhost", localhostProfile: "p.json" };
        },
        rejected: "Unconfined on the pod",
        fail: (s) => {
            s.securityContext.seccompProfile.type = "Unconfined";
        },
        fields: ["spec.securityContext.seccompProfile.type"],
    },
    {
        control: "Sysctls",
        allowed: "the safe sysctls, including 1.37's net.ipv4.tcp_notsent_lowat",
        pass: (s) => {
            s.securityContext.sysctls = [
                { name: "net.ipv4.ip_unprivileged_port_start", value: "0" },
                { name: "net.ipv4.tcp_notsent_lowat", value: "16384" },
            ];
        },
        rejected: "kernel.msgmax",
        fail: (s) => {
            s.securityContext.sysctls = [{ name: "kernel.msgmax", value: "65536" }];
        },
        fields: ["spec.securityContext.sysctls[0].name"],
    },
];

describe("policy pod-security-baseline [L30]", () => {
    it("[L30] passes the restricted baseline stack", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L30] has one passing and one failing case per baseline control", () => {
        assert.deepEqual(cases.map((c) => c.control).sort(), BASELINE.map((c) => c.name).sort());
    });

    controlTests(policy, "baseline", cases);

    it("[L30] names the control, the object, the container and the field (exact message)", async () => {
        await expectMessages(
            policy,
            web((s) => {
                app(s).securityContext.privileged = true;
            }),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].securityContext.privileged): Pod Security baseline "Privileged Containers": true disables most isolation and gives the container the node's devices. Fix: remove privileged (or set it to false).`,
            ],
        );
    });

    it("[L30] checks every workload kind's pod template (and a bare Pod)", async () => {
        for (const w of WORKLOAD_CASES) {
            const stack = stackWith(w.type, w.name, (o) => {
                w.podSpec(o).hostPID = true;
            });
            await expectMessages(policy, stack, [
                `${w.kind} "${w.name}" (${POD_SPEC_PATH[w.kind]}.hostPID): Pod Security baseline "Host Namespaces": true shares the node's PID namespace with the pod. Fix: remove hostPID.`,
            ]);
        }
    });

    it('[L30] checks ephemeralContainers and names an unnamed container by position, never "undefined"', async () => {
        await expectMessages(
            policy,
            web((s) => {
                s.ephemeralContainers = [{ name: "debug", image: "busybox", securityContext: { privileged: true } }];
                s.containers.push({ image: "x", ports: [{ containerPort: 1, hostPort: 1 }] });
            }),
            [
                `Deployment "web" ephemeralContainer "debug" (spec.template.spec.ephemeralContainers[0].securityContext.privileged): Pod Security baseline "Privileged Containers": true disables most isolation and gives the container the node's devices. Fix: remove privileged (or set it to false).`,
                `Deployment "web" container (unnamed) (spec.template.spec.containers[1].ports[0].hostPort): Pod Security baseline "Host Ports": hostPort 1 binds the port on the node. Fix: remove hostPort and expose the port through a Service.`,
            ],
        );
    });

    it("[L30] is mandatory and not applicable to non-workload types", async () => {
        assert.equal(policy.enforcementLevel, "mandatory");
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
