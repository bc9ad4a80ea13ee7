// One Latch server with a Postgres store of its own and a gRPC client to it: a replica, for the tests
// that run two servers on one database.

import type { MessageInitShape } from "@bufbuild/protobuf";
import { ApiKeyRing } from "../../src/api/api-keys.js";
import { type LatchServer, type ServerOptions, startServer } from "../../src/api/latch-server.js";
import { createLatchClient, type LatchClient } from "../../src/cli/client.js";
import type { ConsistencySchema } from "../../src/gen/latch/v1/core_pb.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { SqlBackedStore } from "../../src/store/postgres/sql-store.js";

/** Replica is one Latch server with its own store, and a gRPC client to it. */
export interface Replica {
  readonly store: SqlBackedStore;
  readonly server: LatchServer;
  readonly client: LatchClient;
}

/** ReplicaOptions are a replica server's options beyond its store, keys (none) and ports. */
export type ReplicaOptions = Omit<
  ServerOptions,
  "store" | "keys" | "host" | "grpcPort" | "httpPort"
>;

/**
 * startReplica starts a server without API keys on loopback, at ports of its own, over a new store
 * of the database at `connectionString`, with the options that `options` makes for that store.
 */
export async function startReplica(
  connectionString: string,
  options: (store: SqlBackedStore) => ReplicaOptions,
): Promise<Replica> {
  const store = await createPostgresStore({ connectionString });
  const server = await startServer({
    ...options(store),
    store,
    keys: new ApiKeyRing([]),
    host: "127.0.0.1",
    grpcPort: 0,
    httpPort: 0,
  });
  const client = createLatchClient({ LATCH_ENDPOINT: `127.0.0.1:${server.grpcPort}` });
  return { store, server, client };
}

/** stopReplica closes a replica's client, server and store, if it was started. */
export async function stopReplica(replica: Replica | undefined): Promise<void> {
  if (replica === undefined) return;
  replica.client.close();
  await replica.server.close(1000);
  await replica.store.close();
}

/** namedUrl is the database URL with an application name, so that Postgres tells replicas apart. */
export function namedUrl(url: string, applicationName: string): string {
  const named = new URL(url);
  named.searchParams.set("application_name", applicationName);
  return named.toString();
}

/** Consistency is a request's consistency, as a client sends it. */
export type Consistency = MessageInitShape<typeof ConsistencySchema>;

/** MINIMIZE_LATENCY asks for any recent revision: the replica's cache, as far as its change stream went. */
export const MINIMIZE_LATENCY: Consistency = {
  requirement: { case: "minimizeLatency", value: true },
};

/** atLeastAsFresh asks for a revision at least as fresh as the write that returned token. */
export const atLeastAsFresh = (token: string): Consistency => ({
  requirement: { case: "atLeastAsFresh", value: token },
});
