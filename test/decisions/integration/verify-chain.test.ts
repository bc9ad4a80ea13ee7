// Tamper evidence: on each SQL store, a log written in several batches verifies while untouched,
// and verification names the first record changed (its text, or only a column), removed, swapped
// with another, or inserted, a batch removed, and a proof row changed or removed; records written
// with their proof inline (before proofs had rows) still read and verify.

import { afterEach, describe, expect, it } from "vitest";
import { batchHash, recordHash } from "../../../src/decisions/chain-hash.js";
import type { Decision } from "../../../src/decisions/decision-record.js";
import type { SqlDecisionLog } from "../../../src/decisions/sql-decision-log.js";
import type { SqlExecutor } from "../../../src/store/postgres/sql-executor.js";
import { makeDecision } from "../decision-fixtures.js";
import { DECISION_STORES, type OpenedStore, openSyncLog } from "./decision-stores.js";

const BATCHES = 4;

/**
 * writeInlineBatch appends decisions as the next batch the way the log wrote them before proofs
 * had rows of their own (migration 0008): each record's text holds its proof.
 */
async function writeInlineBatch(db: SqlExecutor, decisions: readonly Decision[]): Promise<void> {
  const texts = decisions.map((d) => JSON.stringify({ ...d, masked: [] }));
  const hashes = Buffer.concat(texts.map((text) => recordHash(text)));
  const ids = decisions.map((d) => d.decisionId);
  await db.transaction(async (tx) => {
    const [head] = await tx.query("SELECT seq, hash FROM latch_decision_chain FOR UPDATE");
    const seq = Number(head?.seq) + 1;
    const previous = Buffer.from(head?.hash as Uint8Array);
    for (const [position, d] of decisions.entries()) {
      await tx.query(
        `INSERT INTO latch_decisions (decided_at, decision_id, batch_seq, position, kind, api_key, subject, actors, resource, permission, result, record)
         VALUES ($1::timestamptz, $2::uuid, $3::bigint, $4::int, $5, $6, $7, $8::text[], $9, $10, $11, $12)`,
        [
          d.time,
          d.decisionId,
          seq,
          position,
          d.kind,
          d.apiKey ?? null,
          d.subject,
          d.actors,
          d.resource,
          d.permission,
          d.result ?? null,
          texts[position],
        ],
      );
    }
    const hash = batchHash(previous, ids, hashes);
    await tx.query(
      `INSERT INTO latch_decision_batches (first_at, seq, last_at, decision_ids, record_hashes, prev_hash, hash)
       VALUES ($1::timestamptz, $2::bigint, $3::timestamptz, $4::uuid[], $5::bytea, $6::bytea, $7::bytea)`,
      [decisions[0]!.time, seq, decisions.at(-1)!.time, ids, hashes, previous, hash],
    );
    await tx.query("UPDATE latch_decision_chain SET seq = $1::bigint, hash = $2::bytea", [
      seq,
      hash,
    ]);
  });
}
const PER_BATCH = 5;

