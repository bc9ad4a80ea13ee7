// The day partitions of the decision log: made ahead of the records that need them, dropped past retention.

import type { SqlExecutor, SqlQueryable } from "../store/postgres/sql-executor.js";

/** The advisory lock that serializes partition changes between replicas: "LDPART" in ASCII. */
const PARTITION_LOCK_KEY = 0x4c4450415254;

const DAY_MS = 86_400_000;
const PARTITION_NAME = /^latch_decisions_(\d{8})$/;

/** Day is a UTC day as its partitions are named: `20250131`. */
export type Day = string;

/** dayOf is the UTC day of time. */
export function dayOf(time: Date | number): Day {
  return new Date(time).toISOString().slice(0, 10).replaceAll("-", "");
}

/** dayStart is the first instant of day, in milliseconds. */
export function dayStart(day: Day): number {
  return Date.parse(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T00:00:00Z`);
}

/**
 * createDayPartitions makes the partitions of the three tables (records, batches, proofs) for
 * each of days that lacks them, in one transaction holding an advisory lock, so that replicas
 * making the same day at once do not collide. It is DDL, which locks the parent tables briefly: the writer runs it ahead of time
 * (today and tomorrow, every hour), and in a batch's way only for a day it finds missing.
 */
export async function createDayPartitions(db: SqlExecutor, days: Iterable<Day>): Promise<void> {
  const wanted = [...new Set(days)];
  if (wanted.length === 0) return;
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`);
    const existing = new Set(await listDays(tx));
    for (const day of wanted) {
      if (existing.has(day)) continue;
      const from = new Date(dayStart(day)).toISOString();
      const to = new Date(dayStart(day) + DAY_MS).toISOString();
      await tx.exec(
        `CREATE TABLE latch_decisions_${day} PARTITION OF latch_decisions FOR VALUES FROM ('${from}') TO ('${to}');
         CREATE TABLE latch_decision_batches_${day} PARTITION OF latch_decision_batches FOR VALUES FROM ('${from}') TO ('${to}');
         CREATE TABLE latch_decision_proofs_${day} PARTITION OF latch_decision_proofs FOR VALUES FROM ('${from}') TO ('${to}');`,
      );
    }
  });
}

/** listDays lists the days that have a partition, oldest first. */
export async function listDays(db: SqlQueryable): Promise<Day[]> {
  const rows = await db.query(
    `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'latch_decisions'::regclass`,
  );
  return rows
    .map((row) => PARTITION_NAME.exec(String(row.relname))?.[1])
    .filter((day): day is Day => day !== undefined)
    .sort();
}

/** DroppedDays are what {@link dropDaysBefore} removed. */
export interface DroppedDays {
  readonly days: readonly Day[];
  /** The newest batch dropped, now where verification starts; 0 when nothing was dropped. */
  readonly throughSeq: number;
}

/**
 * dropDaysBefore drops the partitions of every day that ended at or before `before`, records,
 * batches and proofs alike, in one transaction that holds the chain's head. It first moves retention's mark
 * to the newest batch it drops, so that the batches kept still chain to a hash the log holds.
 * (Near midnight a batch of the next day may have committed before the last one of the day
 * dropped: such a batch lies behind the mark, and verification passes over it.)
 */
export async function dropDaysBefore(db: SqlExecutor, before: number): Promise<DroppedDays> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`);
    const days = (await listDays(tx)).filter((day) => dayStart(day) + DAY_MS <= before);
    if (days.length === 0) return { days, throughSeq: 0 };
    await tx.query("SELECT seq FROM latch_decision_chain FOR UPDATE");
    const newest = days
      .map((day) => `SELECT seq, hash FROM latch_decision_batches_${day}`)
      .join(" UNION ALL ");
    const [last] = await tx.query(`SELECT seq, hash FROM (${newest}) b ORDER BY seq DESC LIMIT 1`);
    const throughSeq = last === undefined ? 0 : Number(last.seq);
    if (last !== undefined) {
      await tx.query(
        "UPDATE latch_decision_chain SET dropped_seq = $1, dropped_hash = $2 WHERE dropped_seq < $1",
        [last.seq, last.hash],
      );
    }
    for (const day of days) {
      await tx.exec(
        `DROP TABLE latch_decisions_${day}; DROP TABLE latch_decision_batches_${day}; DROP TABLE latch_decision_proofs_${day};`,
      );
    }
    return { days, throughSeq };
  });
}
