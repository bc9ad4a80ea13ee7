// Test helper: a Latch server on a memory store, in process, for the CLI's commands to talk to.

import { setTimeout as delay } from "node:timers/promises";
import { type ApiKey, ApiKeyRing } from "../../src/api/api-keys.js";
import { startServer } from "../../src/api/latch-server.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";

/** TEST_SCHEMA has what the CLI tests need: subject sets, an arrow, an exclusion, a caveat, expirations. */
export const TEST_SCHEMA = `use expiration

caveat on_network(ip ipaddress) {
  ip.in_cidr('10.0.0.0/8')
}

definition user {}

definition group {
  relation member: user | group#member
}

definition folder {
  relation viewer: user
}

definition document {
  relation parent: folder
  relation viewer: user | user:* | group#member | user with on_network | user with expiration
  relation banned: user
  permission view = (viewer + parent->viewer) - banned
}
`;

/** CliTestServer is a running server and the environment that points the CLI at it. */
export interface CliTestServer {
  readonly env: Readonly<Record<string, string>>;
  readonly grpcPort: number;
  /** The HTTP port (Connect, gRPC-Web, probes), which the CLI does not speak. */
  readonly httpPort: number;
  close(): Promise<void>;
}

/**
 * startCliServer serves a new memory store on free ports of 127.0.0.1, with keys if given, and the
 * relations a denial names as requestable (LATCH_REQUESTABLE) if given.
 */
export async function startCliServer(
  keys: readonly ApiKey[] = [],
  requestable: readonly string[] = [],
): Promise<CliTestServer> {
  const server = await startServer({
    store: createMemoryStore(),
    requestable,
    keys: new ApiKeyRing(keys),
    host: "127.0.0.1",
    grpcPort: 0,
    httpPort: 0,
    onInternalError: (method, error) => {
      throw new Error(`${method} failed inside the server: ${String(error)}`);
    },
    log: () => {},
  });
  return {
    env: { LATCH_ENDPOINT: `127.0.0.1:${server.grpcPort}` },
    grpcPort: server.grpcPort,
    httpPort: server.httpPort,
    // server.close() can wait forever when a client dropped its connection just before: grpc-js
    // waits for a 'close' event that the destroyed session already emitted. Its cut (forceShutdown
    // after the grace) has freed the ports by then, so the test stops waiting there.
    close: () => Promise.race([server.close(200), delay(500)]),
  };
}
