// How a relationship maps to the columns of latch_relationships and latch_changelog, both ways.

import { canonicalJson } from "../../tuple/canonical-json.js";
import type { Relationship } from "../../tuple/relationship.js";
import type { SqlRow } from "./sql-executor.js";

/** NO_RELATION is the stored subject_relation of a subject that is an object itself. */
export const NO_RELATION = "";

/** RELATIONSHIP_COLUMNS are the stored columns of a relationship, in the order of {@link relationshipArrays}. */
export const RELATIONSHIP_COLUMNS =
  "resource_type, resource_id, relation, subject_type, subject_id, subject_relation, caveat_name, caveat_context, expires_at";

const ARRAY_TYPES = [
  "text[]",
  "text[]",
  "text[]",
  "text[]",
  "text[]",
  "text[]",
  "text[]",
  "json[]",
  "timestamptz[]",
];

/**
 * unnestRelationships is the list of casts, `$first::text[], …`, that passes the arrays of
 * {@link relationshipArrays} to `unnest(…)`, which turns them into rows of {@link RELATIONSHIP_COLUMNS}.
 */
export function unnestRelationships(first: number): string {
  return ARRAY_TYPES.map((type, i) => `$${first + i}::${type}`).join(", ");
}

/**
 * SELECT_RELATIONSHIP is the select list that {@link toRelationship} reads: the context as the
 * exact text written, the expiry in epoch milliseconds, so that no driver's decoding changes them.
 */
export const SELECT_RELATIONSHIP =
  "resource_type, resource_id, relation, subject_type, subject_id, subject_relation, caveat_name, caveat_context::text AS caveat_context, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at_ms";

/** toRelationship reads a row selected by {@link SELECT_RELATIONSHIP}. */
export function toRelationship(row: SqlRow): Relationship {
  const subjectRelation = text(row, "subject_relation");
  const subject = { type: text(row, "subject_type"), id: text(row, "subject_id") };
  const caveatName = row.caveat_name;
  const context = row.caveat_context;
  const expiresAtMs = row.expires_at_ms;
  return {
    resource: { type: text(row, "resource_type"), id: text(row, "resource_id") },
    relation: text(row, "relation"),
    subject: subjectRelation === NO_RELATION ? subject : { ...subject, relation: subjectRelation },
    ...(typeof caveatName !== "string"
      ? {}
      : {
          caveat:
            typeof context === "string"
              ? { name: caveatName, context: JSON.parse(context) as Record<string, unknown> }
              : { name: caveatName },
        }),
    ...(expiresAtMs === null || expiresAtMs === undefined
      ? {}
      : { expiresAt: new Date(Math.round(Number(expiresAtMs))) }),
  };
}

/**
 * relationshipArrays lays rels out as one array per column of {@link RELATIONSHIP_COLUMNS}, so
 * that one statement writes them all. The context is canonical JSON, which keeps `-0`; the expiry
 * an ISO timestamp.
 */
export function relationshipArrays(rels: readonly Relationship[]): unknown[][] {
  const columns: unknown[][] = ARRAY_TYPES.map(() => new Array(rels.length));
  rels.forEach((rel, i) => {
    const values = [
      rel.resource.type,
      rel.resource.id,
      rel.relation,
      rel.subject.type,
      rel.subject.id,
      rel.subject.relation ?? NO_RELATION,
      rel.caveat?.name ?? null,
      rel.caveat?.context === undefined ? null : canonicalJson(rel.caveat.context),
      rel.expiresAt?.toISOString() ?? null,
    ];
    values.forEach((value, column) => {
      columns[column]![i] = value;
    });
  });
  return columns;
}

/** toNumber reads a bigint or integer column, which drivers return as a number or a string. */
export function toNumber(row: SqlRow, column: string): number {
  const value = Number(row[column]);
  if (!Number.isSafeInteger(value)) {
    throw new Error(`expected an integer in column ${column}, got ${String(row[column])}`);
  }
  return value;
}

function text(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== "string") {
    throw new Error(`expected text in column ${column}, got ${typeof value}`);
  }
  return value;
}
