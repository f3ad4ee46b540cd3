/**
 * Why the drift test needs an API server at all: in render mode the kubernetes provider's Read (what
 * `pulumi preview --refresh` calls) returns the object as the state holds it — it never reads the rendered
 * file — but it first refuses to run when the cluster is unreachable ("failed to read resource state due to
 * unreachable cluster"), and without a kubeconfig the provider counts the cluster as unreachable
 * (pulumi-kubernetes provider/pkg/provider/provider.go, Configure and Read, v4.25.0).
 *
 * Configure calls the cluster "reachable" once two discovery requests succeed: GET /version and GET /openapi/v2.
 * This server on 127.0.0.1 answers those (an empty OpenAPI document: no schema to validate against) and the
 * API discovery lists (/api, /apis: no API groups at all), and 404 to everything else, recorded in `refused`, so
 * a request beyond discovery fails loudly instead of being faked.
 * It holds no objects: with it, refresh in render mode keeps what the state says, and drift is what the state
 * says differently from the program (as after a refresh against a real cluster that someone changed).
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";

export interface DiscoveryOnlyApiServer {
    /** A kubeconfig file for it (pass as KUBECONFIG: provider config stays unchanged, so no provider diff). */
    kubeconfig: string;
    /** Paths requested that the server refused (404), for the test's error messages. */
    refused: string[];
    close(): Promise<void>;
}

export async function startDiscoveryOnlyApiServer(dir: string): Promise<DiscoveryOnlyApiServer> {
    const refused: string[] = [];
    const server = http.createServer((req, res) => {
        const url = (req.url ?? "").split("?")[0];
        if (req.method === "GET" && url === "/version") {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ major: "1", minor: "34", gitVersion: "v1.34.0", platform: "linux/amd64" }));
        } else if (req.method === "GET" && url === "/openapi/v2") {
            // An empty protobuf message is a valid, empty openapi_v2.Document.
            res.writeHead(200, { "Content-Type": "application/octet-stream" });
            res.end();
        } else if (req.method === "GET" && url === "/api") {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ kind: "APIVersions", versions: [], serverAddressByClientCIDRs: [] }));
        } else if (req.method === "GET" && url === "/apis") {
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ kind: "APIGroupList", apiVersion: "v1", groups: [] }));
        } else {
            refused.push(`${req.method} ${url}`);
            res.writeHead(404, { "Content-Type": "application/json" });
            res.end(
                JSON.stringify({
                    kind: "Status",
                    apiVersion: "v1",
                    status: "Failure",
                    reason: "NotFound",
                    code: 404,
                    message: `${url}: this test server answers discovery only`,
                }),
            );
        }
    });
    const port = await new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
    const kubeconfig = path.join(dir, "discovery-only.kubeconfig");
    fs.writeFileSync(
        kubeconfig,
        [
            "apiVersion: v1",
            "kind: Config",
            'clusters: [{name: discovery-only, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
            "users: [{name: test, user: {}}]",
            "contexts: [{name: discovery-only, context: {cluster: discovery-only, user: test}}]",
            "current-context: discovery-only",
            "",
        ].join("\n"),
    );
    return {
        kubeconfig,
        refused,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
