// The schema row of latch_schema: read by readers and by the schema write that replaces it.

import { revision } from "../../revision/revision.js";
import type { StoredSchema } from "../store.js";
import { toNumber } from "./relationship-row.js";
import type { SqlQueryable } from "./sql-executor.js";

/** readStoredSchema reads the stored schema, or undefined before the first schema write. */
export async function readStoredSchema(q: SqlQueryable): Promise<StoredSchema | undefined> {
  const [row] = await q.query("SELECT schema_text, revision FROM latch_schema");
  if (row === undefined) return undefined;
  return { text: String(row.schema_text), revision: revision(toNumber(row, "revision")) };
}

/** storeSchema makes text, written at revision `at`, the stored schema and the head's schema revision. */
export async function storeSchema(tx: SqlQueryable, text: string, at: number): Promise<void> {
  await tx.query(
    `INSERT INTO latch_schema (singleton, schema_text, revision) VALUES (true, $1, $2::bigint)
    ON CONFLICT (singleton) DO UPDATE SET schema_text = excluded.schema_text, revision = excluded.revision`,
    [text, at],
  );
  await tx.query("UPDATE latch_revision SET schema_revision = $1::bigint", [at]);
}
