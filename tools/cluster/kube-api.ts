// A minimal Kubernetes API client for the local cluster's helpers (attach.ts, the cluster tests): JSON over
// HTTPS with the client certificate of a kubeconfig. Only what those need; kubectl does the rest.
import * as fs from "fs";
import * as https from "https";
import { parse as parseYaml } from "yaml";

export interface KubeConnection {
    server: string;
    ca: Buffer;
    cert: Buffer;
    key: Buffer;
}

interface KubeconfigFile {
    "current-context"?: string;
    clusters?: { name: string; cluster: { server: string; "certificate-authority-data"?: string } }[];
    users?: { name: string; user: { "client-certificate-data"?: string; "client-key-data"?: string } }[];
    contexts?: { name: string; context: { cluster: string; user: string } }[];
}

/** Reads the current context of a kubeconfig that embeds its CA and client certificate (as cluster:up writes). */
export function connectionFromKubeconfig(path: string): KubeConnection {
    const config = parseYaml(fs.readFileSync(path, "utf8")) as KubeconfigFile;
    const context = config.contexts?.find((c) => c.name === config["current-context"])?.context;
    const cluster = config.clusters?.find((c) => c.name === context?.cluster)?.cluster;
    const user = config.users?.find((u) => u.name === context?.user)?.user;
    const ca = cluster?.["certificate-authority-data"];
    const cert = user?.["client-certificate-data"];
    const key = user?.["client-key-data"];
    if (!cluster || !ca || !cert || !key) {
        throw new Error(
            `kubeconfig ${path}: the current context needs a server, certificate-authority-data and client-certificate-data/client-key-data. ` +
                "Fix: use the kubeconfig `npm run cluster:up` prints",
        );
    }
    const decode = (data: string) => Buffer.from(data, "base64");
    return { server: cluster.server, ca: decode(ca), cert: decode(cert), key: decode(key) };
}

export class KubeApiError extends Error {
    constructor(
        readonly status: number,
        message: string,
        /** The whole answer (a Status object's JSON for most errors). */
        readonly body = "",
    ) {
        super(message);
    }
}

/** An API answer as it came: HTTP status, body text and the Warning headers' texts (admission warnings among them). */
export interface KubeResponse {
    status: number;
    text: string;
    warnings: string[];
}

/** `299 - "text"` → text (RFC 7234 warn-text, quotes and backslashes escaped). */
function warningText(header: string): string {
    const m = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(header);
    return m ? m[1].replace(/\\(.)/g, "$1") : header;
}

/** One API request, any status: resolves with the answer, rejects only when there is none. */
export function kubeResponse(
    conn: KubeConnection,
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
): Promise<KubeResponse> {
    const url = new URL(path, conn.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
        const req = https.request(
            url,
            {
                method,
                ca: conn.ca,
                cert: conn.cert,
                key: conn.key,
                headers: {
                    accept: "application/json",
                    ...(payload ? { "content-type": contentType, "content-length": Buffer.byteLength(payload) } : {}),
                },
                timeout: 30_000,
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const warnings: string[] = [];
                    for (let i = 0; i < res.rawHeaders.length; i += 2) {
                        if (res.rawHeaders[i].toLowerCase() === "warning") {
                            warnings.push(warningText(res.rawHeaders[i + 1]));
                        }
                    }
                    resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), warnings });
                });
            },
        );
        req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
        req.on("error", reject);
        if (payload) {
            req.write(payload);
        }
        req.end();
    });
}

/** One API request; resolves with the parsed JSON body, rejects with KubeApiError on a non-2xx answer. */
export async function kubeRequest<T = unknown>(
    conn: KubeConnection,
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
): Promise<T> {
    const res = await kubeResponse(conn, method, path, body, contentType);
    if (res.status >= 300) {
        throw new KubeApiError(
            res.status,
            `${method} ${path}: HTTP ${res.status}: ${res.text.slice(0, 500)}`,
            res.text,
        );
    }
    return (res.text ? JSON.parse(res.text) : undefined) as T;
}
