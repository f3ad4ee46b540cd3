// StaticSite: nginx-unprivileged under any UID with a read-only root (L02, L26), generated config in an
// auto-named ConfigMap, content from a volume or a content image (L08), version header from its own inputs (L24).
import * as assert from "assert";
import { WebStackArgError } from "../../components/errors";
import { StaticSite, StaticSiteArgs, staticSiteProblems } from "../../components/static-site";
import { Storage } from "../../components/storage";
import { recordResources, RecordedResource } from "../../offline/run-program";
import { assertRestricted, assertSchemaValid, one, outputValue } from "./support";

const CONTENT = `quay.io/acme/site@sha256:${"1".repeat(64)}`;
const BASE: StaticSiteArgs = { namespace: "demo", apiUpstream: "shop-api.demo.svc:5000", content: { image: CONTENT } };

async function site(args: Partial<StaticSiteArgs> = {}): Promise<RecordedResource[]> {
    return recordResources(() => {
        new StaticSite("shop-site", { ...BASE, ...args });
    });
}

function versionOf(resources: RecordedResource[]): string {
    const conf: string = one(resources, "ConfigMap", "shop-site").obj.data["nginx.conf"];
    const match = /X-Webstack-Version\W+([0-9a-f]{16})/.exec(conf);
    assert.ok(match, "version header in nginx.conf");
    return match[1];
}

describe("StaticSite (components/static-site.ts)", () => {
    it("L08 content image: an initContainer copies it into an emptyDir; any replica count, rolling (L03)", async () => {
        const resources = await site({ replicas: 3, content: { image: CONTENT, path: "/srv/www" } });
        assertSchemaValid(resources);
        const deployment = one(resources, "Deployment", "shop-site").obj;
        const pod = deployment.spec.template.spec;
        assert.strictEqual(deployment.spec.replicas, 3);
        assert.strictEqual(deployment.spec.strategy.type, "RollingUpdate");
        const [copy] = pod.initContainers;
        assert.strictEqual(copy.image, CONTENT);
        assert.deepStrictEqual(copy.command, ["cp", "-R", "/srv/www/.", "/content/"]);
        assert.deepStrictEqual(
            pod.volumes.find((v: any) => v.name === "content"),
            { name: "content", emptyDir: {} },
        );
        assertRestricted("site", pod);
    });

    it("L02/L26 nginx-unprivileged by digest on 8080, config mounted over nginx.conf, /tmp writable", async () => {
        const resources = await site();
        const pod = one(resources, "Deployment", "shop-site").obj.spec.template.spec;
        const nginx = pod.containers[0];
        assert.match(nginx.image, /^docker\.io\/nginxinc\/nginx-unprivileged(:[^@]+)?@sha256:65e3e85d/);
        assert.strictEqual(nginx.ports[0].containerPort, 8080);
        const confName = one(resources, "ConfigMap", "shop-site").obj.metadata.name;
        assert.deepStrictEqual(
            pod.volumes.find((v: any) => v.name === "conf"),
            { name: "conf", configMap: { name: confName } },
        );
        assert.ok(
            nginx.volumeMounts.some((m: any) => m.mountPath === "/etc/nginx/nginx.conf" && m.subPath === "nginx.conf"),
        );
        assert.ok(nginx.volumeMounts.some((m: any) => m.mountPath === "/tmp"));
        assert.match(one(resources, "ConfigMap", "shop-site").obj.data["nginx.conf"], /pid \/tmp\/nginx\.pid;/);
    });

    it("L24 the version changes with nginx's own inputs (content image, config) and is stable otherwise", async () => {
        const base = versionOf(await site());
        assert.strictEqual(versionOf(await site()), base, "same inputs ⇒ same version");
        assert.notStrictEqual(
            versionOf(await site({ content: { image: CONTENT.replace(/1{64}$/, "2".repeat(64)) } })),
            base,
        );
        assert.notStrictEqual(versionOf(await site({ corsOrigins: ["https://labs.example.com"] })), base);
    });

    it("config change ⇒ new ConfigMap name ⇒ new pod template", async () => {
        const before = await site();
        const after = await site({ ssePaths: ["/events", "/stream"] });
        const confName = (r: RecordedResource[]) =>
            one(r, "Deployment", "shop-site").obj.spec.template.spec.volumes.find((v: any) => v.name === "conf")
                .configMap.name;
        assert.notStrictEqual(confName(after), confName(before));
        assert.strictEqual(confName(before), one(before, "ConfigMap", "shop-site").obj.metadata.name);
    });

    it("rejects bad nginx options at construction with the field and fix", async () => {
        await assert.rejects(site({ corsOrigins: ["*"] }), /corsOrigins\[0\]: .*\(got "\*"\)\. Fix: /);
    });

    it("L24 a bad versionHeaderName is refused by the constructor itself, not later in an apply, under its own name", async () => {
        for (const name of ["X Version", "-X-Version"]) {
            let thrown: unknown;
            const resources = await recordResources(() => {
                try {
                    new StaticSite("shop-site", { ...BASE, versionHeaderName: name });
                } catch (err) {
                    thrown = err;
                }
            });
            assert.ok(thrown instanceof WebStackArgError, `${name}: thrown synchronously by the constructor`);
            assert.strictEqual(
                thrown.message,
                `versionHeaderName: must be an HTTP header name (letters, digits and -, not starting with -) (got ${JSON.stringify(name)}). Fix: e.g. "X-Webstack-Version" [L24]`,
            );
            assert.ok(!resources.some((r) => r.type === "kubernetes:core/v1:ConfigMap"), `${name}: nothing created`);
        }
    });
});

