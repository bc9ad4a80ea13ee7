// A batch's rows are sent from where they were prepared: on each SQL store, records prepared in
// one order and written in batches of another (not next to one another, reversed, over two
// slabs) get their batch's seq and their own position, read back as written, and verify.

import { afterEach, describe, expect, it } from "vitest";
import { createDayPartitions, dayOf } from "../../../src/decisions/decision-partitions.js";
import { createRedactor, recordParts } from "../../../src/decisions/redaction.js";
import { verifyChain } from "../../../src/decisions/verify-chain.js";
import {
  type PreparedRecord,
  prepareRecord,
  writeBatch,
} from "../../../src/decisions/write-batch.js";
import { makeDecision } from "../decision-fixtures.js";
import { DECISION_STORES, type OpenedStore } from "./decision-stores.js";

const redact = createRedactor([], Buffer.alloc(32));

/** prepared are count records made now, prepared one after the other. */
function prepared(count: number): PreparedRecord[] {
  return Array.from({ length: count }, () => {
    const { proof, ...decision } = makeDecision();
    return prepareRecord(recordParts(redact(decision, proof)));
  });
}

describe.each(DECISION_STORES)("a batch's rows on $name", ({ open }) => {
  const opened: OpenedStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  it.skipIf(open === undefined)(
    "get their batch's seq and their position in it, whatever order they were prepared in",
    async () => {
      const store = await open!();
      opened.push(store);
      const db = store.store.database;
      // Enough records to fill more than one slab, so that a batch spans two.
      const records = prepared(1500);
      const day = dayOf(Date.parse(records[0]!.decidedAt));
      await createDayPartitions(db, [day]);
      const first = [records[2]!, records[0]!, ...records.slice(3).reverse()];
      const second = [records[1]!];
      const batches = [first, second];
      for (const batch of batches) {
        expect(await writeBatch(db, day, batch, [...new Set(batch.map((r) => r.proof!))])).toBe(
          batches.indexOf(batch) + 1,
        );
      }
      const rows = await db.query(
        "SELECT batch_seq, position, decision_id FROM latch_decisions ORDER BY batch_seq, position",
      );
      const expected = batches.flatMap((batch, b) =>
        batch.map((r, position) => ({ seq: b + 1, position, id: r.decisionId })),
      );
      expect(
        rows.map((row) => ({
          seq: Number(row.batch_seq),
          position: Number(row.position),
          id: String(row.decision_id),
        })),
      ).toEqual(expected);
      const report = await verifyChain(db);
      expect(report.problem).toBeUndefined();
      expect(report.records).toBe(records.length);
    },
  );
});
