// The local cluster's volume attach stand-in (tools/cluster/attach.ts): which pods kwok may start. It is what
// makes postmortem 000's Multi-Attach incident (L03) reproducible without a kubelet, so its rule is tested here.
import * as assert from "assert";
import { Claim, decideAttachments, Pod, VOLUMES_ATTACHED_ANNOTATION } from "../tools/cluster/attach";

const claim = (name: string, accessModes: string[], phase = "Bound"): Claim => ({
    metadata: { name, namespace: "ns" },
    spec: { accessModes, volumeName: `pv-${name}` },
    status: { phase },
});

function pod(name: string, node: string | undefined, claims: string[], attached = false, phase = "Pending"): Pod {
    const annotations: Record<string, string> = attached ? { [VOLUMES_ATTACHED_ANNOTATION]: "true" } : {};
    return {
        metadata: { name, namespace: "ns", uid: `uid-${name}`, annotations },
        spec: { nodeName: node, volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) },
        status: { phase },
    };
}

const summary = (decisions: ReturnType<typeof decideAttachments>) =>
    decisions.map((d) => `${d.pod.metadata.name}:${d.conflict ? `blocked by ${d.conflict.node}` : "attach"}`);

describe("local cluster attach stand-in (tools/cluster/attach.ts)", () => {
    it("L03: a ReadWriteOnce claim attaches to one node; a pod on a second node waits with the claim's holder named", () => {
        const decisions = decideAttachments(
            [pod("a", "node-0", ["data"]), pod("b", "node-0", ["data"]), pod("c", "node-1", ["data"])],
            [claim("data", ["ReadWriteOnce"])],
        );
        assert.deepStrictEqual(summary(decisions), ["a:attach", "b:attach", "c:blocked by node-0"]);
        assert.deepStrictEqual(decisions[2].conflict?.users, ["a", "b"]);
    });

    it("L03: an already attached pod keeps the claim: a new pod elsewhere is blocked even when it comes first in the list", () => {
        const decisions = decideAttachments(
            [pod("new", "node-1", ["data"]), pod("old", "node-0", ["data"], true, "Running")],
            [claim("data", ["ReadWriteOnce"])],
        );
        assert.deepStrictEqual(summary(decisions), ["new:blocked by node-0"]);
    });

    it("ReadWriteMany claims attach on every node (qa's content volume)", () => {
        const decisions = decideAttachments(
            [pod("a", "node-0", ["content"]), pod("b", "node-1", ["content"])],
            [claim("content", ["ReadWriteMany"])],
        );
        assert.deepStrictEqual(summary(decisions), ["a:attach", "b:attach"]);
    });

    it("finished or deleted holders release the claim; unscheduled pods and unbound claims wait", () => {
        const done = pod("done", "node-0", ["data"], true, "Succeeded");
        const decisions = decideAttachments(
            [
                done,
                pod("next", "node-1", ["data"]),
                pod("unscheduled", undefined, []),
                pod("unbound", "node-0", ["pending"]),
            ],
            [claim("data", ["ReadWriteOnce"]), claim("pending", ["ReadWriteOnce"], "Pending")],
        );
        assert.deepStrictEqual(summary(decisions), ["next:attach"]);
    });
});
