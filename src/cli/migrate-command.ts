// `latch migrate`: bring the database up to this Latch's schema (Postgres, or the embedded PGlite).

import type { Command } from "commander";
import { DEFAULT_DATA_DIR, databaseUrlProblem } from "../config/server-config.js";
import { DataDirectoryInUseError } from "../store/postgres/data-directory-lock.js";
import { MigrationError, migrate } from "../store/postgres/migrate.js";
import { openPglite } from "../store/postgres/open-pglite.js";
import { createPgExecutor } from "../store/postgres/pg-executor.js";
import type { SqlExecutor } from "../store/postgres/sql-executor.js";
import { StoreUnavailableError } from "../store/store.js";
import type { CliIo } from "./cli-io.js";

/** addMigrateCommand registers `latch migrate`. */
export function addMigrateCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  program
    .command("migrate")
    .description(
      "apply the database migrations: Postgres at DATABASE_URL, else the embedded database in --data-dir",
    )
    .option(
      "--data-dir <dir>",
      "the embedded database's directory, when DATABASE_URL is not set",
      DEFAULT_DATA_DIR,
    )
    .action(async (options: { dataDir: string }) => {
      const databaseUrl = io.env.DATABASE_URL;
      const where = databaseUrl
        ? "Postgres (DATABASE_URL)"
        : `the embedded database in ${options.dataDir}`;
      const urlProblem = databaseUrl ? databaseUrlProblem(databaseUrl) : undefined;
      if (urlProblem !== undefined) {
        io.stderr(`latch migrate: DATABASE_URL ${urlProblem}\n`);
        setExitCode(2);
        return;
      }
      let executor: SqlExecutor | undefined;
      try {
        executor = databaseUrl
          ? createPgExecutor({ connectionString: databaseUrl })
          : await openPglite({ dataDir: options.dataDir, lockedBy: "latch migrate" });
        const { from, to } = await migrate(executor);
        io.stdout(
          from === to
            ? `${where}: already at schema version ${to}\n`
            : `${where}: migrated from schema version ${from} to ${to}\n`,
        );
      } catch (error) {
        if (error instanceof DataDirectoryInUseError) {
          io.stderr(`latch migrate: ${error.message}\n`);
        } else {
          const reason =
            error instanceof MigrationError
              ? error.message
              : `cannot migrate: ${error instanceof StoreUnavailableError ? error.detail : (error as Error).message}`;
          io.stderr(`${where}: ${reason}\n`);
        }
        setExitCode(1);
      } finally {
        await executor?.close();
      }
    });
}
