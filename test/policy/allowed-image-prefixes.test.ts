import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { allowedImagePrefixes as policy } from "../../policy/rules/allowed-image-prefixes";
import {
    WORKLOAD_TYPES,
    assertAppliesOnlyTo,
    compliantStack,
    expectMessages,
    notApplicableTypes,
    stackWith,
} from "./fixtures";

const BASELINE_PREFIXES = ["quay.io/webstack/", "docker.io/library/redis"];
const packConfig = { "allowed-image-prefixes": { allowedPrefixes: BASELINE_PREFIXES } };

describe("policy allowed-image-prefixes [L20]", () => {
    it("[L20] is off (not applicable everywhere) until prefixes are configured", async () => {
        const stack = stackWith(TYPES.deployment, "web", (o) => {
            o.spec.template.spec.containers[0].image = "anything:1";
        });
        await expectMessages(policy, stack, []);
        assert.ok((await notApplicableTypes(policy, stack)).has(TYPES.deployment));
    });

    it("[L20] passes the baseline with its prefixes configured (Docker Hub names normalised)", async () => {
        await expectMessages(policy, compliantStack(), [], { packConfig });
    });

    it("[L20] an image passes by either spelling: as written (nginx) or as registry/repository (docker.io/redis/)", async () => {
        const images = (web: string | undefined) =>
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.template.spec.containers[0].image = web;
                o.spec.template.spec.containers.push({ name: "cache", image: "redis/redis-stack:7.4" });
            });
        const config = {
            packConfig: {
                "allowed-image-prefixes": {
                    allowedPrefixes: [...BASELINE_PREFIXES, "nginx", "docker.io/redis/"],
                },
            },
        };
        await expectMessages(policy, images("nginx:1.27"), [], config);
        // No image at all (left to an image trigger) is outside every prefix, and says so.
        await expectMessages(
            policy,
            images(undefined),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].image): "" is outside the allowed prefixes (quay.io/webstack/, docker.io/library/redis, nginx, docker.io/redis/). Fix: push the image under an allowed prefix and reference it there.`,
            ],
            config,
        );
    });

    it("[L20] rejects the second registry namespace (swe-fleet vs swe-ai-fleet)", async () => {
        const image = "registry.example.com/swe-fleet/planning:v3";
        await expectMessages(
            policy,
            stackWith(TYPES.deployment, "web", (o) => {
                o.spec.template.spec.containers[0].image = image;
            }),
            [
                `Deployment "web" container "app" (spec.template.spec.containers[0].image): "${image}" is outside the allowed prefixes (quay.io/webstack/, docker.io/library/redis, registry.example.com/swe-ai-fleet/). Fix: push the image under an allowed prefix and reference it there.`,
            ],
            {
                packConfig: {
                    "allowed-image-prefixes": {
                        allowedPrefixes: [...BASELINE_PREFIXES, "registry.example.com/swe-ai-fleet/"],
                    },
                },
            },
        );
    });

    it("[L20] once configured, is not applicable to non-workload types", async () => {
        await assertAppliesOnlyTo(policy, WORKLOAD_TYPES, { packConfig });
    });
});
