// A proof kept once a day for every record it proves, and the reference each record holds in its place.

import type { SqlQueryable } from "../store/postgres/sql-executor.js";
import { recordHash } from "./chain-hash.js";
import type { Day } from "./decision-partitions.js";
import { dayStart } from "./decision-partitions.js";
import type { DecisionProof } from "./decision-proof.js";
import type { DecisionRecord } from "./decision-record.js";
import type { ProofText } from "./redaction.js";

/** PROOF_REFERENCE_PREFIX starts the proof field of a record whose proof is a row of its own. */
export const PROOF_REFERENCE_PREFIX = "sha256:";

/**
 * StoredProof is a shared proof as the log writes it: its JSON (a row of `latch_decision_proofs`),
 * that JSON's SHA-256, and the text each record holds in its place (`,"proof":"sha256:…"`), which
 * the record's hash covers.
 */
export interface StoredProof {
  readonly json: string;
  readonly hash: Buffer;
  readonly reference: string;
}

const storedProofs = new WeakMap<ProofText, StoredProof>();

/** storedProof is proof as the log writes it: hashed once, however many records it proves. */
export function storedProof(proof: ProofText): StoredProof {
  let stored = storedProofs.get(proof);
  if (stored === undefined) {
    const hash = recordHash(proof.json);
    stored = {
      json: proof.json,
      hash,
      reference: `,"proof":"${PROOF_REFERENCE_PREFIX}${hash.toString("hex")}"`,
    };
    storedProofs.set(proof, stored);
  }
  return stored;
}

const INSERT_PROOFS = `INSERT INTO latch_decision_proofs (day_start, hash, proof)
SELECT $1::timestamptz, decode(p.hash, 'hex'), p.proof FROM unnest($2::text[], $3::text[]) AS p(hash, proof)
ON CONFLICT DO NOTHING`;

/**
 * insertProofs writes proofs as those of day's records, in the transaction of the first batch
 * that refers to them, so that no record is ever committed before its proof. One already there
 * (written by another replica, or before this process forgot it had) is left as it is: a proof
 * row is named by its text's hash, so it can only hold that text.
 */
export async function insertProofs(
  tx: SqlQueryable,
  day: Day,
  proofs: readonly StoredProof[],
): Promise<void> {
  // Equal proofs made apart (each record's own, or after the proof cache forgot one) are one row.
  const rows = new Map(proofs.map((p) => [p.hash.toString("hex"), p.json]));
  if (rows.size === 0) return;
  await tx.query(INSERT_PROOFS, [
    new Date(dayStart(day)).toISOString(),
    [...rows.keys()],
    [...rows.values()],
  ]);
}

/** StoredRecord is a record as its text reads: with its proof, or a reference to its proof's row. */
export type StoredRecord = Omit<DecisionRecord, "proof"> & {
  readonly proof?: DecisionProof | string;
};

/**
 * ProofRow names the proof row a record refers to: the first instant of the record's day
 * (RFC 3339), and the hex SHA-256 of the proof; undefined for a record that holds its proof (or
 * has none).
 */
export interface ProofRow {
  readonly dayStart: string;
  readonly hash: string;
}

const REFERENCE = new RegExp(`^${PROOF_REFERENCE_PREFIX}([0-9a-f]{64})$`);

/** proofRowOf is the proof row record refers to, if it refers to one. */
export function proofRowOf(record: StoredRecord): ProofRow | undefined {
  const { proof, time } = record;
  if (typeof proof !== "string") return undefined;
  const hash = REFERENCE.exec(proof)?.[1];
  // A record's time is RFC 3339 in UTC: its day is its first ten characters.
  return hash === undefined ? undefined : { dayStart: `${time.slice(0, 10)}T00:00:00.000Z`, hash };
}

/** proofKey is how a proof row is found in what {@link readProofRows} returns. */
export function proofKey(row: ProofRow): string {
  return `${row.dayStart}/${row.hash}`;
}

const READ_PROOFS = `SELECT w.i AS i, p.proof FROM unnest($1::timestamptz[], $2::text[]) WITH ORDINALITY AS w(day_start, hash, i)
JOIN latch_decision_proofs p ON p.day_start = w.day_start AND p.hash = decode(w.hash, 'hex')`;

/** readProofRows reads the text of each of rows that the log holds, by {@link proofKey}. */
export async function readProofRows(
  db: SqlQueryable,
  rows: readonly ProofRow[],
): Promise<Map<string, string>> {
  const wanted = [...new Map(rows.map((row) => [proofKey(row), row])).values()];
  const found = new Map<string, string>();
  if (wanted.length === 0) return found;
  const read = await db.query(READ_PROOFS, [
    wanted.map((row) => row.dayStart),
    wanted.map((row) => row.hash),
  ]);
  for (const row of read) found.set(proofKey(wanted[Number(row.i) - 1]!), String(row.proof));
  return found;
}

/**
 * recordsWithoutProofs are the records of rows whose `record` column is their text, each without
 * its proof: for readers that never look at one (alert rules), which are spared reading the
 * proofs' rows.
 */
export function recordsWithoutProofs(
  rows: readonly Readonly<Record<string, unknown>>[],
): DecisionRecord[] {
  return rows.map((row) => {
    const { proof: _reference, ...record } = JSON.parse(String(row.record)) as StoredRecord;
    return record;
  });
}

/**
 * readRecords reads the records of rows whose `record` column is their text: each with its proof,
 * whether its text holds it or refers to its row. A proof whose row is gone reads as unavailable,
 * saying so (verification reports it).
 */
export async function readRecords(
  db: SqlQueryable,
  rows: readonly Readonly<Record<string, unknown>>[],
): Promise<DecisionRecord[]> {
  const records = rows.map((row) => JSON.parse(String(row.record)) as StoredRecord);
  const referred = records.map(proofRowOf);
  const texts = await readProofRows(
    db,
    referred.filter((row): row is ProofRow => row !== undefined),
  );
  const proofs = new Map<string, DecisionProof>();
  return records.map((record, i) => {
    const row = referred[i];
    if (row === undefined) return record as DecisionRecord;
    const key = proofKey(row);
    let proof = proofs.get(key);
    if (proof === undefined) {
      const text = texts.get(key);
      proof =
        text === undefined
          ? { unavailable: `the log no longer holds this record's proof (${record.proof})` }
          : (JSON.parse(text) as DecisionProof);
      proofs.set(key, proof);
    }
    return { ...record, proof };
  });
}
