// The smallest Redis protocol (RESP2) client the tests need: one connection, commands answered in order.
import * as net from "net";

/** An error reply ("-NOAUTH ...", "-WRONGPASS ..."): a value, so tests can assert on it. */
export class RespError {
    constructor(readonly message: string) {}
}
export type RespValue = string | number | null | RespError | RespValue[];

/** Parses one reply from `buf` at `pos`; undefined when the reply is not complete yet. */
function parse(buf: Buffer, pos: number): { value: RespValue; next: number } | undefined {
    const eol = buf.indexOf("\r\n", pos);
    if (eol < 0) {
        return undefined;
    }
    const line = buf.toString("utf8", pos + 1, eol);
    switch (String.fromCharCode(buf[pos])) {
        case "+":
            return { value: line, next: eol + 2 };
        case "-":
            return { value: new RespError(line), next: eol + 2 };
        case ":":
            return { value: Number(line), next: eol + 2 };
        case "$": {
            const len = Number(line);
            if (len < 0) {
                return { value: null, next: eol + 2 };
            }
            return buf.length < eol + 2 + len + 2
                ? undefined
                : { value: buf.toString("utf8", eol + 2, eol + 2 + len), next: eol + 2 + len + 2 };
        }
        case "*": {
            const count = Number(line);
            const items: RespValue[] = [];
            let next = eol + 2;
            for (let i = 0; i < count; i++) {
                const item = parse(buf, next);
                if (!item) {
                    return undefined;
                }
                items.push(item.value);
                next = item.next;
            }
            return { value: count < 0 ? null : items, next };
        }
        default:
            throw new Error(
                `unexpected RESP reply ${JSON.stringify(buf.toString("utf8", pos, Math.min(buf.length, pos + 40)))}`,
            );
    }
}

export class RespClient {
    /** Called with each reply no command waits for: the messages of a SUBSCRIBE. */
    onPush?: (value: RespValue) => void;
    private buffer = Buffer.alloc(0);
    private readonly waiting: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = [];

    private constructor(private readonly socket: net.Socket) {
        socket.on("data", (chunk: Buffer) => {
            this.buffer = Buffer.concat([this.buffer, chunk]);
            for (;;) {
                const reply = this.buffer.length > 0 ? parse(this.buffer, 0) : undefined;
                if (!reply) {
                    break;
                }
                this.buffer = this.buffer.subarray(reply.next);
                const waiter = this.waiting.shift();
                if (waiter) {
                    waiter.resolve(reply.value);
                } else {
                    // Nothing asked: a message pushed to a subscribed connection (["message", channel, payload]).
                    this.onPush?.(reply.value);
                }
            }
        });
        const fail = (e: Error): void => {
            this.waiting.splice(0).forEach((w) => w.reject(e));
        };
        socket.on("error", fail);
        socket.on("close", () => fail(new Error("connection closed")));
    }

    static connect(port: number): Promise<RespClient> {
        return new Promise((resolve, reject) => {
            const socket = net.connect(port, "127.0.0.1", () => resolve(new RespClient(socket)));
            socket.once("error", reject);
        });
    }

    command(...args: (string | number)[]): Promise<RespValue> {
        const parts = args.map(String);
        const wire = `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`;
        return new Promise((resolve, reject) => {
            this.waiting.push({ resolve, reject });
            this.socket.write(wire);
        });
    }

    close(): void {
        this.socket.destroy();
    }
}
