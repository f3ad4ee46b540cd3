import { TYPES } from "../../policy/k8s";
import { automountServiceAccountToken as policy } from "../../policy/rules/automount-service-account-token";
import { compliantStack, expectMessages, record, stackWith } from "./fixtures";

const web = (change: (spec: Record<string, any>) => void) =>
    stackWith(TYPES.deployment, "web", (o) => change(o.spec.template.spec));
const mounted = (value: string, account: string) =>
    `Deployment "web" (spec.template.spec.automountServiceAccountToken): ${value}, so its pods get an API token for service account "${account}", which no RoleBinding or ClusterRoleBinding of the stack uses. Fix: set automountServiceAccountToken: false (or bind the account to the Role the pods need).`;

/** The web pods mounting the token of account "operator", and a RoleBinding of the stack naming `subjects`. */
const operatorBoundAs = (subjects: Record<string, string>[]) => [
    ...web((s) => {
        delete s.automountServiceAccountToken;
        s.serviceAccountName = "operator";
    }),
    record(TYPES.roleBinding, "operator", {
        metadata: { name: "operator", namespace: "shop" },
        roleRef: { kind: "Role", name: "leases" },
        subjects,
    }),
];

describe("policy automount-service-account-token [L30] (stack)", () => {
    it("[L30] passes pods with automountServiceAccountToken: false", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L30] warns when the token is mounted (unset, or true) and the account has no RBAC", async () => {
        await expectMessages(
            policy,
            web((s) => {
                delete s.automountServiceAccountToken;
            }),
            [mounted("not false", "default")],
        );
        await expectMessages(
            policy,
            web((s) => {
                s.automountServiceAccountToken = true;
                s.serviceAccountName = "web";
            }),
            [mounted("true", "web")],
        );
    });

    it("[L30] passes a mounted token whose account a RoleBinding of the stack names", async () => {
        await expectMessages(policy, operatorBoundAs([{ kind: "ServiceAccount", name: "operator" }]), []);
    });

    it("[L30] a binding to a user or group of the same name is no RBAC for the service account", async () => {
        const stack = operatorBoundAs([
            { kind: "User", name: "operator", namespace: "shop" },
            { kind: "Group", name: "operator", namespace: "shop" },
        ]);
        await expectMessages(policy, stack, [mounted("not false", "operator")]);
    });

    it("[L30] a ServiceAccount with automountServiceAccountToken: false covers its pods unless a pod sets true", async () => {
        const account = record(TYPES.serviceAccount, "web", {
            metadata: { name: "web", namespace: "shop" },
            automountServiceAccountToken: false,
        });
        await expectMessages(
            policy,
            [
                ...web((s) => {
                    delete s.automountServiceAccountToken;
                    s.serviceAccountName = "web";
                }),
                account,
            ],
            [],
        );
        await expectMessages(
            policy,
            [
                ...web((s) => {
                    s.automountServiceAccountToken = true;
                    s.serviceAccountName = "web";
                }),
                account,
            ],
            [mounted("true", "web")],
        );
    });
});
