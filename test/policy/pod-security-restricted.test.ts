import { strict as assert } from "assert";
import { RESTRICTED } from "../../policy/pod-security";
import { podSecurityRestricted as policy } from "../../policy/rules/pod-security-restricted";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, violationsOf } from "./fixtures";
import { ControlCase, app, controlTests, web } from "./pod-security-cases";

const cases: ControlCase[] = [
    {
        control: "Volume Types",
        allowed: "image, csi and ephemeral volumes, and a volume without source (defaulted to emptyDir)",
        pass: (s) => {
            s.volumes.push(
                { name: "model", image: { reference: "quay.io/x/model@sha256:" + "b".repeat(64) } },
                { name: "c", csi: { driver: "d" } },
                { name: "e", ephemeral: {} },
                { name: "bare" },
            );
        },
        rejected: "an nfs volume (hostPath is baseline's)",
        fail: (s) => {
            s.volumes.push({ name: "nas", nfs: { server: "nas", path: "/" } }, { name: "h", hostPath: { path: "/" } });
        },
        fields: ["spec.volumes[1].nfs"],
    },
    {
        control: "Privilege Escalation",
        allowed: "allowPrivilegeEscalation unset on a Windows pod (os.name: windows)",
        pass: (s) => {
            s.os = { name: "windows" };
            delete app(s).securityContext.allowPrivilegeEscalation;
        },
        rejected: "allowPrivilegeEscalation unset (defaults to true) and true on an initContainer",
        fail: (s) => {
            delete app(s).securityContext.allowPrivilegeEscalation;
            s.initContainers = [
                {
                    name: "init",
                    image: "x",
                    securityContext: { allowPrivilegeEscalation: true, capabilities: { drop: ["ALL"] } },
                },
            ];
        },
        fields: [
            "spec.containers[0].securityContext.allowPrivilegeEscalation",
            "spec.initContainers[0].securityContext.allowPrivilegeEscalation",
        ],
    },
    {
        control: "Running as Non-root",
        allowed: "runAsNonRoot only on the containers (none on the pod)",
        pass: (s) => {
            delete s.securityContext.runAsNonRoot;
            app(s).securityContext.runAsNonRoot = true;
        },
        rejected: "runAsNonRoot: false on the pod, and a container with runAsNonRoot: false under a pod-level true",
        fail: (s) => {
            s.securityContext.runAsNonRoot = false;
            s.initContainers = [
                {
                    name: "init",
                    image: "x",
                    securityContext: {
                        allowPrivilegeEscalation: false,
                        runAsNonRoot: false,
                        capabilities: { drop: ["ALL"] },
                    },
                },
            ];
        },
        fields: ["spec.securityContext.runAsNonRoot", "spec.initContainers[0].securityContext.runAsNonRoot"],
    },
    {
        control: "Running as Non-root user",
        allowed: "runAsUser 0 in a user-namespaced pod (hostUsers: false)",
        pass: (s) => {
            s.hostUsers = false;
            s.securityContext.runAsUser = 0;
        },
        rejected: "runAsUser 0 on a container",
        fail: (s) => {
            app(s).securityContext.runAsUser = 0;
        },
        fields: ["spec.containers[0].securityContext.runAsUser"],
    },
    {
        control: "Seccomp",
        allowed: "no pod-level profile when every container sets RuntimeDefault",
        pass: (s) => {
            delete s.securityContext.seccompProfile;
            app(s).securityContext.seccompProfile = { type: "RuntimeDefault" };
        },
        rejected: "no profile on the pod nor the container",
        fail: (s) => {
            delete s.securityContext.seccompProfile;
        },
        fields: ["spec.containers[0].securityContext.seccompProfile.type"],
    },
    {
        control: "Capabilities",
        allowed: "drop ALL and add NET_BIND_SERVICE",
        pass: (s) => {
            app(s).securityContext.capabilities = { drop: ["ALL"], add: ["NET_BIND_SERVICE"] };
        },
        rejected: 'drop ["all"] in lower case (Pod Security compares case-sensitively)',
        fail: (s) => {
            app(s).securityContext.capabilities = { drop: ["all"] };
        },
        fields: ["spec.containers[0].securityContext.capabilities"],
    },
    {
        control: "/proc Mount Type",
        allowed: "procMount Default in a user-namespaced pod",
        pass: (s) => {
            s.hostUsers = false;
            app(s).securityContext.procMount = "Default";
        },
        rejected: "procMount Unmasked even with hostUsers: false",
        fail: (s) => {
            s.hostUsers = false;
            app(s).securityContext.procMount = "Unmasked";
        },
        fields: ["spec.containers[0].securityContext.procMount"],
    },
];

describe("policy pod-security-restricted [L30]", () => {
    it("[L30] passes the baseline stack, which sets no runAsUser (OpenShift assigns one)", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L30] has one passing and one failing case per control restricted adds", () => {
        assert.deepEqual(cases.map((c) => c.control).sort(), RESTRICTED.map((c) => c.name).sort());
    });

    controlTests(policy, "restricted", cases);

    it("[L30] capabilities: a missing drop ALL and an added default capability are one message", async () => {
        await expectMessages(
            policy,
            web((s) => {
                app(s).securityContext.capabilities = { drop: ["NET_RAW"], add: ["CHOWN"] };
            }),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].securityContext.capabilities): Pod Security restricted "Capabilities": drop does not include "ALL"; adds "CHOWN"; only NET_BIND_SERVICE may be added. Fix: set capabilities: { drop: ["ALL"] } and add nothing but NET_BIND_SERVICE.`,
            ],
        );
    });

    it("[L30] a container with no securityContext at all fails every per-container control, once each", async () => {
        const messages = (
            await violationsOf(
                policy,
                web((s) => {
                    s.containers.push({ name: "sidecar", image: "x" });
                    delete s.securityContext;
                }),
            )
        ).map((v) => v.message);
        const sidecar = messages
            .filter((m) => m.includes(`container "sidecar"`))
            .map((m) => /"([^"]+)": /.exec(m.slice(m.indexOf("Pod Security")))![1]);
        assert.deepEqual(sidecar.sort(), ["Capabilities", "Privilege Escalation", "Running as Non-root", "Seccomp"]);
    });

    it("[L30] is mandatory (an enforcing cluster rejects the pod) and not applicable to non-workload types", async () => {
        assert.equal(policy.enforcementLevel, "mandatory");
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
