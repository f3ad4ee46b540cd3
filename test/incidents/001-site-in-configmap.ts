// Postmortem 001 / 000 CHANGE-002 [L08]: the static site and its videos were stuffed into ConfigMaps; the
// blackjack videos (3 MB) could not be deployed.
import * as k8s from "@pulumi/kubernetes";

const threeMegabytesOfVideo = "AAAA".repeat(1024 * 1024); // base64 of 3 MiB
new k8s.core.v1.ConfigMap("north-site", {
    metadata: { name: "north-site", namespace: "qr-demo-qa" },
    data: { "present-blackjack.html": "<video src='/assets/videos/winning.mp4'></video>" },
    binaryData: { "winning.mp4": threeMegabytesOfVideo },
});
