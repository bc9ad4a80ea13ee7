// A gRPC client connection over node:http2, for the VUs' calls: one HTTP/2 session per target,
// shared by every VU (HTTP/2 multiplexes their calls), with no per-call machinery beyond the
// stream itself. @grpc/grpc-js spends several times the CPU per call, and a load generator that
// saturates its own core before the target's measures itself.

import http2 from "node:http2";

/** GrpcReply is the outcome of a call: its status and what the server sent. */
export interface GrpcReply {
  readonly status: number;
  readonly details: string;
  readonly headers: Record<string, string[]>;
  readonly trailers: Record<string, string[]>;
}

/** CallHandlers receive a call's response messages and its end. */
export interface CallHandlers {
  message(bytes: Buffer): void;
  end(reply: GrpcReply): void;
}

/** GrpcCall is a call in progress: its request messages go out with write, end closes them. */
export interface GrpcCall {
  write(bytes: Uint8Array): void;
  end(): void;
}

/** gRPC's status codes that the connection itself produces. */
const CANCELLED = 1;
const UNKNOWN = 2;
const DEADLINE_EXCEEDED = 4;
const UNAVAILABLE = 14;

/** Header entries that are HTTP/2's own, not the call's metadata. */
const PSEUDO = /^:/;

/** GrpcConnection is one HTTP/2 session to a target, opened again when it closes. */
export class GrpcConnection {
  private session: http2.ClientHttp2Session | undefined;

  constructor(private readonly address: string) {}

  /** call starts a call of path with metadata, ending after timeoutMs at the latest. */
  call(
    path: string,
    metadata: Record<string, string>,
    timeoutMs: number,
    handlers: CallHandlers,
  ): GrpcCall {
    const session = this.open();
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      "grpc-timeout": `${Math.max(1, Math.ceil(timeoutMs))}m`,
      ...metadata,
    });
    let headers: Record<string, string[]> = {};
    let trailers: Record<string, string[]> = {};
    let pending: Buffer = Buffer.alloc(0);
    let ended = false;
    const finish = (status: number, details: string) => {
      if (ended) return;
      ended = true;
      clearTimeout(deadline);
      handlers.end({ status, details, headers, trailers });
    };
    const deadline = setTimeout(() => {
      finish(DEADLINE_EXCEEDED, "deadline exceeded");
      stream.close(http2.constants.NGHTTP2_CANCEL);
    }, timeoutMs);
    stream.on("response", (received) => {
      headers = metadataOf(received);
      // A trailers-only response carries the status in its headers.
      if (received["grpc-status"] !== undefined) trailers = headers;
    });
    stream.on("trailers", (received) => {
      trailers = metadataOf(received);
    });
    stream.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const length = pending.readUInt32BE(1);
        if (pending.length < 5 + length) break;
        handlers.message(pending.subarray(5, 5 + length));
        pending = pending.subarray(5 + length);
      }
    });
    stream.on("error", () => {});
    stream.on("close", () => {
      const status = trailers["grpc-status"]?.[0];
      if (status === undefined) {
        const why = stream.rstCode === http2.constants.NGHTTP2_CANCEL ? CANCELLED : UNAVAILABLE;
        finish(why, `stream closed with no status (HTTP/2 code ${stream.rstCode})`);
        return;
      }
      const code = Number(status);
      finish(
        Number.isInteger(code) ? code : UNKNOWN,
        decodeURIComponent(trailers["grpc-message"]?.[0] ?? ""),
      );
    });
    return {
      write: (bytes) => {
        const framed = Buffer.allocUnsafe(5 + bytes.byteLength);
        framed[0] = 0;
        framed.writeUInt32BE(bytes.byteLength, 1);
        framed.set(bytes, 5);
        stream.write(framed);
      },
      end: () => stream.end(),
    };
  }

  /** close ends the session once its calls are done. */
  close(): void {
    this.session?.close();
    this.session = undefined;
  }

  private open(): http2.ClientHttp2Session {
    if (this.session === undefined || this.session.closed || this.session.destroyed) {
      const session = http2.connect(`http://${this.address}`);
      // Errors end the calls in flight, each with its status; the next call connects again.
      session.on("error", () => {});
      session.on("close", () => {
        if (this.session === session) this.session = undefined;
      });
      this.session = session;
    }
    return this.session;
  }
}

function metadataOf(received: http2.IncomingHttpHeaders): Record<string, string[]> {
  const metadata: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(received)) {
    if (PSEUDO.test(key) || value === undefined) continue;
    metadata[key] = Array.isArray(value) ? value : [String(value)];
  }
  return metadata;
}
