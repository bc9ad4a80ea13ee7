// Brings a database's schema up to this Latch's numbered migrations, once, even when replicas start together.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlExecutor } from "./sql-executor.js";

/** Migration is one numbered SQL file of `migrations/`, such as `0001_relationships.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** MigrationResult is the schema version a database had before {@link migrate}, and has now. */
export interface MigrationResult {
  readonly from: number;
  readonly to: number;
}

/**
 * MigrationError is a database this Latch must not use: its schema is newer than the migrations
 * this Latch knows, so some later Latch changed it in ways this one would break.
 */
export class MigrationError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `database schema version ${databaseVersion} is newer than this Latch (knows ${knownVersion}); upgrade Latch`,
    );
    this.name = "MigrationError";
  }
}

/** MIGRATIONS_DIRECTORY is the package's `migrations/` folder, beside `src/` and `dist/`. */
export const MIGRATIONS_DIRECTORY = fileURLToPath(new URL("../../../migrations/", import.meta.url));

/** The advisory lock that serializes migrators on one database: "LATCH" in ASCII. */
const MIGRATION_LOCK_KEY = 0x4c41544348;

const MIGRATION_FILE = /^(\d+)_([a-z0-9_]+)\.sql$/;

/**
 * loadMigrations reads the migrations of directory, in version order. Their versions must run
 * 1, 2, 3… without gaps or repeats, so that a recorded version says exactly what was applied.
 */
export async function loadMigrations(directory = MIGRATIONS_DIRECTORY): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of await readdir(directory)) {
    const match = MIGRATION_FILE.exec(file);
    if (match === null) continue;
    const sql = await readFile(join(directory, file), "utf8");
    migrations.push({ version: Number(match[1]), name: match[2]!, sql });
  }
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migrations in ${directory} must be numbered 1, 2, 3… without gaps or repeats; found version ${migration.version} where ${index + 1} belongs`,
      );
    }
  });
  return migrations;
}

/**
 * migrate applies, in one transaction, the migrations newer than the version recorded in the
 * database's `latch_migrations` table, and records each. It holds a transaction-scoped advisory
 * lock, so that concurrent migrators (replicas starting together) apply each migration once: the
 * later ones wait, then find nothing to do. A database whose recorded version is newer than
 * every migration known here is refused with a {@link MigrationError}, and left unchanged.
 */
export async function migrate(
  executor: SqlExecutor,
  migrations?: readonly Migration[],
): Promise<MigrationResult> {
  const known = migrations ?? (await loadMigrations());
  const knownVersion = known[known.length - 1]?.version ?? 0;
  return executor.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS latch_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const [row] = await tx.query("SELECT max(version) AS version FROM latch_migrations");
    const from = Number(row?.version ?? 0);
    if (from > knownVersion) throw new MigrationError(from, knownVersion);
    for (const migration of known) {
      if (migration.version <= from) continue;
      await tx.exec(migration.sql);
      await tx.query("INSERT INTO latch_migrations (version, name) VALUES ($1, $2)", [
        migration.version,
        migration.name,
      ]);
    }
    return { from, to: Math.max(from, knownVersion) };
  });
}
