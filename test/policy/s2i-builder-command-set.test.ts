import { TYPES } from "../../policy/k8s";
import { s2iBuilderCommandSet as policy } from "../../policy/rules/s2i-builder-command-set";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

const S2I_IMAGE = `registry.access.redhat.com/ubi9/python-311@sha256:${"b".repeat(64)}`;
const withoutCommand = (image: string) =>
    stackWith(TYPES.deployment, "web", (o) => {
        o.spec.template.spec.containers[0].image = image;
        delete o.spec.template.spec.containers[0].command;
    });

describe("policy s2i-builder-command-set [L01]", () => {
    it("[L01] passes the baseline, and an S2I builder image that sets command", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.template.spec.containers[0].image = S2I_IMAGE;
            }),
            [],
        );
    });

    it("[L01] rejects ubi9/python-311 without command (the Flask dev server on 8080 incident)", async () => {
        await expectMessages(policy, withoutCommand(S2I_IMAGE), [
            `Deployment "web" container "app" (spec.template.spec.containers[0].command): image "${S2I_IMAGE}" is an S2I builder (matches "registry.access.redhat.com/ubi*/python-*") and no command is set, so its S2I run script starts instead of the app. Fix: set command to the app's real start command.`,
        ]);
    });

    it("[L01] an empty command counts as unset; ubi8 nodejs matches by default", async () => {
        const image = "registry.redhat.io/ubi8/nodejs-20:latest";
        const stack = stackWith(TYPES.job, "migrate", (o) => {
            o.spec.template.spec.containers[0].image = image;
            o.spec.template.spec.containers[0].command = [];
        });
        await expectMessages(policy, stack, [
            `Job "migrate" container "app" (spec.template.spec.containers[0].command): image "${image}" is an S2I builder (matches "registry.redhat.io/ubi*/nodejs-*") and no command is set, so its S2I run script starts instead of the app. Fix: set command to the app's real start command.`,
        ]);
    });

    it("[L01] builderImages comes from policy config (replaces the defaults)", async () => {
        const image = `quay.io/acme/s2i-go@${"sha256:" + "c".repeat(64)}`;
        const packConfig = { "s2i-builder-command-set": { builderImages: ["quay.io/acme/s2i-*"] } };
        await expectMessages(
            policy,
            withoutCommand(image),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].command): image "${image}" is an S2I builder (matches "quay.io/acme/s2i-*") and no command is set, so its S2I run script starts instead of the app. Fix: set command to the app's real start command.`,
            ],
            { packConfig },
        );
        await expectMessages(policy, withoutCommand(S2I_IMAGE), [], { packConfig });
    });

    it("[L01] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
