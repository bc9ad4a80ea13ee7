// Indexes that a bulk load into an empty table builds once, at the end, instead of row by row.

import type { SqlQueryable } from "./sql-executor.js";

/**
 * deferIndexes drops, in tx, the indexes of table that only speed reads up (valid, whole-table,
 * not unique: no constraint rests on them), and returns a function that builds them again, from
 * their definitions as the catalog gives them. Building an index over the loaded rows at once
 * costs far less than updating it for every row, as the Postgres manual advises for populating a
 * table. The SQL is the catalog's own (`pg_get_indexdef`), never data.
 *
 * DROP INDEX locks the table (ACCESS EXCLUSIVE) until the transaction ends, so every reader of
 * the table waits for it: callers defer only where readers would find nothing anyway.
 */
export async function deferIndexes(tx: SqlQueryable, table: string): Promise<() => Promise<void>> {
  const indexes = await tx.query(
    `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition
    FROM pg_index
    WHERE indrelid = $1::regclass AND indisvalid AND NOT indisunique AND indpred IS NULL
    ORDER BY indexrelid`,
    [table],
  );
  const definitions: string[] = [];
  for (const { name, definition } of indexes) {
    if (typeof name !== "string" || typeof definition !== "string") {
      throw new Error(`unexpected index row for ${table}: ${String(name)}`);
    }
    // regclass text is the name quoted as an identifier, qualified when off the search path.
    await tx.exec(`DROP INDEX ${name}`);
    definitions.push(definition);
  }
  return async () => {
    for (const definition of definitions) await tx.exec(definition);
  };
}
