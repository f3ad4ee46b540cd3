// WebStack: the rules across its parts (image registries L06/L12, platform vs route L05/L31) and how it wires the
// parts together (components/web-stack.ts).
import * as assert from "assert";
import { INTERNAL_REGISTRY_HOST } from "../../components/facts";
import { REDIS_IMAGE_UID } from "../../components/redis";
import {
    defaultRouteKind,
    siteContentSchema,
    WebStack,
    WebStackArgs,
    webStackProblems,
} from "../../components/web-stack";
import { recordResources } from "../../offline/run-program";
import { one, pinned, selects } from "./support";

const BASE: WebStackArgs = {
    namespace: "demo",
    api: { image: pinned("quay.io/acme/api", "a"), command: ["gunicorn", "app:app"] },
    site: { content: { image: pinned("quay.io/acme/site", "b") } },
};
const fields = (args: WebStackArgs) => webStackProblems(args).map((p) => p.field);

describe("WebStack (components/web-stack.ts)", () => {
    it("L06 an image in another namespace's internal registry is refused, one in the stack's own accepted", () => {
        const internal = (namespace: string) => `${INTERNAL_REGISTRY_HOST}/${namespace}/api@sha256:${"c".repeat(64)}`;
        assert.deepStrictEqual(fields({ ...BASE, api: { ...BASE.api, image: internal("demo") } }), []);
        const [problem, ...more] = webStackProblems({ ...BASE, api: { ...BASE.api, image: internal("shop-dev") } });
        assert.deepStrictEqual(more, []);
        assert.deepStrictEqual(
            [problem.field, problem.got, problem.lessons],
            ["api.image", internal("shop-dev"), ["L06"]],
        );
        assert.strictEqual(
            problem.problem,
            'points at the internal registry of namespace "shop-dev", which pods in "demo" cannot pull',
        );
        assert.match(
            problem.fix,
            /^push or tag the image into demo \(oc tag shop-dev\/<image>@sha256:<digest> demo\/<image>:<tag>\)/,
        );
        // An image path without a namespace segment names no namespace.
        assert.deepStrictEqual(fields({ ...BASE, api: { ...BASE.api, image: `${INTERNAL_REGISTRY_HOST}/api:1` } }), []);
    });

    it("L12 requireImageDigests refuses every image given by tag, naming its path; without it tags pass", () => {
        const tagged: WebStackArgs = {
            ...BASE,
            api: { ...BASE.api, image: "quay.io/acme/api:1.4" },
            site: { content: { image: "quay.io/acme/site:1.4" } },
        };
        assert.deepStrictEqual(fields(tagged), []);
        assert.deepStrictEqual(fields({ ...tagged, requireImageDigests: true }), ["api.image", "site.content.image"]);
        assert.deepStrictEqual(fields({ ...BASE, requireImageDigests: true }), []);
    });

    it("L05/L31 platform kubernetes takes an Ingress and may name the ingress namespace; OpenShift neither", () => {
        assert.strictEqual(defaultRouteKind("openshift"), "openshift");
        assert.strictEqual(defaultRouteKind("kubernetes"), "ingress");
        assert.deepStrictEqual(fields({ ...BASE, platform: "kubernetes", route: { ingressNamespace: "traefik" } }), []);
        const [kind] = webStackProblems({ ...BASE, platform: "kubernetes", route: { kind: "openshift" } });
        assert.deepStrictEqual([kind.field, kind.suggested, kind.lessons], ["route.kind", "ingress", ["L05"]]);
        const [namespace] = webStackProblems({ ...BASE, route: { ingressNamespace: "traefik" } });
        assert.deepStrictEqual(
            [namespace.field, namespace.got, namespace.remove, namespace.lessons],
            ["route.ingressNamespace", "traefik", true, ["L31"]],
        );
        // The route's own rules run with the platform's kind: TLS on the default Ingress needs a host.
        assert.deepStrictEqual(fields({ ...BASE, platform: "kubernetes", route: { tlsSecretName: "tls" } }), [
            "route.tlsSecretName",
        ]);
    });

    it("L05/L31 the constructor refuses what only the whole stack can see, with every other problem at once", async () => {
        await assert.rejects(
            recordResources(() => {
                new WebStack("shop", {
                    ...BASE,
                    platform: "kubernetes",
                    route: { kind: "openshift" },
                    api: { ...BASE.api, replicas: 1 },
                });
            }),
            (err: Error) => {
                assert.match(err.message, /route\.kind: an OpenShift Route needs platform openshift/);
                assert.match(err.message, /api\.replicas: the API runs at least 2 replicas/);
                return true;
            },
        );
    });

    it("L31 each allow rule selects its hop's pods and admits exactly the pods of the hop before, on the port served", async () => {
        const resources = await recordResources(() => {
            new WebStack("shop", { ...BASE, migration: { command: ["migrate"] } });
        });
        const pods = (kind: string, name: string) => one(resources, kind, name).obj.spec.template;
        // An empty selector selects every pod: no hop.
        const selectsHop = (selector: Record<string, string>, labels: Record<string, string>) =>
            Object.keys(selector).length > 0 && selects(selector, labels);
        const hops: [string, [string, string], [string, string] | undefined][] = [
            ["site-from-ingress", ["Deployment", "shop-site"], undefined],
            ["api-from-site", ["Deployment", "shop-api"], ["Deployment", "shop-site"]],
            ["redis-from-api", ["StatefulSet", "shop-redis"], ["Deployment", "shop-api"]],
        ];
        for (const [suffix, [kind, name], client] of hops) {
            const spec = one(resources, "NetworkPolicy", `shop-netpol-${suffix}`).obj.spec;
            const target = pods(kind, name);
            assert.ok(selectsHop(spec.podSelector.matchLabels, target.metadata.labels), `${suffix} selects ${name}`);
            assert.deepStrictEqual(
                spec.ingress[0].ports,
                [{ protocol: "TCP", port: target.spec.containers[0].ports[0].containerPort }],
                `${suffix}: the port ${name} serves`,
            );
            if (client) {
                const from = spec.ingress[0].from[0].podSelector.matchLabels;
                assert.ok(selectsHop(from, pods(...client).metadata.labels), `${suffix} admits ${client[1]}`);
                assert.ok(!selectsHop(from, target.metadata.labels), `${suffix} does not admit ${name} itself`);
            }
        }
        // Redis also admits the migration Job's pods, and only them besides the API's.
        const jobs = resources.filter((r) => r.type === "kubernetes:batch/v1:Job");
        assert.strictEqual(jobs.length, 1);
        const jobPods = (jobs[0].inputs as any).spec.template.metadata.labels;
        const [, migrationPeer] = one(resources, "NetworkPolicy", "shop-netpol-redis-from-api").obj.spec.ingress[0]
            .from;
        assert.ok(selectsHop(migrationPeer.podSelector.matchLabels, jobPods), "redis admits the migration Job");
        assert.ok(!selectsHop(migrationPeer.podSelector.matchLabels, pods("Deployment", "shop-site").metadata.labels));
    });

    it("L03 a content volume's size and access mode are checked under site.content.volume", () => {
        assert.deepStrictEqual(fields({ ...BASE, site: { content: { volume: { size: "lots" } } } }), [
            "site.content.volume.size",
        ]);
        assert.deepStrictEqual(fields({ ...BASE, site: { content: { volume: {} }, replicas: 3 } }), []);
        assert.deepStrictEqual(
            fields({ ...BASE, site: { content: { volume: { accessMode: "ReadWriteOnce" } }, replicas: 3 } }),
            ["site.replicas"],
        );
        assert.deepStrictEqual(
            fields({ ...BASE, migration: { command: ["migrate"], backoffLimit: 9 }, redis: { storageSize: "x" } }),
            ["migration.backoffLimit", "redis.storageSize"],
        );
    });

    it("site content is exactly one of a volume or an image, and a path only with an image", () => {
        assert.deepStrictEqual(siteContentSchema.parse({ volume: { size: "2Gi" } }), { volume: { size: "2Gi" } });
        assert.deepStrictEqual(siteContentSchema.parse({ image: "quay.io/acme/site:1", path: "/www" }), {
            image: "quay.io/acme/site:1",
            path: "/www",
        });
        const issues = (content: unknown) =>
            siteContentSchema.safeParse(content).error?.issues.map((i) => [i.path.join("."), i.message]);
        assert.deepStrictEqual(issues({}), [["", "needs exactly one of volume or image"]]);
        assert.deepStrictEqual(issues({ volume: {}, image: "quay.io/acme/site:1" }), [
            ["", "needs exactly one of volume or image"],
        ]);
        assert.deepStrictEqual(issues({ volume: {}, path: "/www" }), [["path", "only applies to a content image"]]);
    });

    it("L05/L30/L31 on kubernetes: an Ingress, the Redis pod as the image's own user, ingress admitted from the named namespace", async () => {
        const resources = await recordResources(() => {
            new WebStack("shop", {
                ...BASE,
                platform: "kubernetes",
                route: { host: "shop.example.com", tlsSecretName: "shop-tls", ingressNamespace: "traefik" },
            });
        });
        assert.ok(one(resources, "Ingress", "shop-route"));
        const redis = one(resources, "StatefulSet", "shop-redis").obj.spec.template.spec;
        assert.strictEqual(redis.securityContext.runAsUser, REDIS_IMAGE_UID);
        assert.deepStrictEqual(
            one(resources, "NetworkPolicy", "shop-netpol-site-from-ingress").obj.spec.ingress[0].from,
            [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } } }],
        );
    });

    it("L13/L23/L31 outputs: the pod selector, the declared schema version; the migration may reach Redis", async () => {
        let stack: WebStack | undefined;
        const resources = await recordResources(() => {
            stack = new WebStack("shop", { ...BASE, migration: { command: ["migrate"], schemaVersion: 5 } });
        });
        assert.strictEqual(stack!.podSelector, "app.kubernetes.io/part-of=shop,app.kubernetes.io/instance=shop-dev");
        assert.strictEqual(stack!.schemaVersion, 5);
        const redisFrom = one(resources, "NetworkPolicy", "shop-netpol-redis-from-api").obj.spec.ingress[0].from;
        assert.strictEqual(redisFrom.length, 2, "the API and the migration Job");
        assert.ok(one(resources, "Route", "shop-route"), "OpenShift by default: a Route");
        let plain: WebStack | undefined;
        await recordResources(() => {
            plain = new WebStack("shop", { ...BASE, migration: { command: ["migrate"] } });
        });
        assert.strictEqual(plain!.schemaVersion, 0);
    });

    it("L03/L32 a content volume becomes the stack's own protected claim, mounted by the site", async () => {
        const resources = await recordResources(() => {
            new WebStack("shop", { ...BASE, site: { content: { volume: { size: "2Gi" } } } });
        });
        const pvc = one(resources, "PersistentVolumeClaim", "shop-content");
        assert.deepStrictEqual(
            [pvc.obj.spec.resources.requests.storage, pvc.obj.metadata.labels["app.kubernetes.io/part-of"]],
            ["2Gi", "shop"],
        );
        const volumes = one(resources, "Deployment", "shop-site").obj.spec.template.spec.volumes;
        assert.ok(volumes.some((v: any) => v.persistentVolumeClaim?.claimName === "shop-content"));
    });

    it("every object is a child of the component that makes it, named after it (its URN moves with the component)", async () => {
        const resources = await recordResources(() => {
            for (const platform of ["openshift", "kubernetes"] as const) {
                new WebStack(platform, {
                    ...BASE,
                    platform,
                    api: { ...BASE.api, autoscaling: { min: 2, max: 4 } },
                    migration: { command: ["migrate"] },
                    site: { content: { volume: { size: "2Gi" } } },
                });
            }
        });
        assert.ok(
            one(resources, "Ingress", "kubernetes-route") && one(resources, "HorizontalPodAutoscaler", "openshift-api"),
        );
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const objects = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        assert.ok(objects.length > 10, `${objects.length} objects`);
        for (const object of objects) {
            const parent = byUrn.get(object.parent ?? "");
            if (!parent?.type.startsWith("webstack:index:")) {
                assert.fail(`${object.type} ${object.name}: parent ${parent?.type}`);
            }
            assert.ok(object.name.startsWith(parent.name), `${object.type} ${object.name} under ${parent.name}`);
        }
        for (const component of resources.filter(
            (r) => r.type.startsWith("webstack:index:") && r.type !== "webstack:index:WebStack",
        )) {
            assert.ok(
                byUrn.get(component.parent ?? "")?.type.startsWith("webstack:index:"),
                `${component.type} ${component.name}`,
            );
        }
    });
});