describe.each(DECISION_STORES)("verifying the decision log on $name", ({ open }) => {
  const opened: { store: OpenedStore; log: SqlDecisionLog }[] = [];
  afterEach(async () => {
    for (const { store, log } of opened.splice(0)) {
      await log.close(1000);
      await store.close();
    }
  });

  /** written opens a log and writes BATCHES batches of PER_BATCH decisions; ids by batch. */
  const written = async () => {
    const store = await open!();
    const log = await openSyncLog(store.store.database);
    opened.push({ store, log });
    const ids: string[][] = [];
    for (let b = 0; b < BATCHES; b++) {
      const decisions = Array.from({ length: PER_BATCH }, () => makeDecision());
      // Recorded together in sync mode, the first of a round commits alone (the writer was
      // idle) and the rest together: positions are checked, whichever batch they landed in.
      await Promise.all(decisions.map((d) => log.record(d)));
      ids.push(decisions.map((d) => d.decisionId));
    }
    return { log, db: store.store.database, ids: ids.flat() };
  };

  const position = async (db: SqlExecutor, id: string) => {
    const [row] = await db.query(
      "SELECT batch_seq, position FROM latch_decisions WHERE decision_id = $1::uuid",
      [id],
    );
    return { batch: Number(row?.batch_seq), position: Number(row?.position) };
  };

  it.skipIf(open === undefined)("passes on a log nobody touched", async () => {
    const { log } = await written();
    const report = await log.verify();
    expect(report.problem).toBeUndefined();
    expect(report.records).toBe(BATCHES * PER_BATCH);
    expect(report.firstBatch).toBe(1);
    expect(report.lastHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await log.verify(new Date(Date.now() - 60_000))).problem).toBeUndefined();
  });

  it.skipIf(open === undefined)(
    "stores the proof its records share once, and reads each record with it whole",
    async () => {
      const { log, db, ids } = await written();
      const proofs = await db.query("SELECT proof FROM latch_decision_proofs");
      expect(proofs.map((row) => JSON.parse(String(row.proof)))).toEqual([makeDecision().proof]);
      const [row] = await db.query("SELECT record FROM latch_decisions LIMIT 1");
      expect(String(row?.record)).toMatch(/"proof":"sha256:[0-9a-f]{64}"/);
      expect((await log.get(ids[3]!))?.proof).toEqual(makeDecision().proof);
    },
  );

  it.skipIf(open === undefined)("names the first record whose proof row was changed", async () => {
    const { log, db, ids } = await written();
    await db.query(`UPDATE latch_decision_proofs SET proof = replace(proof, 'alice', 'mallory')`);
    const { problem } = await log.verify();
    expect(problem).toMatchObject({ kind: "changed", decisionId: ids[0], batch: 1, position: 0 });
    expect(problem?.detail).toMatch(
      /^its proof \(sha256:[0-9a-f]{64}\) was changed: its text has another hash$/,
    );
  });

  it.skipIf(open === undefined)("names the first record whose proof row was deleted", async () => {
    const { log, db, ids } = await written();
    await db.query("DELETE FROM latch_decision_proofs");
    expect((await log.verify()).problem).toMatchObject({ kind: "removed", decisionId: ids[0] });
    expect((await log.get(ids[1]!))?.proof?.unavailable).toMatch(
      /^the log no longer holds this record's proof \(sha256:[0-9a-f]{64}\)$/,
    );
  });

  it.skipIf(open === undefined)(
    "reads and verifies records written with their proof inline, before proofs had rows",
    async () => {
      const { log, db, ids } = await written();
      const earlier = Array.from({ length: 3 }, () => makeDecision());
      await writeInlineBatch(db, earlier);
      const report = await log.verify();
      expect(report.problem).toBeUndefined();
      expect(report.records).toBe(ids.length + earlier.length);
      for (const decision of earlier) {
        expect(await log.get(decision.decisionId)).toEqual({ ...decision, masked: [] });
      }
      const listed = await log.list({}, 100);
      expect(listed.records.every((r) => r.proof?.grantedBy?.length === 1)).toBe(true);
    },
  );

  it.skipIf(open === undefined)("names a record whose text was changed", async () => {
    const { log, db, ids } = await written();
    const victim = ids[7]!;
    await db.query(
      `UPDATE latch_decisions SET result = 'denied', record = replace(record, '"allowed"', '"denied"')
       WHERE decision_id = $1::uuid`,
      [victim],
    );
    const { problem } = await log.verify();
    expect(problem).toMatchObject({
      kind: "changed",
      decisionId: victim,
      ...(await position(db, victim)),
    });
  });

  it.skipIf(open === undefined)("names a record whose column alone was changed", async () => {
    const { log, db, ids } = await written();
    const victim = ids[12]!;
    await db.query(
      "UPDATE latch_decisions SET subject = 'user:mallory' WHERE decision_id = $1::uuid",
      [victim],
    );
    const { problem } = await log.verify();
    expect(problem).toMatchObject({ kind: "changed", decisionId: victim });
    expect(problem?.detail).toBe('its subject column says "user:mallory", its record "user:alice"');
  });

  it.skipIf(open === undefined)("names a record that was deleted", async () => {
    const { log, db, ids } = await written();
    const victim = ids[9]!;
    const where = await position(db, victim);
    await db.query("DELETE FROM latch_decisions WHERE decision_id = $1::uuid", [victim]);
    const { problem } = await log.verify();
    expect(problem).toMatchObject({ kind: "removed", decisionId: victim, ...where });
  });

  it.skipIf(open === undefined)("names the first of two records swapped", async () => {
    const { log, db, ids } = await written();
    // Two records of one batch: the last two written, in the same batch as each other.
    const [a, b] = [ids[ids.length - 2]!, ids[ids.length - 1]!];
    const [first, second] = [await position(db, a), await position(db, b)];
    expect(first.batch).toBe(second.batch);
    await db.query(
      `UPDATE latch_decisions SET position = CASE WHEN decision_id = $1::uuid THEN $4::int ELSE $3::int END
       WHERE decision_id IN ($1::uuid, $2::uuid)`,
      [a, b, first.position, second.position],
    );
    const { problem } = await log.verify();
    expect(problem).toMatchObject({ kind: "out_of_order", decisionId: a, ...first });
    expect(problem?.detail).toBe(
      `it is at position ${second.position}, written at position ${first.position}`,
    );
  });

  it.skipIf(open === undefined)("names a record inserted into a batch", async () => {
    const { log, db, ids } = await written();
    const template = await position(db, ids[3]!);
    const forged = makeDecision({ subject: "user:mallory" });
    await db.query(
      `INSERT INTO latch_decisions (decided_at, decision_id, batch_seq, position, kind, api_key, subject, actors, resource, permission, result, record)
       SELECT $1::timestamptz, $2::uuid, batch_seq, 99, kind, api_key, 'user:mallory', actors, resource, permission, result, $3
       FROM latch_decisions WHERE decision_id = $4::uuid`,
      [forged.time, forged.decisionId, JSON.stringify({ ...forged, masked: [] }), ids[3]],
    );
    const { problem } = await log.verify();
    expect(problem).toMatchObject({
      kind: "inserted",
      decisionId: forged.decisionId,
      batch: template.batch,
      position: 99,
    });
  });

  it.skipIf(open === undefined)("names a batch removed with its records", async () => {
    const { log, db, ids } = await written();
    const { batch } = await position(db, ids[10]!);
    await db.query("DELETE FROM latch_decisions WHERE batch_seq = $1::bigint", [batch]);
    await db.query("DELETE FROM latch_decision_batches WHERE seq = $1::bigint", [batch]);
    const { problem } = await log.verify();
    expect(problem).toMatchObject({ kind: "removed", batch });
  });
});
