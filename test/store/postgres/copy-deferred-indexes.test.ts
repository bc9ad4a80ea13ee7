// Deferred indexes: only the ones no constraint rests on are dropped, and they come back as defined.

import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deferIndexes } from "../../../src/store/postgres/copy-deferred-indexes.js";
import { createPgliteExecutor } from "../../../src/store/postgres/pglite-executor.js";
import type { SqlExecutor } from "../../../src/store/postgres/sql-executor.js";
import { freshPglite } from "./fresh-pglite.js";

const TABLE = `CREATE TABLE "Odd Table" (
  id int PRIMARY KEY,
  name text NOT NULL,
  tag text,
  size int
);
CREATE UNIQUE INDEX unique_name ON "Odd Table" (name);
CREATE INDEX partial_tag ON "Odd Table" (tag) WHERE tag IS NOT NULL;
CREATE INDEX "Plain Size" ON "Odd Table" (size DESC, tag);
CREATE INDEX lower_name ON "Odd Table" (lower(name)) INCLUDE (size);`;

describe("deferIndexes", () => {
  let lite: PGlite | undefined;
  let executor: SqlExecutor;
  beforeAll(async () => {
    lite = await freshPglite();
    executor = createPgliteExecutor(lite);
    await executor.exec(TABLE);
  });
  afterAll(() => lite?.close());

  const indexes = async (q: Pick<SqlExecutor, "query">) =>
    (
      await q.query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'Odd Table' ORDER BY indexname",
      )
    ).map((row) => `${String(row.indexname)}: ${String(row.indexdef)}`);

  it("drops the full, non-unique indexes and builds them again exactly", async () => {
    const before = await indexes(executor);
    await executor.transaction(async (tx) => {
      const build = await deferIndexes(tx, '"Odd Table"');
      expect((await indexes(tx)).map((index) => index.split(":")[0])).toEqual([
        "Odd Table_pkey",
        "partial_tag",
        "unique_name",
      ]);
      await tx.query(
        `INSERT INTO "Odd Table" SELECT n, 'n' || n, NULL, n FROM generate_series(1, 100) n`,
      );
      await build();
    });
    expect(await indexes(executor)).toEqual(before);
  });

  it("leaves the indexes as they were when the transaction rolls back", async () => {
    const before = await indexes(executor);
    await expect(
      executor.transaction(async (tx) => {
        await deferIndexes(tx, '"Odd Table"');
        throw new Error("give up");
      }),
    ).rejects.toThrow("give up");
    expect(await indexes(executor)).toEqual(before);
  });
});
