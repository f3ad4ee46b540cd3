import { TYPES } from "../../policy/k8s";
import { imagesDigestPinned as policy } from "../../policy/rules/images-digest-pinned";
import {
    POD_SPEC_PATH,
    WORKLOAD_CASES,
    WORKLOAD_TYPES,
    assertAppliesOnlyTo,
    compliantStack,
    expectMessages,
    stackWith,
} from "./fixtures";

const fix = `is not pinned by digest; a mutable tag like ":main" never rolls the pods. Fix: use "<repo>@sha256:<64 hex digest>" (resolve the tag at preview).`;

describe("policy images-digest-pinned [L12]", () => {
    it("[L12] passes the digest-pinned baseline of every kind", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    for (const c of WORKLOAD_CASES) {
        it(`[L12] rejects a :main tag on a ${c.kind} container`, async () => {
            let name = "";
            const stack = stackWith(c.type, c.name, (o) => {
                name = c.podSpec(o).containers[0].name;
                c.podSpec(o).containers[0].image = "quay.io/webstack/api:main";
            });
            await expectMessages(policy, stack, [
                `${c.kind} "${c.name}" container "${name}" (${POD_SPEC_PATH[c.kind]}.containers[0].image): "quay.io/webstack/api:main" ${fix}`,
            ]);
        });
    }

    it("[L12] rejects an unpinned initContainer", async () => {
        const stack = stackWith(TYPES.deployment, "web", (o) => {
            o.spec.template.spec.initContainers = [{ name: "wait", image: "busybox:1.36" }];
        });
        await expectMessages(policy, stack, [
            `Deployment "web" initContainer "wait" (spec.template.spec.initContainers[0].image): "busybox:1.36" ${fix}`,
        ]);
    });

    it("[L12] rejects a truncated digest", async () => {
        const stack = stackWith(TYPES.pod, "debug", (o) => {
            o.spec.containers[0].image = "quay.io/webstack/api@sha256:abc123";
        });
        await expectMessages(policy, stack, [
            `Pod "debug" container "app" (spec.containers[0].image): "quay.io/webstack/api@sha256:abc123" ${fix}`,
        ]);
    });

    it("[L12] rejects a container without image (nothing pins what an image trigger fills in)", async () => {
        const stack = stackWith(TYPES.pod, "debug", (o) => {
            delete o.spec.containers[0].image;
        });
        await expectMessages(policy, stack, [`Pod "debug" container "app" (spec.containers[0].image): "" ${fix}`]);
    });

    it("[L12] is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES);
    });
});
