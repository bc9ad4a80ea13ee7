// Bounds on the connections each port holds: how many, how long one may take to start, and how long it may idle.

import type { ServerOptions as HttpServerOptions } from "node:http";
import type { Server, Socket } from "node:net";
import type { ChannelOptions } from "@grpc/grpc-js";
import type { PortName } from "./listen-error.js";

/** ConnectionLimits bound each port's connections, against clients that hold them open for nothing. */
export interface ConnectionLimits {
  /** The most connections each port holds at once; the server closes more as they arrive. */
  readonly maxConnections: number;
  /**
   * How long a new connection may take to start: on the gRPC port, to send the HTTP/2 preface
   * and its settings; on the HTTP port, to send a request's headers.
   */
  readonly handshakeTimeoutMs: number;
  /** How long a gRPC connection with no call in progress stays open (clients reconnect at their next call). */
  readonly idleTimeoutMs: number;
  /**
   * How often the server pings a gRPC client, to close connections whose peer is gone (which
   * would otherwise hold their calls, such as Watch streams, forever); a ping unanswered for
   * 20 s closes the connection.
   */
  readonly keepaliveMs: number;
}

/** DEFAULT_CONNECTION_LIMITS are limits no healthy client meets. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 2_000,
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 5 * 60_000,
  keepaliveMs: 2 * 60_000,
};

/** How long an HTTP request may take to arrive whole (bodies are at most one 4 MiB message). */
const HTTP_REQUEST_TIMEOUT_MS = 60_000;

/**
 * A client's first 33 bytes on the gRPC port: the HTTP/2 preface (24) and the header of its
 * SETTINGS frame (9), which every HTTP/2 client sends before anything else.
 */
const HTTP2_HANDSHAKE_BYTES = 24 + 9;

/** How often a port that refuses connections at its limit says so. */
const REFUSAL_NOTICE_INTERVAL_MS = 60_000;

/** grpcConnectionOptions are the grpc-js server options that enforce limits on its sessions. */
export function grpcConnectionOptions(limits: ConnectionLimits): ChannelOptions {
  return {
    "grpc.max_connection_idle_ms": limits.idleTimeoutMs,
    "grpc.keepalive_time_ms": limits.keepaliveMs,
  };
}

/**
 * closeUnlessHandshaken closes a gRPC port's socket that has not sent the HTTP/2 preface and
 * settings within the limit. The bytes read count even once HTTP/2 reads the socket natively.
 */
export function closeUnlessHandshaken(socket: Socket, limits: ConnectionLimits): void {
  const timer = setTimeout(() => {
    if (socket.bytesRead < HTTP2_HANDSHAKE_BYTES) socket.destroy();
  }, limits.handshakeTimeoutMs);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
}

/**
 * httpServerOptions apply the limits to the HTTP port: a request's headers must arrive within
 * the handshake timeout, and the whole request within a minute (or that timeout if longer);
 * connections are checked against them often enough to close a late one within half the timeout.
 */
export function httpServerOptions(limits: ConnectionLimits): HttpServerOptions {
  return {
    headersTimeout: limits.handshakeTimeoutMs,
    requestTimeout: Math.max(HTTP_REQUEST_TIMEOUT_MS, limits.handshakeTimeoutMs),
    connectionsCheckingInterval: Math.min(1000, Math.max(10, limits.handshakeTimeoutMs / 2)),
  };
}

/**
 * limitConnections makes server close connections past the limit as they arrive, and tell
 * onRefusal so (at most once a minute), since clients see only a closed connection.
 */
export function limitConnections(
  server: Server,
  portName: PortName,
  limits: ConnectionLimits,
  onRefusal: (portName: PortName, maxConnections: number) => void,
): void {
  server.maxConnections = limits.maxConnections;
  let lastNotice = Number.NEGATIVE_INFINITY;
  server.on("drop", () => {
    const now = Date.now();
    if (now - lastNotice < REFUSAL_NOTICE_INTERVAL_MS) return;
    lastNotice = now;
    onRefusal(portName, limits.maxConnections);
  });
}
