import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { podReferencesDeclared as policy } from "../../policy/rules/pod-references-declared";
import { compliantStack, expectMessages, kinds, record, stackWith, violationsOf } from "./fixtures";

/** The compliant stack without the Secret "api" its containers read API_TOKEN from. */
const withoutApiSecret = () => compliantStack().filter((r) => r.type !== TYPES.secret);
const web = (change: (spec: Record<string, any>) => void) =>
    stackWith(TYPES.deployment, "web", (o) => change(o.spec.template.spec));
const ENV_HANG = "the container stays in CreateContainerConfigError and the rollout hangs";

describe("policy pod-references-declared [L15]", () => {
    it("[L15] passes when every referenced ConfigMap/Secret is declared", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L15] reports a secretKeyRef to an undeclared Secret in every workload that uses it", async () => {
        const v = await violationsOf(policy, withoutApiSecret());
        assert.equal(v.length, 7); // every workload of the fixture reads API_TOKEN, except Redis (no env)
        assert.equal(
            v.find((x) => x.message.startsWith(`Deployment "web"`))!.message,
            `Deployment "web" container "app" (spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.name): Secret "api" is not declared in namespace "shop" of this stack; unless something else creates it, ${ENV_HANG}. Fix: declare the Secret in the program and use its metadata.name, mark the reference optional: true, or add "api" to externalNames.`,
        );
    });

    it("[L15] externalNames (globs) silences objects created outside the program", async () => {
        await expectMessages(policy, withoutApiSecret(), [], {
            packConfig: { "pod-references-declared": { externalNames: ["ap*"] } },
        });
    });

    it("[L15] reports volumes, projected sources and envFrom, and skips optional references", async () => {
        await expectMessages(
            policy,
            web((s) => {
                s.volumes.push(
                    { name: "conf", configMap: { name: "confg" } },
                    { name: "opt", secret: { secretName: "maybe", optional: true } },
                    {
                        name: "all",
                        projected: { sources: [{ configMap: { name: "config" } }, { secret: { name: "tls" } }] },
                    },
                );
                s.containers[0].envFrom = [
                    { configMapRef: { name: "env" } },
                    { secretRef: { name: "opt", optional: true } },
                ];
            }),
            [
                `Deployment "web" (spec.template.spec.volumes[1].configMap.name): ConfigMap "confg" is not declared in namespace "shop" of this stack; unless something else creates it, the pod stays in ContainerCreating (FailedMount) and the rollout hangs. Fix: declare the ConfigMap in the program and use its metadata.name, mark the reference optional: true, or add "confg" to externalNames.`,
                `Deployment "web" (spec.template.spec.volumes[3].projected.sources[1].secret.name): Secret "tls" is not declared in namespace "shop" of this stack; unless something else creates it, the pod stays in ContainerCreating (FailedMount) and the rollout hangs. Fix: declare the Secret in the program and use its metadata.name, mark the reference optional: true, or add "tls" to externalNames.`,
                `Deployment "web" container "app" (spec.template.spec.containers[0].envFrom[0].configMapRef.name): ConfigMap "env" is not declared in namespace "shop" of this stack; unless something else creates it, ${ENV_HANG}. Fix: declare the ConfigMap in the program and use its metadata.name, mark the reference optional: true, or add "env" to externalNames.`,
            ],
        );
    });

    it("[L15] names the exact field of each kind of reference: secret volume, projected ConfigMap, configMapKeyRef, envFrom secretRef", async () => {
        const MOUNT_HANG = "the pod stays in ContainerCreating (FailedMount) and the rollout hangs";
        const missing = (kind: string, name: string, hang: string) =>
            `${kind} "${name}" is not declared in namespace "shop" of this stack; unless something else creates it, ${hang}. Fix: declare the ${kind} in the program and use its metadata.name, mark the reference optional: true, or add "${name}" to externalNames.`;
        await expectMessages(
            policy,
            web((s) => {
                s.volumes.push(
                    { name: "certs", secret: { secretName: "certs" } },
                    { name: "all", projected: { sources: [{ configMap: { name: "bundle" } }] } },
                );
                s.containers[0].env.push({
                    name: "MODE",
                    valueFrom: { configMapKeyRef: { name: "modes", key: "mode" } },
                });
                s.containers[0].envFrom = [{ secretRef: { name: "db" } }];
            }),
            [
                `Deployment "web" (spec.template.spec.volumes[1].secret.secretName): ${missing("Secret", "certs", MOUNT_HANG)}`,
                `Deployment "web" (spec.template.spec.volumes[2].projected.sources[0].configMap.name): ${missing("ConfigMap", "bundle", MOUNT_HANG)}`,
                `Deployment "web" container "app" (spec.template.spec.containers[0].env[2].valueFrom.configMapKeyRef.name): ${missing("ConfigMap", "modes", ENV_HANG)}`,
                `Deployment "web" container "app" (spec.template.spec.containers[0].envFrom[0].secretRef.name): ${missing("Secret", "db", ENV_HANG)}`,
            ],
        );
    });

    it('[L15] reports a serviceAccountName that is not declared ("default" always exists)', async () => {
        await expectMessages(
            policy,
            web((s) => {
                s.serviceAccountName = "default";
            }),
            [],
        );
        await expectMessages(
            policy,
            [
                ...web((s) => {
                    s.serviceAccountName = "web";
                }),
                record(TYPES.serviceAccount, "web", { metadata: { name: "web", namespace: "shop" } }),
            ],
            [],
        );
        await expectMessages(
            policy,
            web((s) => {
                s.serviceAccountName = "web";
            }),
            [
                `Deployment "web" (spec.template.spec.serviceAccountName): ServiceAccount "web" is not declared in namespace "shop" of this stack; unless something else creates it, the controller cannot create the pods (FailedCreate: serviceaccount not found) and the rollout hangs. Fix: declare the ServiceAccount in the program and use its metadata.name, or add "web" to externalNames.`,
            ],
        );
    });

    it("[L15] a ConfigMap of the same name in another namespace does not count", async () => {
        const stack = web((s) => {
            s.volumes.push({ name: "conf", configMap: { name: "config" } });
        }).map((r) =>
            r.type === TYPES.configMap
                ? record(TYPES.configMap, "config", {
                      ...kinds.configMap(),
                      metadata: { ...kinds.configMap().metadata, namespace: "other" },
                  })
                : r,
        );
        assert.equal((await violationsOf(policy, stack)).length, 1);
    });
});
