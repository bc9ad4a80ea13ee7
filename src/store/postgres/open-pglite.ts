// The embedded database, opened for one process: its directory made and locked, then PGlite started in it.

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { lockDataDirectory } from "./data-directory-lock.js";
import { readEmbeddedTemplate } from "./embedded-template.js";
import { createPgliteExecutor } from "./pglite-executor.js";
import type { SqlExecutor } from "./sql-executor.js";

/** PgliteOpening says where {@link openPglite} opens the database, and for what. */
export interface PgliteOpening {
  /** The directory that holds the database, created if missing; unset keeps it in memory. */
  readonly dataDir?: string;
  /** What the directory's lock names as its holder, such as `latch serve`; default `latch`. */
  readonly lockedBy?: string;
  /** Told what opening does while it takes time, a line at a time, for a start-up log. */
  readonly progress?: (message: string) => void;
}

/**
 * openPglite opens PGlite in a data directory (or in memory) as a SqlExecutor. A directory is
 * locked for this process first, since PGlite is single-process and two processes in one
 * directory lose each other's writes (a DataDirectoryInUseError names the holder); closing the
 * executor closes the database and then releases the lock.
 */
export async function openPglite(opening: PgliteOpening = {}): Promise<SqlExecutor> {
  const { dataDir, progress } = opening;
  if (dataDir === undefined) {
    return createPgliteExecutor(await PGlite.create(await startingPoint(true)));
  }
  // PGlite makes its directory but not the parents (`./.latch` for `./.latch/data`).
  await mkdir(dataDir, { recursive: true });
  const lock = await lockDataDirectory(dataDir, opening.lockedBy ?? "latch");
  try {
    const created = !existsSync(join(dataDir, "PG_VERSION"));
    progress?.(
      created
        ? `creating the embedded database in ${dataDir} (once, on first start)`
        : `opening the embedded database in ${dataDir}`,
    );
    const started = performance.now();
    const executor = createPgliteExecutor(
      await PGlite.create(dataDir, await startingPoint(created)),
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    progress?.(`${created ? "created" : "opened"} the embedded database in ${seconds} s`);
    return {
      ...executor,
      async close() {
        try {
          await executor.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** startingPoint has a database being created start from the build's template, when there is one. */
async function startingPoint(created: boolean): Promise<{ loadDataDir?: Blob }> {
  const template = created ? await readEmbeddedTemplate() : undefined;
  return template === undefined ? {} : { loadDataDir: template };
}
