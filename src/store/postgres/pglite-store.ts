// The embedded default: the SQL store on PGlite, Postgres in process, durable in a data directory.

import { openPglite, type PgliteOpening } from "./open-pglite.js";
import {
  createSqlStore,
  resolveSqlStoreOptions,
  type SqlBackedStore,
  type SqlStoreOptions,
} from "./sql-store.js";

/** PgliteStoreOptions configure {@link createPgliteStore}. */
export interface PgliteStoreOptions extends SqlStoreOptions, PgliteOpening {}

/**
 * createPgliteStore opens PGlite in dataDir (in memory without one; a directory is locked for
 * this process until the store closes), applies the migrations and opens the SQL store on it:
 * the same SQL as on Postgres, for a Latch with no database server.
 */
export async function createPgliteStore(options: PgliteStoreOptions = {}): Promise<SqlBackedStore> {
  resolveSqlStoreOptions(options);
  const executor = await openPglite(options);
  try {
    return await createSqlStore(executor, options, { vacuumAfterCollection: true });
  } catch (error) {
    await executor.close();
    throw error;
  }
}
