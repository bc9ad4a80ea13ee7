// The gRPC port: a listener of Latch's accepts the connections, bounds them, and hands them to grpc-js.

import { createServer } from "node:net";
import * as grpc from "@grpc/grpc-js";
import {
  type ConnectionLimits,
  closeUnlessHandshaken,
  limitConnections,
} from "./connection-limits.js";
import { listenOn, type PortName } from "./listen-error.js";

/** GrpcPort is the gRPC port, listening. */
export interface GrpcPort {
  readonly port: number;
  /** close stops accepting connections; grpc-js closes those it has (tryShutdown, forceShutdown). */
  close(): Promise<void>;
}

/**
 * listenGrpc serves server's services on host and port (0 picks a free one) in plaintext: it
 * resolves once listening, or rejects with a ListenError. Listening outside grpc-js lets Latch
 * bound connections (how many; how soon they must speak HTTP/2) and bind any address as it is
 * (`::1` too), with the system's error when it cannot.
 */
export async function listenGrpc(
  server: grpc.Server,
  host: string,
  port: number,
  limits: ConnectionLimits,
  onRefusal: (portName: PortName, maxConnections: number) => void,
): Promise<GrpcPort> {
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener = createServer((socket) => {
    closeUnlessHandshaken(socket, limits);
    injector.injectConnection(socket);
  });
  limitConnections(listener, "gRPC", limits, onRefusal);
  let bound: number;
  try {
    bound = await listenOn(listener, "gRPC", host, port);
  } catch (error) {
    injector.destroy();
    throw error;
  }
  return {
    port: bound,
    close: () => new Promise((resolve) => listener.close(() => resolve())),
  };
}
