// The CLI's connection to a running server: gRPC to LATCH_ENDPOINT, with LATCH_TOKEN as the API key.

import type { ClientHttp2Stream, Http2Session } from "node:http2";
import type { Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { createGrpcUnaryTransport } from "../client/grpc-unary-transport.js";
import {
  bearerToken,
  createServiceClients,
  type ServiceClients,
} from "../client/service-clients.js";
import { UsageError } from "./usage-error.js";

/** The port `latch serve` listens on for gRPC by default, LATCH_GRPC_PORT's default. */
const DEFAULT_GRPC_PORT = 50051;
/** DEFAULT_ENDPOINT is where `latch serve` listens for gRPC when LATCH_ENDPOINT is not set. */
const DEFAULT_ENDPOINT = `localhost:${DEFAULT_GRPC_PORT}`;

/**
 * How deeply nested a message the CLI decodes. An Expand tree nests three messages or more per
 * level of subject sets, so the trees the server allows (depth up to 50) exceed protobuf-es's
 * default of 100; 1,000 covers them with room for rewrites nested inside each level.
 */
const DECODE_RECURSION_LIMIT = 1000;

/** LatchClient holds a client for each Latch service, over one connection. */
export interface LatchClient extends ServiceClients {
  /** endpoint is the server's address, for messages. */
  readonly endpoint: string;
  /** baseUrl is the endpoint as a URL: `http://` for plaintext, `https://` for TLS. */
  readonly baseUrl: URL;
  /** sendsToken is whether calls carry LATCH_TOKEN, for messages. */
  readonly sendsToken: boolean;
  /** close drops the connection, which would otherwise keep the process alive. */
  close(): void;
}

/**
 * createLatchClient connects to `LATCH_ENDPOINT` (`host:port`, or `host` for port 50051, or an
 * `http://` URL for plaintext; an `https://` URL for TLS; default {@link DEFAULT_ENDPOINT}) over
 * gRPC, sending `LATCH_TOKEN`,
 * when set, as `authorization: Bearer <token>`. The connection opens at the first call. A
 * LATCH_ENDPOINT that is not an endpoint is a UsageError.
 */
export function createLatchClient(env: Readonly<Record<string, string | undefined>>): LatchClient {
  return clientOver(env, (baseUrl, token) => {
    const sessionManager = new GuardedSessionManager(baseUrl);
    const transport = createGrpcTransport({
      baseUrl: baseUrl.toString(),
      sessionManager,
      interceptors: token ? [bearerToken(token)] : [],
      binaryOptions: { recursionLimit: DECODE_RECURSION_LIMIT },
    });
    return { transport, close: () => sessionManager.abort() };
  });
}

/**
 * createUnaryLatchClient is {@link createLatchClient} for a caller of unary methods only, one call
 * per request it serves (the MCP gateway): over {@link createGrpcUnaryTransport}, a fraction of
 * the CPU per call; a streaming method fails UNIMPLEMENTED.
 */
export function createUnaryLatchClient(
  env: Readonly<Record<string, string | undefined>>,
): LatchClient {
  return clientOver(env, (baseUrl, token) => {
    const transport = createGrpcUnaryTransport({
      baseUrl,
      token,
      recursionLimit: DECODE_RECURSION_LIMIT,
    });
    return { transport, close: () => transport.close() };
  });
}

/** clientOver is the client of every service over the transport connect makes to LATCH_ENDPOINT. */
function clientOver(
  env: Readonly<Record<string, string | undefined>>,
  connect: (baseUrl: URL, token: string | undefined) => { transport: Transport; close(): void },
): LatchClient {
  const endpoint = env.LATCH_ENDPOINT || DEFAULT_ENDPOINT;
  const baseUrl = endpointUrl(endpoint);
  const token = env.LATCH_TOKEN;
  const { transport, close } = connect(baseUrl, token);
  return {
    endpoint,
    baseUrl,
    sendsToken: Boolean(token),
    ...createServiceClients(transport),
    close,
  };
}

/** endpointUrl reads LATCH_ENDPOINT: `host:port`, `host`, or an `http://` or `https://` URL. */
function endpointUrl(endpoint: string): URL {
  let url: URL | undefined;
  const withPort = /:\d+$/.test(endpoint) ? endpoint : `${endpoint}:${DEFAULT_GRPC_PORT}`;
  try {
    url = new URL(endpoint.includes("://") ? endpoint : `http://${withPort}`);
  } catch {
    // Reported below, as a URL of another scheme is.
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new UsageError(
      `LATCH_ENDPOINT ${JSON.stringify(endpoint)} is not an endpoint: use HOST:PORT (plaintext, as \`latch serve\` listens), or an https:// URL for a TLS endpoint`,
    );
  }
  return url;
}

/**
 * GuardedSessionManager keeps an 'error' listener on every HTTP/2 session it opens. connect-node
 * drops its own listener when the CLI closes its connection, and a session that failed (on a
 * server that does not speak HTTP/2, say) may emit its error after that: with no listener, Node
 * throws it and the process dies with a stack trace. The failure itself reaches the command
 * through the call that failed.
 */
class GuardedSessionManager extends Http2SessionManager {
  private readonly guarded = new WeakSet<Http2Session>();

  override async request(
    ...args: Parameters<Http2SessionManager["request"]>
  ): Promise<ClientHttp2Stream> {
    const stream = await super.request(...args);
    const { session } = stream;
    if (session !== undefined && !this.guarded.has(session)) {
      this.guarded.add(session);
      session.on("error", () => {});
    }
    return stream;
  }
}
