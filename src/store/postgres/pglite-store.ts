// The embedded default: the SQL store on PGlite, Postgres in process, durable in a data directory.

import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import type { Store } from "../store.js";
import { createPgliteExecutor } from "./pglite-executor.js";
import { createSqlStore, resolveSqlStoreOptions, type SqlStoreOptions } from "./sql-store.js";

/** PgliteStoreOptions configure {@link createPgliteStore}. */
export interface PgliteStoreOptions extends SqlStoreOptions {
  /** The directory that holds the database, created if missing; unset keeps it in memory (tests). */
  readonly dataDir?: string;
}

/**
 * createPgliteStore opens PGlite in dataDir (in memory without one), applies the migrations and
 * opens the SQL store on it: the same SQL as on Postgres, for a Latch with no database server.
 * PGlite is single-process: one store per data directory.
 */
export async function createPgliteStore(options: PgliteStoreOptions = {}): Promise<Store> {
  resolveSqlStoreOptions(options);
  const { dataDir } = options;
  // PGlite makes the directory itself, but not its parents (`./.latch` for `./.latch/data`).
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const executor = createPgliteExecutor(db);
  try {
    return await createSqlStore(executor, options, { vacuumAfterCollection: true });
  } catch (error) {
    await executor.close();
    throw error;
  }
}
