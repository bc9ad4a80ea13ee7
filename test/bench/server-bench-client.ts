// A bare gRPC unary client over node:http2 for the server benchmark's load generator: one
// connection, requests framed in advance; it spends well under half the CPU per call of a grpc-js
// client, so the generator's core is not what limits the server.

import http2 from "node:http2";

/** UnaryAnswer is a call's outcome: the response message, or why there is none. */
export type UnaryAnswer =
  | { readonly ok: true; readonly message: Buffer }
  | { readonly ok: false; readonly error: string };

/** UnaryClient calls unary methods on one HTTP/2 connection. */
export interface UnaryClient {
  /** call sends a framed request (see {@link frameMessage}) to path, e.g. `/pkg.Service/Method`. */
  call(path: string, framed: Buffer, done: (answer: UnaryAnswer) => void): void;
  close(): void;
}

/** frameMessage prefixes an encoded message with gRPC's uncompressed length prefix. */
export function frameMessage(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(5 + message.byteLength);
  framed[0] = 0;
  framed.writeUInt32BE(message.byteLength, 1);
  framed.set(message, 5);
  return framed;
}

/**
 * connectUnaryClient opens a plaintext HTTP/2 connection to address (host:port); with apiKey,
 * every call sends it (`authorization: Bearer`).
 */
export async function connectUnaryClient(address: string, apiKey?: string): Promise<UnaryClient> {
  const authorization = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
  const open = () => {
    const opened = http2.connect(`http://${address}`);
    opened.on("error", (error) => console.error("load generator connection:", error));
    return opened;
  };
  let session = open();
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
  return {
    call(path, framed, done) {
      // A server closes a connection idle for long (Latch's after 5 minutes, while the benchmark
      // measures other servers): connect again, as a gRPC client does.
      if (session.closed || session.destroyed) session = open();
      const stream = session.request({
        ":method": "POST",
        ":path": path,
        "content-type": "application/grpc",
        te: "trailers",
        ...authorization,
      });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message: string | undefined;
      const readStatus = (headers: http2.IncomingHttpHeaders) => {
        const code = headers["grpc-status"];
        if (typeof code === "string") status = code;
        const text = headers["grpc-message"];
        if (typeof text === "string") message = decodeURIComponent(text);
      };
      stream.on("response", readStatus);
      stream.on("trailers", readStatus);
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", () => {});
      stream.on("close", () => {
        if (status !== "0") {
          const why =
            status === undefined ? `stream reset (${stream.rstCode})` : `grpc-status ${status}`;
          done({ ok: false, error: message === undefined ? why : `${why}: ${message}` });
          return;
        }
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if (body.length < 5) done({ ok: false, error: "status OK with no response message" });
        else done({ ok: true, message: body.subarray(5, 5 + body.readUInt32BE(1)) });
      });
      stream.end(framed);
    },
    close() {
      session.close();
    },
  };
}
