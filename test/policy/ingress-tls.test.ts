import { TYPES } from "../../policy/k8s";
import { ingressTls as policy } from "../../policy/rules/ingress-tls";
import { compliantStack, expectMessages, stackWith } from "./fixtures";

describe("policy ingress-tls [L31] (stack)", () => {
    it("[L31] passes an Ingress whose tls covers its host and an edge-terminated Route", async () => {
        await expectMessages(policy, compliantStack(), []);
    });

    it("[L31] warns about an Ingress without tls", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.ingress, "web", (o) => {
                delete o.spec.tls;
            }),
            [
                `Ingress "web" (spec.tls): not set, so shop.example.com is served over plain HTTP. Fix: add spec.tls with the hosts and a certificate Secret (components: route.host + route.tlsSecretName).`,
            ],
        );
    });

    it("[L31] warns about a host that no tls entry covers", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.ingress, "web", (o) => {
                o.spec.rules.push({ host: "admin.example.com", http: o.spec.rules[0].http });
            }),
            [
                `Ingress "web" (spec.tls): no tls entry covers admin.example.com, which is served over plain HTTP. Fix: add these hosts to spec.tls[].hosts.`,
            ],
        );
    });

    it("[L31] a catch-all Ingress (rules without host) is named as the Ingress; every uncovered host is listed", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.ingress, "web", (o) => {
                delete o.spec.tls;
                delete o.spec.rules[0].host;
            }),
            [
                `Ingress "web" (spec.tls): not set, so the Ingress is served over plain HTTP. Fix: add spec.tls with the hosts and a certificate Secret (components: route.host + route.tlsSecretName).`,
            ],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.ingress, "web", (o) => {
                delete o.spec.tls;
                o.spec.rules.push({ host: "admin.example.com", http: o.spec.rules[0].http });
            }),
            [
                `Ingress "web" (spec.tls): not set, so shop.example.com, admin.example.com is served over plain HTTP. Fix: add spec.tls with the hosts and a certificate Secret (components: route.host + route.tlsSecretName).`,
            ],
        );
        await expectMessages(
            policy,
            stackWith(TYPES.ingress, "web", (o) => {
                const http = o.spec.rules[0].http;
                // A tls entry without hosts covers none of them; the host-less rule is no host to name.
                o.spec.tls = [{ secretName: "shop-tls" }];
                o.spec.rules = [{ host: "a.example.com", http }, { host: "b.example.com", http }, { http }];
            }),
            [
                `Ingress "web" (spec.tls): no tls entry covers a.example.com, b.example.com, which is served over plain HTTP. Fix: add these hosts to spec.tls[].hosts.`,
            ],
        );
    });

    it("[L31] warns about a Route without tls", async () => {
        await expectMessages(
            policy,
            stackWith(TYPES.route, "web", (o) => {
                delete o.spec.tls;
            }),
            [
                `Route "web" (spec.tls): not set, so the route serves plain HTTP. Fix: set spec.tls: { termination: edge, insecureEdgeTerminationPolicy: Redirect }.`,
            ],
        );
    });
});
