// What a server at an endpoint speaks, told from how it answers: for a call that failed before any gRPC answer.

import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";

/**
 * EndpointProtocol is what a probe found at an endpoint: plaintext HTTP/1.x (as Latch's HTTP
 * port), plaintext HTTP/2 (as its gRPC port), TLS, nothing listening, or something else.
 */
export type EndpointProtocol = "http1" | "http2" | "tls" | "refused" | "unknown";

/** How long each of the probe's two attempts waits for an answer. */
const PROBE_TIMEOUT_MS = 2000;

/** The HTTP/2 client connection preface followed by an empty SETTINGS frame (RFC 9113 §3.4). */
const HTTP2_PREFACE = Buffer.concat([
  Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

/** A TLS record's first byte: an alert (21) or a handshake (22). */
const TLS_RECORD_TYPES = new Set([21, 22]);
/** The type of an HTTP/2 SETTINGS frame, the first frame a server sends. */
const HTTP2_SETTINGS_FRAME = 4;

/**
 * probeEndpoint tells what the server at host:port speaks. It sends the HTTP/2 preface in
 * plaintext: an HTTP/1.x server answers with a status line, an HTTP/2 server with its SETTINGS,
 * and some TLS servers with an alert. Many TLS servers close without a word instead; then a TLS
 * handshake (accepting any certificate, since it only asks whether the server speaks TLS) tells.
 */
export async function probeEndpoint(host: string, port: number): Promise<EndpointProtocol> {
  const plaintext = await firstAnswer(connectTcp({ host, port }));
  if (plaintext === "refused") return "refused";
  if (plaintext instanceof Buffer && plaintext.length > 0) return classify(plaintext);
  return (await speaksTls(host, port)) ? "tls" : "unknown";
}

function classify(answer: Buffer): EndpointProtocol {
  if (answer.subarray(0, 5).toString("latin1") === "HTTP/") return "http1";
  if (TLS_RECORD_TYPES.has(answer[0]!)) return "tls";
  if (answer.length >= 9 && answer[3] === HTTP2_SETTINGS_FRAME) return "http2";
  return "unknown";
}

/** firstAnswer sends the preface once socket connects and resolves with the first bytes back. */
function firstAnswer(socket: Socket): Promise<Buffer | "refused" | "silent"> {
  return new Promise((resolve) => {
    const done = (answer: Buffer | "refused" | "silent") => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done("silent"));
    socket.once("connect", () => socket.write(HTTP2_PREFACE));
    socket.once("data", (chunk: Buffer) => done(chunk));
    socket.once("close", () => done("silent"));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      done(error.code === "ECONNREFUSED" ? "refused" : "silent"),
    );
  });
}

/** speaksTls tries a TLS handshake: completed, or refused with a TLS alert, it speaks TLS. */
function speaksTls(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTls({
      host,
      port,
      rejectUnauthorized: false,
      ALPNProtocols: ["h2", "http/1.1"],
    });
    const done = (tls: boolean) => {
      socket.destroy();
      resolve(tls);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once("secureConnect", () => done(true));
    socket.once("close", () => done(false));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      done(error.code?.startsWith("ERR_SSL_TLSV1_ALERT") === true),
    );
  });
}
