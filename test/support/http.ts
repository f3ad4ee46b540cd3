import * as http from "http";

export interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    /** Raw body as sent (not decompressed). */
    body: Buffer;
    /** Milliseconds from request to the end of the body. */
    ms: number;
}

/** One request on a fresh connection to 127.0.0.1:port. */
export function request(
    port: number,
    path: string,
    opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const req = http.request(
            { host: "127.0.0.1", port, path, method: opts.method ?? "GET", headers: opts.headers, agent: false },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () =>
                    resolve({
                        status: res.statusCode ?? 0,
                        headers: res.headers,
                        body: Buffer.concat(chunks),
                        ms: Date.now() - started,
                    }),
                );
                res.on("error", reject);
            },
        );
        req.setTimeout(15_000, () => req.destroy(new Error(`${path}: no answer within 15 s`)));
        req.on("error", reject);
        req.end(opts.body);
    });
}
