import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { recordResources } from "../../offline/run-program";
import { toKubernetesObject, validateKubernetesObject } from "../../offline/schema";
import type { LooseRecordedResource } from "../support/recorded";

const route = (spec: Record<string, unknown>) => ({
    apiVersion: "route.openshift.io/v1",
    kind: "Route",
    metadata: { name: "web" },
    spec,
});

describe("offline schema: Kubernetes objects", () => {
    it("turns recorded typed resources and CustomResources into objects; skips components, providers and patches", async () => {
        const resources = await recordResources(() => {
            const box = new pulumi.ComponentResource("test:index:Box", "box");
            new k8s.Provider("cluster", {}, { parent: box });
            new k8s.apps.v1.Deployment(
                "web",
                {
                    metadata: { namespace: "shop" },
                    spec: {
                        selector: { matchLabels: { app: "web" } },
                        template: {
                            metadata: { labels: { app: "web" } },
                            spec: { containers: [{ name: "web", image: "nginx" }] },
                        },
                    },
                },
                { parent: box },
            );
            new k8s.apiextensions.CustomResource("route", {
                apiVersion: "route.openshift.io/v1",
                kind: "Route",
                metadata: { name: "web" },
                spec: { to: { kind: "Service", name: "web" } },
            });
            new k8s.apps.v1.DeploymentPatch("scale", { metadata: { name: "other" }, spec: { replicas: 1 } });
        });
        const objects = resources.map(toKubernetesObject).filter((o) => o !== undefined);
        const web: LooseRecordedResource = resources.find((r) => r.name === "web")!;
        assert.deepEqual(
            objects
                .map((o) => `${String(o.apiVersion)} ${String(o.kind)} ${(o.metadata as { name: string }).name}`)
                .sort(),
            ["apps/v1 Deployment " + web.outputs.metadata.name, "route.openshift.io/v1 Route web"],
        );
        for (const o of objects) {
            assert.deepEqual(validateKubernetesObject(o), [], JSON.stringify(o));
        }
    });

    it("catches a schema-invalid Deployment with the field path of every problem (L18, L22)", () => {
        const problems = validateKubernetesObject({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "web" },
            spec: {
                replicas: "3",
                template: { spec: { containers: [{ name: "web", ports: [{ containerPort: "8080" }] }] } },
            },
        });
        assert.deepEqual(
            problems.sort(),
            [
                "spec.replicas: must be integer",
                "spec.template.spec.containers[0].ports[0].containerPort: must be integer",
                "spec.template.spec.containers[0].image: required: the image to run",
                "spec: must have required property selector",
            ].sort(),
        );
    });

    it("applies the API server's name and label syntax that the OpenAPI schema leaves out", () => {
        const problems = validateKubernetesObject({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "Web.api", labels: { "app.kubernetes.io/version": "sha256:abc" } },
            spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
        });
        assert.deepEqual(problems, [
            `metadata.name: "Web.api" is not a DNS-1123 label (lower case, digits, '-', ≤ 63)`,
            `metadata.labels: value "sha256:abc" of key "app.kubernetes.io/version" is not a valid label value (≤ 63, alphanumeric, '-', '_', '.')`,
        ]);
        assert.deepEqual(
            validateKubernetesObject({
                apiVersion: "batch/v1",
                kind: "Job",
                metadata: { name: "m" },
                spec: {
                    template: {
                        spec: {
                            restartPolicy: "Never",
                            containers: [
                                { name: "m", image: "x", ports: [{ containerPort: 1, name: "metrics-endpoint-1" }] },
                            ],
                        },
                    },
                },
            }),
            [
                `spec.template.spec.containers[0].ports[0].name: "metrics-endpoint-1" is not an IANA service name (lower case, ≤ 15, a letter, no '--')`,
            ],
        );
    });

    it("validates OpenShift Routes: target must be a named Service, TLS termination from the enum (L05, L11)", () => {
        assert.deepEqual(
            validateKubernetesObject(
                route({
                    to: { kind: "Service", name: "web" },
                    port: { targetPort: "http" },
                    tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" },
                }),
            ),
            [],
        );
        assert.deepEqual(validateKubernetesObject(route({ to: { kind: "ExternalName", name: "" } })), [
            'spec.to.kind: Invalid input: expected "Service"',
            "spec.to.name: Too small: expected string to have >=1 characters",
        ]);
        assert.deepEqual(
            validateKubernetesObject(route({ to: { kind: "Service", name: "web" }, tls: { termination: "Edge" } })),
            ['spec.tls.termination: Invalid option: expected one of "edge"|"passthrough"|"reencrypt"'],
        );
        assert.deepEqual(
            validateKubernetesObject(
                route({
                    to: { kind: "Service", name: "web" },
                    path: "/api",
                    tls: { termination: "passthrough", insecureEdgeTerminationPolicy: "Allow" },
                }),
            ),
            [
                "spec.path: passthrough termination does not support paths",
                "spec.tls.insecureEdgeTerminationPolicy: passthrough termination does not support Allow (use None or Redirect)",
            ],
        );
        assert.deepEqual(validateKubernetesObject(route({ to: { kind: "Service", name: "web" }, hots: "x" })), [
            'spec: Unrecognized key: "hots"',
        ]);
    });

    it("rejects fields the schema does not define, like the API server's strict field validation, with the right spelling (L15)", () => {
        const deployment = (container: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "web", labels: { "any.label/key": "v" }, annotations: { free: "form" } },
            spec: {
                selector: { matchLabels: { app: "web" } },
                template: {
                    metadata: { labels: { app: "web" } },
                    spec: { containers: [{ name: "web", image: "x", ...container }] },
                },
                ...extra,
            },
        });
        assert.deepEqual(
            validateKubernetesObject(deployment({ readinessProbe: { httpGet: { path: "/", port: 80 } } })),
            [],
            "maps (labels, annotations, matchLabels) take any key",
        );
        assert.deepEqual(
            validateKubernetesObject(deployment({ readinesProbe: { httpGet: { path: "/", port: 80 } } })),
            [
                "spec.template.spec.containers[0].readinesProbe: unknown field (not in the Kubernetes schema; the API server rejects it under strict field validation). Did you mean readinessProbe?",
            ],
        );
        assert.deepEqual(validateKubernetesObject(deployment({}, { replicaz: 2 })), [
            "spec.replicaz: unknown field (not in the Kubernetes schema; the API server rejects it under strict field validation). Did you mean replicas?",
        ]);
        assert.deepEqual(
            validateKubernetesObject({
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "c" },
                dataa: { a: "b" },
            }),
            [
                "dataa: unknown field (not in the Kubernetes schema; the API server rejects it under strict field validation). Did you mean data?",
            ],
        );
    });

    it("treats an explicit null as unset, as the API server does (a bare `secretRef:` in YAML)", () => {
        const pod = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "p" },
            spec: {
                containers: [
                    {
                        name: "c",
                        image: "x",
                        envFrom: [{ secretRef: null, configMapRef: { name: "cm" } }],
                        resources: null,
                    },
                ],
            },
        };
        assert.deepEqual(validateKubernetesObject(pod), []);
    });

    it("checks names of kinds it has no schema for, and nothing else", () => {
        assert.deepEqual(
            validateKubernetesObject({
                apiVersion: "example.com/v1",
                kind: "Widget",
                metadata: { name: "w" },
                spec: { anything: 1 },
            }),
            [],
        );
        assert.deepEqual(validateKubernetesObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: {} }), [
            "metadata.name: required (got undefined). Fix: set a name or let the provider auto-name it",
        ]);
    });
});
