// The local control plane itself, without Pulumi: loopback only, kwok's stages, the attach stand-in (README
// "Local cluster"). What the Pulumi tests (stacks.test.ts) rely on, checked with plain kubectl. All of it is about
// the local cluster's own parts, so with WEBSTACK_TEST_KUBECONFIG (another cluster) every test here is skipped.
import * as assert from "assert";
import { restrictedNamespace } from "../../tools/cluster/cluster";
import { isLoopback, listenersOf, localClusterOnly, ON_EXTERNAL_CLUSTER, suiteCluster, until } from "./support/cluster";
import { kubectl, kubectlApply, kubectlJson } from "./support/pulumi";

// Its own namespace (restricted, like the stacks' ones): the Pulumi tests then find the stack namespaces as cluster:up left them.
const NS = "webstack-selftest";
const restricted = {
    pod: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    container: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
};
const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe("local control plane (kubectl only)", function () {
    before(function () {
        if (ON_EXTERNAL_CLUSTER) {
            return; // nothing here runs there: create nothing
        }
        kubectlApply([restrictedNamespace(NS)]);
    });

    after(function () {
        if (!ON_EXTERNAL_CLUSTER) {
            kubectl("delete", "namespace", NS, "--wait=false");
        }
    });

    it("binds nothing beyond 127.0.0.1 (etcd, kube-apiserver, controller-manager, scheduler, kwok, attach)", function () {
        localClusterOnly(this, "another cluster's control plane is not a process of this machine");
        const listeners = listenersOf(Object.values(suiteCluster()!.pids));
        assert.ok(listeners.length >= 2, `expected etcd and kube-apiserver listeners, got ${listeners.join(", ")}`);
        assert.deepStrictEqual(
            listeners.filter((l) => !isLoopback(l)),
            [],
            `listeners beyond loopback: ${listeners.join(", ")}`,
        );
    });

    it("L13: kwok completes a Job's pod, and fails it (BackoffLimitExceeded) when its command is `false`", async function () {
        localClusterOnly(
            this,
            "kwok's stages complete and fail the pods of made-up images; a real node would pull them",
        );
        const job = (name: string, command: string[]) => ({
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name, namespace: NS },
            spec: {
                backoffLimit: 1,
                template: {
                    spec: {
                        restartPolicy: "Never",
                        securityContext: restricted.pod,
                        containers: [
                            {
                                name: "m",
                                image: `registry.invalid/m@${digest("1")}`,
                                command,
                                securityContext: restricted.container,
                            },
                        ],
                    },
                },
            },
        });
        kubectlApply([job("migrate-ok", ["flask", "db", "upgrade"]), job("migrate-broken", ["false"])]);
        const condition = (name: string) => () => {
            const status = kubectlJson("get", "job", name, "-n", NS).status;
            return status.conditions?.find(
                (c: any) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
            );
        };
        assert.strictEqual((await until("migrate-ok to finish", 120, condition("migrate-ok"))).type, "Complete");
        const failed = await until("migrate-broken to finish", 180, condition("migrate-broken"));
        assert.deepStrictEqual([failed.type, failed.reason], ["Failed", "BackoffLimitExceeded"]);
        assert.strictEqual(
            kubectlJson("get", "job", "migrate-broken", "-n", NS).status.failed,
            2,
            "backoffLimit 1: two pods failed",
        );
    });

    it("L03: a ReadWriteOnce claim shared by 3 replicas: the pods on the second node stay Pending with a Multi-Attach event", async function () {
        localClusterOnly(this, "the Multi-Attach event comes from tools/cluster/attach.ts, the local stand-in");
        kubectlApply([
            {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: "static-files", namespace: NS },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } },
            },
            {
                apiVersion: "apps/v1",
                kind: "Deployment",
                metadata: { name: "rwo-nginx", namespace: NS },
                spec: {
                    replicas: 3,
                    selector: { matchLabels: { app: "rwo-nginx" } },
                    template: {
                        metadata: { labels: { app: "rwo-nginx" } },
                        spec: {
                            securityContext: restricted.pod,
                            containers: [
                                {
                                    name: "nginx",
                                    image: `registry.invalid/nginx@${digest("2")}`,
                                    securityContext: restricted.container,
                                    volumeMounts: [{ name: "static", mountPath: "/usr/share/nginx/html" }],
                                },
                            ],
                            volumes: [{ name: "static", persistentVolumeClaim: { claimName: "static-files" } }],
                        },
                    },
                },
            },
        ]);
        const pods = await until("3 scheduled pods, at least one Ready", 120, () => {
            const items = kubectlJson<{ items: any[] }>("get", "pods", "-n", NS, "-l", "app=rwo-nginx").items;
            const ready = items.filter((p) =>
                p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"),
            );
            return items.length === 3 && items.every((p) => p.spec.nodeName) && ready.length > 0
                ? { items, ready }
                : undefined;
        });
        await new Promise((resolve) => setTimeout(resolve, 5000)); // what is not Ready now will not become Ready
        const items = kubectlJson<{ items: any[] }>("get", "pods", "-n", NS, "-l", "app=rwo-nginx").items;
        const ready = items.filter((p) =>
            p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"),
        );
        const holder = ready[0].spec.nodeName;
        assert.ok(
            ready.every((p) => p.spec.nodeName === holder),
            "every Ready pod is on the node holding the claim",
        );
        const stuck = items.filter((p) => !ready.includes(p));
        assert.ok(pods.items.length === 3);
        assert.ok(
            stuck.length >= 1,
            `the scheduler spread the 3 pods over both nodes: ${items.map((p) => `${p.metadata.name}@${p.spec.nodeName}`).join(", ")}`,
        );
        for (const pod of stuck) {
            assert.strictEqual(pod.status.phase, "Pending");
            assert.notStrictEqual(pod.spec.nodeName, holder);
            const events = kubectl(
                "get",
                "events",
                "-n",
                NS,
                "--field-selector",
                `involvedObject.name=${pod.metadata.name},reason=FailedAttachVolume`,
                "-o",
                "jsonpath={.items[*].message}",
            );
            assert.match(events, /Multi-Attach error for volume "[^"]+" Volume is already used by pod\(s\)/);
        }
    });
});
