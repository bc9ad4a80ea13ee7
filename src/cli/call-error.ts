// The line the CLI prints for a call that failed: the server's status, or what the endpoint is when no gRPC server answered.

import { Code, type ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { LatchClient } from "./client.js";
import { probeEndpoint } from "./endpoint-probe.js";

/** Where `latch serve` listens for gRPC, for the suggestions. */
const GRPC_PORT_HINT = "the gRPC port (LATCH_GRPC_PORT, 50051 by default)";

/** Node's codes for a certificate no trusted authority signed, which NODE_EXTRA_CA_CERTS can fix. */
const UNTRUSTED_CERTIFICATE = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);

/**
 * describeCallError is the line to print for error, a call to client's endpoint that failed. An
 * answer from a gRPC server prints as gRPC names it, `INVALID_ARGUMENT: message`. A call that got
 * no gRPC answer says why: nothing listening, a certificate not trusted, or (probing the
 * endpoint) a server that is not a Latch gRPC endpoint, with the LATCH_ENDPOINT that would work.
 */
export async function describeCallError(
  error: ConnectError,
  client: Pick<LatchClient, "endpoint" | "baseUrl" | "sendsToken">,
): Promise<string> {
  const { endpoint, baseUrl } = client;
  const status = `${codeToString(error.code).toUpperCase()}: ${error.rawMessage.trim()}`;
  if (error.metadata.has("grpc-status")) {
    if (error.code !== Code.Unauthenticated) return status;
    return `${status} (the CLI sends LATCH_TOKEN as the key${client.sendsToken ? "" : ", and it is not set"})`;
  }
  // The usual cause is a server that is not running, or running elsewhere.
  if (error.code === Code.Unavailable) {
    return `${status} (is a Latch server listening at ${endpoint}? set LATCH_ENDPOINT)`;
  }
  const cause = causeCode(error);
  if (cause !== undefined && /CERT|SIGNATURE/.test(cause)) {
    const fix = UNTRUSTED_CERTIFICATE.has(cause)
      ? "; if a private CA signed it, set NODE_EXTRA_CA_CERTS to that CA's certificate file"
      : "";
    return `${endpoint}: the server's TLS certificate is not accepted (${error.rawMessage})${fix}`;
  }
  if (cause === "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL") {
    return `${endpoint} is not a Latch gRPC endpoint: it speaks TLS but not HTTP/2, which gRPC needs`;
  }
  const host = baseUrl.hostname.replace(/^\[(.*)\]$/, "$1");
  const tls = baseUrl.protocol === "https:";
  const port = Number(baseUrl.port || (tls ? 443 : 80));
  const address = `${baseUrl.hostname}:${port}`;
  switch (await probeEndpoint(host, port)) {
    case "http1":
      return `${endpoint} is not a Latch gRPC endpoint: it answers HTTP/1.1, as Latch's HTTP port does; point LATCH_ENDPOINT at ${GRPC_PORT_HINT}`;
    case "tls":
      if (!tls) {
        return `${endpoint} is not a Latch gRPC endpoint in plaintext: it speaks TLS; to call it over TLS, set LATCH_ENDPOINT=https://${address} (NODE_EXTRA_CA_CERTS=FILE trusts a private CA)`;
      }
      break;
    case "http2":
      if (tls) {
        return `${endpoint} is not a Latch gRPC endpoint over TLS: it speaks plaintext HTTP/2, as Latch's gRPC port does; set LATCH_ENDPOINT=${address}`;
      }
      break;
    case "refused":
      return `${status} (the server at ${endpoint} went away)`;
  }
  return `${status} (${endpoint} did not answer as a Latch gRPC server: is LATCH_ENDPOINT ${GRPC_PORT_HINT}?)`;
}

function causeCode(error: ConnectError): string | undefined {
  const { cause } = error;
  if (!(cause instanceof Error) || !("code" in cause)) return undefined;
  return typeof cause.code === "string" ? cause.code : undefined;
}
