// StaticSite: nginx-unprivileged under any UID with a read-only root (L02, L26), generated config in an
// auto-named ConfigMap, content from a volume or a content image (L08), version header from its own inputs (L24).
import * as assert from "assert";
import { WebStackArgError } from "../../components/errors";
import { StaticSite, StaticSiteArgs } from "../../components/static-site";
import { recordResources, RecordedResource } from "../../offline/run-program";
import { assertRestricted, assertSchemaValid, one } from "./support";

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
