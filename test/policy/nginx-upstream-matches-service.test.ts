import { strict as assert } from "assert";
import { TYPES } from "../../policy/k8s";
import { nginxTargets, nginxUpstreamMatchesService as policy } from "../../policy/rules/nginx-upstream-matches-service";
import { compliantStack, expectMessages, stackWith } from "./fixtures";

const FIX = "Fix: derive nginx's upstream port from the API Service's port (one port value, as the WebStack does).";

/** The baseline's ConfigMap carrying an nginx.conf (the baseline Service "web" in namespace "shop" exposes port 80). */
const withNginxConf = (conf: string) =>
    stackWith(TYPES.configMap, "config", (o) => {
        o.data["nginx.conf"] = conf;
    });

describe("policy nginx-upstream-matches-service [L18] (stack)", () => {
    it("[L18] passes the baseline and an upstream on the Service's own port, in every cluster DNS form", async () => {
        await expectMessages(policy, compliantStack(), []);
        for (const host of ["web", "web.shop", "web.shop.svc", "web.shop.svc.cluster.local"]) {
            await expectMessages(
                policy,
                withNginxConf(`upstream api {\n  server ${host}:80;\n  keepalive 32;\n}\n`),
                [],
            );
        }
    });

    it("[L18] flags postmortem 003's mismatch: the upstream one port off the Service's (502 on every API call)", async () => {
        await expectMessages(policy, withNginxConf("upstream webstack_api { server web.shop.svc:81; keepalive 32; }"), [
            `ConfigMap "config" (data["nginx.conf"] upstream server web.shop.svc:81): Service "web" in "shop" has no port 81 (its ports: 80), so nginx answers 502. ${FIX}`,
        ]);
    });

    it("[L18] flags the mismatch in every cluster DNS form, not for a host outside the cluster, and lists the Service's ports", async () => {
        for (const host of ["web", "web.shop", "web.shop.svc", "web.shop.svc.cluster.local"]) {
            await expectMessages(policy, withNginxConf(`upstream api { server ${host}:81; }`), [
                `ConfigMap "config" (data["nginx.conf"] upstream server ${host}:81): Service "web" in "shop" has no port 81 (its ports: 80), so nginx answers 502. ${FIX}`,
            ]);
        }
        // Not a Service name: a public host whose first labels happen to read "web.shop".
        await expectMessages(policy, withNginxConf("upstream api { server web.shop.example.com:81; }"), []);
        const ports = (list: number[]) =>
            stackWith(TYPES.configMap, "config", (o) => {
                o.data["nginx.conf"] = "upstream api { server web:81; }";
            }).map((r) =>
                r.type === TYPES.service && r.name === "web"
                    ? stackWith(TYPES.service, "web", (o) => {
                          o.spec.ports = list.map((port) => ({ port }));
                      }).find((x) => x.type === TYPES.service && x.name === "web")!
                    : r,
            );
        const message = (listed: string) =>
            `ConfigMap "config" (data["nginx.conf"] upstream server web:81): Service "web" in "shop" has no port 81 (its ports: ${listed}), so nginx answers 502. ${FIX}`;
        await expectMessages(policy, ports([80, 443]), [message("80, 443")]);
        await expectMessages(policy, ports([]), [message("none")]);
    });

    it("[L18] reads proxy_pass too, skips comments, and leaves Services outside the run alone", async () => {
        await expectMessages(
            policy,
            withNginxConf(
                [
                    "# proxy_pass http://web:9999;",
                    "location /a { proxy_pass http://web:8080/a; }",
                    "location /b { proxy_pass http://auth.other:8080; }",
                    "location /c { proxy_pass http://webstack_api; }",
                ].join("\n"),
            ),
            [
                `ConfigMap "config" (data["nginx.conf"] proxy_pass web:8080): Service "web" in "shop" has no port 8080 (its ports: 80), so nginx answers 502. ${FIX}`,
            ],
        );
    });

    it("[L18] finds every host:port nginx connects to", () => {
        assert.deepEqual(
            nginxTargets("upstream u { server a:1; server b.ns:2 weight=5; }\nproxy_pass https://c.ns.svc:3/x;"),
            [
                { directive: "upstream server", host: "a", port: 1 },
                { directive: "upstream server", host: "b.ns", port: 2 },
                { directive: "proxy_pass", host: "c.ns.svc", port: 3 },
            ],
        );
        // Any run of blanks between the words, none before the brace.
        assert.deepEqual(nginxTargets("upstream  u{\n\tserver   a:1;\n}\nproxy_pass \t http://b:2;"), [
            { directive: "upstream server", host: "a", port: 1 },
            { directive: "proxy_pass", host: "b", port: 2 },
        ]);
        // Not a host:port of a Service: a name a Service cannot have, a port past 65535's five digits, a socket.
        assert.deepEqual(nginxTargets("upstream u { server _a:1; server a:123456; server unix:/run/api.sock; }"), []);
    });
});
