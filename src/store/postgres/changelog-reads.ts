// Reads the changelog from a position: the catch-up reads behind every watch.

import { revision } from "../../revision/revision.js";
import type { ChangeEvent, ChangeKind } from "../store.js";
import { SELECT_RELATIONSHIP, toNumber, toRelationship } from "./relationship-row.js";
import type { SqlQueryable, SqlRow } from "./sql-executor.js";

/**
 * ChangelogPosition is a place in the changelog: after the event at (revision, seq). Positions
 * grow in commit order, so reading past one never skips an event committed later.
 */
export interface ChangelogPosition {
  readonly revision: number;
  readonly seq: number;
}

/** The largest seq: a position at (revision, LAST_SEQ) is after every event of revision. */
const LAST_SEQ = 2 ** 31 - 1;

/** afterRevision is the position after every event of revision `at`. */
export function afterRevision(at: number): ChangelogPosition {
  return { revision: at, seq: LAST_SEQ };
}

/** comparePositions orders positions: negative when a comes first, 0 when equal, else positive. */
export function comparePositions(a: ChangelogPosition, b: ChangelogPosition): number {
  return a.revision === b.revision ? a.seq - b.seq : a.revision - b.revision;
}

/**
 * startPosition is where a watch after revision `after` starts: after every event of `after`
 * (a revision's events commit together, so none can come later). It also returns the head and
 * oldest revisions, read in one snapshot.
 */
export async function startPosition(
  q: SqlQueryable,
  after: number,
): Promise<{
  readonly head: number;
  readonly oldest: number;
  readonly position: ChangelogPosition;
}> {
  const [row = {}] = await q.query(
    `SELECT (SELECT revision FROM latch_revision) AS head,
      (SELECT oldest_revision FROM latch_store) AS oldest`,
  );
  return {
    head: toNumber(row, "head"),
    oldest: toNumber(row, "oldest"),
    position: afterRevision(after),
  };
}

/** ChangelogEntry is an event and its position. */
export interface ChangelogEntry {
  readonly position: ChangelogPosition;
  readonly event: ChangeEvent;
}

/**
 * ChangelogRead is a batch of events and the oldest revision, read in one snapshot; `through` is
 * set when the batch holds every event committed after the position it was read from: then the
 * reader has read every event up to that position (after the head revision).
 */
export interface ChangelogRead {
  readonly oldest: number;
  readonly entries: ChangelogEntry[];
  readonly through?: ChangelogPosition;
}

/**
 * readChanges reads at most limit events after position, in order, and the oldest and head
 * revisions in the same snapshot: a position before the oldest may have lost events to garbage
 * collection, and a batch shorter than limit read everything up to the head (a revision's events
 * commit with the counter that gives it).
 */
export async function readChanges(
  q: SqlQueryable,
  position: ChangelogPosition,
  limit: number,
): Promise<ChangelogRead> {
  // The outer join yields one row even when there is no event, to carry the oldest revision.
  const rows = await q.query(
    `SELECT store.oldest_revision, (SELECT revision FROM latch_revision) AS head, change.*
    FROM latch_store store LEFT JOIN LATERAL (
      SELECT revision, seq, kind, ${SELECT_RELATIONSHIP} FROM latch_changelog
      WHERE (revision, seq) > ($1::bigint, $2::int) ORDER BY revision, seq LIMIT $3
    ) change ON true`,
    [position.revision, position.seq, limit],
  );
  const first = rows[0] ?? {};
  const oldest = toNumber(first, "oldest_revision");
  const entries = rows.filter((row) => row.revision !== null).map(toEntry);
  if (entries.length === limit) return { oldest, entries };
  return { oldest, entries, through: afterRevision(toNumber(first, "head")) };
}

function toEntry(row: SqlRow): ChangelogEntry {
  const at = toNumber(row, "revision");
  return {
    position: { revision: at, seq: toNumber(row, "seq") },
    event: {
      revision: revision(at),
      kind: row.kind as ChangeKind,
      relationship: toRelationship(row),
    },
  };
}
