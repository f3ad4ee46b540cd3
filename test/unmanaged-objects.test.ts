import * as assert from "node:assert";
import { LiveObject, StateResource, unmanagedObjects, unmanagedText } from "../scripts/unmanaged-objects";

const NS = "qr-demo-dev";
const live = (kind: string, name: string, extra: Partial<LiveObject["metadata"]> = {}, type?: string): LiveObject => ({
    kind,
    metadata: { name, namespace: NS, ...extra },
    ...(type ? { type } : {}),
});
const state = (kind: string, name: string, outputs: StateResource["outputs"] = {}): StateResource => ({
    type: `kubernetes:apps/v1:${kind}`,
    id: `${NS}/${name}`,
    outputs: { metadata: { name, namespace: NS }, ...outputs },
});

/** The dev stack as the cluster holds it, with everything the cluster adds on its own. */
const STATE: StateResource[] = [
    { type: "pulumi:pulumi:Stack", id: undefined },
    state("Deployment", "north-api"),
    state("StatefulSet", "north-redis", { spec: { volumeClaimTemplates: [{ metadata: { name: "data" } }] } }),
    {
        type: "kubernetes:core/v1:Service",
        id: `${NS}/north-api`,
        outputs: { metadata: { name: "north-api", namespace: NS } },
    },
];
const CLUSTER_MADE: LiveObject[] = [
    live("Deployment", "north-api"),
    live("StatefulSet", "north-redis"),
    live("Service", "north-api"),
    live("ReplicaSet", "north-api-6f7d", { ownerReferences: [{ kind: "Deployment", name: "north-api" }] }),
    live("Pod", "north-redis-0", { ownerReferences: [{ kind: "StatefulSet", name: "north-redis" }] }),
    live("PersistentVolumeClaim", "data-north-redis-0"),
    live("ServiceAccount", "default"),
    live("ConfigMap", "kube-root-ca.crt"),
    live("RoleBinding", "system:image-pullers"),
    live("Secret", "builder-dockercfg-x7", { annotations: { "kubernetes.io/service-account.name": "builder" } }),
];

describe("unmanaged objects in a stack's namespace (postmortem 002, L14): what no stack holds, advisory", function () {
    it("L14: the stack's objects and what the cluster made for them (owned, namespace defaults, StatefulSet claims) are not reported", function () {
        assert.deepStrictEqual(unmanagedObjects(CLUSTER_MADE, STATE, NS), []);
        assert.strictEqual(unmanagedText([], NS, "dev"), "");
    });

    it("L14: a Deployment made by hand, a bare debug pod and a claim that only looks like a StatefulSet's are reported, with who made them", function () {
        const byHand: LiveObject[] = [
            live("Deployment", "north-api-old", {
                creationTimestamp: "2026-11-02T10:00:00Z",
                managedFields: [
                    { manager: "kubectl-edit", operation: "Update", time: "2026-11-03T09:00:00Z" },
                    { manager: "kubectl-client-side-apply", operation: "Update", time: "2026-11-02T10:00:00Z" },
                ],
            }),
            live("Pod", "debug-shell", { managedFields: [{ manager: "kubectl-run", time: "2026-11-04T00:00:00Z" }] }),
            live("PersistentVolumeClaim", "data-north-redis-old"),
            // Another namespace's object is not this stack's business.
            { kind: "Deployment", metadata: { name: "elsewhere", namespace: "other" } },
        ];
        const found = unmanagedObjects([...CLUSTER_MADE, ...byHand], STATE, NS);
        assert.deepStrictEqual(found, [
            {
                kind: "Deployment",
                name: "north-api-old",
                created: "2026-11-02T10:00:00Z",
                createdBy: "kubectl-client-side-apply",
            },
            { kind: "PersistentVolumeClaim", name: "data-north-redis-old" },
            { kind: "Pod", name: "debug-shell", createdBy: "kubectl-run" },
        ]);
        const text = unmanagedText(found, NS, "dev");
        assert.match(
            text,
            /^advisory: 3 object\(s\) in namespace qr-demo-dev are managed by no stack .*pulumi import.*already exists.*\(L14\)/,
        );
        assert.match(
            text,
            /\n {2}Deployment\/north-api-old, created 2026-11-02T10:00:00Z by kubectl-client-side-apply\n/,
        );
    });

    it("L14: an object the state holds under the same name but another kind is still reported (a ConfigMap is not the Service)", function () {
        const found = unmanagedObjects([...CLUSTER_MADE, live("ConfigMap", "north-api")], STATE, NS);
        assert.deepStrictEqual(
            found.map((o) => `${o.kind}/${o.name}`),
            ["ConfigMap/north-api"],
        );
    });
});
