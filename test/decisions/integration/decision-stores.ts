// The SQL stores the decision log runs on, each fresh: embedded PGlite, and a database of its own on Postgres.

import { SqlDecisionLog } from "../../../src/decisions/sql-decision-log.js";
import { createPgliteStore } from "../../../src/store/postgres/pglite-store.js";
import { createPostgresStore } from "../../../src/store/postgres/postgres-store.js";
import type { SqlExecutor } from "../../../src/store/postgres/sql-executor.js";
import type { SqlBackedStore } from "../../../src/store/postgres/sql-store.js";
import {
  createTestDatabase,
  findPostgres,
  requirePostgresOnCi,
} from "../../store/postgres/test-database.js";

/** OpenedStore is a fresh store and what undoes it. */
export interface OpenedStore {
  readonly store: SqlBackedStore;
  /** close closes the store and drops its database, if it has one. */
  close(): Promise<void>;
}

/** DecisionStore names a kind of SQL store and opens a fresh one (undefined when it cannot run here). */
export interface DecisionStore {
  readonly name: string;
  readonly open: (() => Promise<OpenedStore>) | undefined;
}

const postgres = await findPostgres();
requirePostgresOnCi(postgres);

/** DECISION_STORES are PGlite, always, and Postgres when a server answers (always on CI). */
export const DECISION_STORES: readonly DecisionStore[] = [
  {
    name: "PGlite",
    open: async () => {
      const store = await createPgliteStore({});
      return { store, close: () => store.close() };
    },
  },
  {
    name: "Postgres",
    open:
      postgres.url === undefined
        ? undefined
        : async () => {
            const database = await createTestDatabase(postgres.url!);
            const store = await createPostgresStore({ connectionString: database.url });
            return {
              store,
              close: async () => {
                await store.close();
                await database.drop();
              },
            };
          },
  },
];

/** openSyncLog is a decision log on db in `sync` mode, keeping a day, masking nothing, quiet. */
export function openSyncLog(db: SqlExecutor): Promise<SqlDecisionLog> {
  return SqlDecisionLog.open(
    db,
    { mode: "sync", retentionMs: 86_400_000, redactKeys: [] },
    { countDecisions: () => {}, log: () => {} },
  );
}