describe("StaticSite: what nginx may write, and where its content comes from", () => {
    it("L26 content and config are mounted read-only; only /tmp is writable", async () => {
        const pod = one(await site(), "Deployment", "shop-site").obj.spec.template.spec;
        const mounts = pod.containers[0].volumeMounts.map((m: any) => [m.name, m.mountPath, m.readOnly === true]);
        assert.deepStrictEqual(mounts, [
            ["conf", "/etc/nginx/nginx.conf", true],
            ["content", "/usr/share/nginx/html", true],
            ["tmp", "/tmp", false],
        ]);
        assert.strictEqual(pod.containers[0].ports[0].name, "http");
        // The copy step writes the content volume: its own mount is writable, at /content.
        assert.deepStrictEqual(pod.initContainers[0].volumeMounts, [{ name: "content", mountPath: "/content" }]);
    });

    it("L08 content from a claim: mounted read-only as it is, no copy step, no content image", async () => {
        let built: StaticSite | undefined;
        const resources = await recordResources(() => {
            const content = new Storage("content", { namespace: "demo" });
            built = new StaticSite("shop-site", { ...BASE, content: { storage: content } });
        });
        const pod = one(resources, "Deployment", "shop-site").obj.spec.template.spec;
        assert.strictEqual(pod.initContainers, undefined, "no empty initContainers list either");
        const claim = one(resources, "PersistentVolumeClaim", "content").obj.metadata.name;
        assert.deepStrictEqual(
            pod.volumes.find((v: any) => v.name === "content"),
            { name: "content", persistentVolumeClaim: { claimName: claim, readOnly: true } },
        );
        assert.deepStrictEqual(Object.keys(built!.images), ["nginx"]);
    });

    it("L12 images: the digest-pinned nginx and content images it deploys", async () => {
        let built: StaticSite | undefined;
        await recordResources(() => {
            built = new StaticSite("shop-site", BASE);
        });
        assert.deepStrictEqual(Object.keys(built!.images).sort(), ["content", "nginx"]);
        assert.strictEqual(await outputValue(built!.images.content!), CONTENT);
        assert.match(
            await outputValue(built!.images.nginx!),
            /^docker\.io\/nginxinc\/nginx-unprivileged@sha256:[0-9a-f]{64}$/,
        );
    });
});

describe("staticSiteProblems (components/static-site.ts): replicas, autoscaling and the content volume", () => {
    const field = "site.content.storage.accessMode";
    const rwoFix =
        "keep 1 replica with ReadWriteOnce, or set site.content.storage.accessMode to ReadWriteMany (on a StorageClass that offers it), or serve content from a content image";

    it("L21 replicas beside autoscaling is a conflict; an autoscaler's own rules name its path", () => {
        assert.deepStrictEqual(staticSiteProblems({ replicas: 2, autoscaling: { min: 2, max: 3 } }, "site.", field), [
            {
                field: "site.replicas",
                problem: "conflicts with site.autoscaling (the HPA owns the replica count)",
                got: 2,
                fix: "remove site.replicas",
                remove: true,
            },
        ]);
        const [bounds] = staticSiteProblems({ autoscaling: { min: 3, max: 2 } }, "site.", field);
        assert.match(bounds.field, /^site\.autoscaling\./);
    });

    it("replicas must be a whole number of at least 1", () => {
        for (const replicas of [0, 1.5, -1]) {
            assert.deepStrictEqual(staticSiteProblems({ replicas }, "site.", field), [
                {
                    field: "site.replicas",
                    problem: "must be an integer ≥ 1",
                    got: replicas,
                    fix: "set site.replicas to 1 or more",
                    suggested: "1",
                },
            ]);
        }
        assert.deepStrictEqual(staticSiteProblems({ replicas: 1 }, "site.", field), []);
        assert.deepStrictEqual(staticSiteProblems({}, "site.", field), []);
    });

    it("L03 a ReadWriteOnce volume: the replica setting that breaks it is named, autoscaling.min under an HPA", () => {
        assert.deepStrictEqual(
            staticSiteProblems({ accessMode: "ReadWriteOnce", replicas: 3 }, "site.", field).map((p) => [
                p.field,
                p.fix,
            ]),
            [["site.replicas", rwoFix]],
        );
        assert.deepStrictEqual(
            staticSiteProblems({ accessMode: "ReadWriteOnce", autoscaling: { min: 2, max: 3 } }, "site.", field).map(
                (p) => p.field,
            ),
            ["site.autoscaling.min", "site.autoscaling.max"],
        );
        assert.deepStrictEqual(staticSiteProblems({ accessMode: "ReadWriteMany", replicas: 3 }, "site.", field), []);
    });
});
