// Migrations: a fresh database migrates once, concurrent migrators do not race, a newer schema is refused.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMigrations, MigrationError, migrate } from "../../../src/store/postgres/migrate.js";
import { createPgExecutor } from "../../../src/store/postgres/pg-executor.js";
import { createPgliteExecutor } from "../../../src/store/postgres/pglite-executor.js";
import type { SqlExecutor } from "../../../src/store/postgres/sql-executor.js";
import { createSqlStore } from "../../../src/store/postgres/sql-store.js";
import { freshPglite } from "./fresh-pglite.js";
import { createTestDatabase, postgresForTests } from "./test-database.js";

/** A fresh, empty database: connect opens an executor on it (any number of them), drop ends it. */
interface FreshDatabase {
  connect(): SqlExecutor;
  drop(): Promise<void>;
}

/** The migrations of migrations/ and the newest version among them. */
const KNOWN = await loadMigrations();
const LATEST = KNOWN.at(-1)?.version ?? 0;

function describeMigrations(name: string, openDatabase: () => Promise<FreshDatabase>): void {
  describe(`migrations on ${name}`, () => {
    const withDatabase = async (test: (db: FreshDatabase) => Promise<void>) => {
      const db = await openDatabase();
      try {
        await test(db);
      } finally {
        await db.drop();
      }
    };

    it("bring a fresh database to the newest version and record it; a second run does nothing", () =>
      withDatabase(async (db) => {
        const executor = db.connect();
        try {
          expect(await migrate(executor)).toEqual({ from: 0, to: LATEST });
          expect(await migrate(executor)).toEqual({ from: LATEST, to: LATEST });
          const recorded = await executor.query(
            "SELECT version, name FROM latch_migrations ORDER BY version",
          );
          expect(recorded).toEqual(KNOWN.map(({ version, name }) => ({ version, name })));
          const [head] = await executor.query("SELECT revision FROM latch_revision");
          expect(Number(head?.revision)).toBe(0);
        } finally {
          await executor.close();
        }
      }));

    it("run by two migrators at once, succeed for both and apply each migration once", () =>
      withDatabase(async (db) => {
        const executors = [db.connect(), db.connect()];
        try {
          const results = await Promise.all(executors.map((executor) => migrate(executor)));
          expect(results.map((result) => result.from).sort()).toEqual([0, LATEST]);
          expect(results.map((result) => result.to)).toEqual([LATEST, LATEST]);
          const recorded = await executors[0]!.query(
            "SELECT version FROM latch_migrations ORDER BY version",
          );
          expect(recorded).toEqual(KNOWN.map(({ version }) => ({ version })));
          const counters = await executors[1]!.query("SELECT revision FROM latch_revision");
          expect(counters).toHaveLength(1);
          const stores = await executors[1]!.query("SELECT store_id FROM latch_store");
          expect(stores).toHaveLength(1);
        } finally {
          await Promise.all(executors.map((executor) => executor.close()));
        }
      }));

    it("apply only the migrations after the recorded version", () =>
      withDatabase(async (db) => {
        const executor = db.connect();
        try {
          const known = await loadMigrations();
          await migrate(executor, known);
          const next = {
            version: LATEST + 1,
            name: "extra",
            sql: "CREATE TABLE latch_extra (x integer)",
          };
          expect(await migrate(executor, [...known, next])).toEqual({
            from: LATEST,
            to: LATEST + 1,
          });
          expect(await executor.query("SELECT count(*)::int AS n FROM latch_extra")).toEqual([
            { n: 0 },
          ]);
        } finally {
          await executor.close();
        }
      }));

    it("give the decision log's days that have partitions a partition for their proofs (0008)", () =>
      withDatabase(async (db) => {
        const executor = db.connect();
        try {
          await migrate(
            executor,
            KNOWN.filter((m) => m.version < 8),
          );
          await executor.exec(
            `CREATE TABLE latch_decisions_20250131 PARTITION OF latch_decisions
               FOR VALUES FROM ('2025-01-31T00:00:00.000Z') TO ('2025-02-01T00:00:00.000Z');
             CREATE TABLE latch_decision_batches_20250131 PARTITION OF latch_decision_batches
               FOR VALUES FROM ('2025-01-31T00:00:00.000Z') TO ('2025-02-01T00:00:00.000Z');`,
          );
          await migrate(executor, KNOWN);
          await executor.query(
            "INSERT INTO latch_decision_proofs (day_start, hash, proof) VALUES ('2025-01-31T00:00:00Z', '\\x00', '{}')",
          );
          const [row] = await executor.query(
            "SELECT tableoid::regclass::text AS partition FROM latch_decision_proofs",
          );
          expect(row?.partition).toBe("latch_decision_proofs_20250131");
        } finally {
          await executor.close();
        }
      }));

    it("refuse a database whose schema is newer than this Latch, changing nothing", () =>
      withDatabase(async (db) => {
        const executor = db.connect();
        try {
          await migrate(executor);
          await executor.query(
            "INSERT INTO latch_migrations (version, name) VALUES ($1, 'next'), ($2, 'after')",
            [LATEST + 1, LATEST + 2],
          );
          const refusal = migrate(executor);
          await expect(refusal).rejects.toThrow(MigrationError);
          await expect(refusal).rejects.toThrow(
            `database schema version ${LATEST + 2} is newer than this Latch (knows ${LATEST}); upgrade Latch`,
          );
          const replica = db.connect();
          await expect(createSqlStore(replica)).rejects.toThrow("upgrade Latch");
          await replica.close();
          const recorded = await executor.query("SELECT max(version) AS v FROM latch_migrations");
          expect(recorded).toEqual([{ v: LATEST + 2 }]);
        } finally {
          await executor.close();
        }
      }));
  });
}

describe("loadMigrations", () => {
  it("reads migrations/ in version order", async () => {
    const migrations = await loadMigrations();
    expect(migrations.map((m) => [m.version, m.name])).toEqual([
      [1, "relationships"],
      [2, "store_and_gc"],
      [3, "schema"],
      [4, "shape_index"],
      [5, "decisions"],
      [6, "alerts"],
      [7, "decision_record_text"],
      [8, "decision_proofs"],
    ]);
    expect(migrations[0]?.sql).toContain("CREATE TABLE latch_relationships");
  });

  it("refuses a gap in the numbering", async () => {
    const directory = await mkdtemp(join(tmpdir(), "latch-migrations-"));
    try {
      await writeFile(join(directory, "0001_first.sql"), "SELECT 1;");
      await writeFile(join(directory, "0003_third.sql"), "SELECT 3;");
      await expect(loadMigrations(directory)).rejects.toThrow("found version 3 where 2 belongs");
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

// PGlite: one instance (starting one takes seconds), its schema dropped between tests.
let pglite: PGlite | undefined;
beforeAll(async () => {
  pglite = await freshPglite();
});
afterAll(async () => {
  await pglite?.close();
});

describeMigrations("PGlite", async () => {
  const db = pglite!;
  await db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
  return {
    // The executors share the one instance, which outlives them.
    connect: () => ({ ...createPgliteExecutor(db), close: async () => {} }),
    drop: async () => {},
  };
});

const serverUrl = await postgresForTests("migrations on Postgres");
if (serverUrl !== undefined) {
  describeMigrations("Postgres", async () => {
    const database = await createTestDatabase(serverUrl);
    return {
      connect: () => createPgExecutor({ connectionString: database.url }),
      drop: () => database.drop(),
    };
  });
}
