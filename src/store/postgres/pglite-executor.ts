// The SQL store's executor on PGlite: Postgres in process, one session shared by every statement.

import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { SqlExecutor, SqlQueryable, SqlRow } from "./sql-executor.js";

/**
 * createPgliteExecutor makes a SqlExecutor over an open PGlite database. PGlite has one session:
 * a transaction holds it, and other statements wait for the transaction to end. Closing the
 * executor closes the database. Transactions can COPY, from a blob.
 */
export function createPgliteExecutor(db: PGlite): SqlExecutor {
  return {
    ...queryable(db),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          ...queryable(tx),
          // PGlite reads COPY data from the /dev/blob device, filled from the query's blob option.
          copyFrom: async (target, rows) => {
            await tx.query(`COPY ${target} FROM '/dev/blob'`, [], { blob: new Blob([...rows]) });
          },
        }),
      ),
    async listen(channel, onNotify) {
      const stop = await db.listen(channel, (payload) => onNotify(payload));
      return () => stop();
    },
    close: () => db.close(),
  };
}

function queryable(session: Pick<Transaction, "query" | "exec">): SqlQueryable {
  return {
    query: async (sql, params = []) => (await session.query<SqlRow>(sql, [...params])).rows,
    exec: async (sql) => {
      await session.exec(sql);
    },
  };
}
