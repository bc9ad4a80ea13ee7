// The SQL store on a Postgres server, through a `pg` connection pool.

import { createPgExecutor } from "./pg-executor.js";
import {
  createSqlStore,
  resolveSqlStoreOptions,
  type SqlBackedStore,
  type SqlStoreOptions,
} from "./sql-store.js";

/** PostgresStoreOptions configure {@link createPostgresStore}. */
export interface PostgresStoreOptions extends SqlStoreOptions {
  /** The server and database, as `postgres://user@host:port/database`. */
  readonly connectionString: string;
  /** The most connections the pool opens (one more listens for watchers); default 10. */
  readonly maxConnections?: number;
}

/**
 * createPostgresStore connects to Postgres, applies the migrations (under an advisory lock, so
 * replicas may start together) and opens the SQL store on the database.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<SqlBackedStore> {
  resolveSqlStoreOptions(options);
  const executor = createPgExecutor({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
  });
  try {
    return await createSqlStore(executor, options);
  } catch (error) {
    await executor.close();
    throw error;
  }
}
