import { TYPES } from "../../policy/k8s";
import { noRootOnlyImages as policy } from "../../policy/rules/no-root-only-images";
import { WORKLOAD_TYPES, assertAppliesOnlyTo, compliantStack, expectMessages, stackWith } from "./fixtures";

const fix =
    "needs root and fails under a non-root or arbitrary UID (permission denied on its cache and pid paths). Fix: use an unprivileged image, e.g. nginxinc/nginx-unprivileged listening on 8080.";

describe("policy no-root-only-images [L02]", () => {
    it("[L02] passes the baseline and nginxinc/nginx-unprivileged", async () => {
        await expectMessages(policy, compliantStack(), []);
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.template.spec.containers[0].image = "nginxinc/nginx-unprivileged:1.27-alpine";
            }),
            [],
        );
    });

    for (const image of ["nginx:1.27-alpine", "docker.io/library/nginx:alpine", "httpd:2.4"]) {
        it(`[L02] rejects ${image}`, async () => {
            await expectMessages(
                policy,
                stackWith(TYPES.deployment, "web", (o) => {
                    o.spec.template.spec.containers[0].image = image;
                }),
                [`Deployment "web" container "app" (spec.template.spec.containers[0].image): "${image}" ${fix}`],
            );
        });
    }

    it("[L02] the list of root-only images is configurable", async () => {
        const stack = stackWith(TYPES.pod, "debug", (o) => {
            o.spec.containers[0].image = "docker.io/library/caddy:2";
        });
        await expectMessages(policy, stack, []);
        await expectMessages(
            policy,
            stack,
            [`Pod "debug" container "app" (spec.containers[0].image): "docker.io/library/caddy:2" ${fix}`],
            { packConfig: { "no-root-only-images": { rootOnlyImages: ["docker.io/library/caddy"] } } },
        );
    });

    it("[L02] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
