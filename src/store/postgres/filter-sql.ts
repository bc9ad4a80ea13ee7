// Turns a relationship filter and a visibility rule into parameterized SQL conditions.

import type { RelationshipFilter } from "../store.js";
import { NO_RELATION } from "./relationship-row.js";

/**
 * param appends value to a statement's parameters and returns its placeholder, `$n`, cast to
 * type when given (a cast lets the driver send arrays and timestamps unambiguously).
 */
export function param(params: unknown[], value: unknown, type?: string): string {
  params.push(value);
  return type === undefined ? `$${params.length}` : `$${params.length}::${type}`;
}

/**
 * filterConditions are the SQL conditions, ANDed, that select the relationships matching filter;
 * `= ANY($n)` takes a batch of ids in one statement. An empty list means no condition.
 */
export function filterConditions(filter: RelationshipFilter, params: unknown[]): string[] {
  const conditions: string[] = [];
  const { resourceType, resourceIds, relation, objectRelations } = filter;
  const { subjectType, subjectIds, subjectRelation } = filter;
  if (resourceType !== undefined) conditions.push(`resource_type = ${param(params, resourceType)}`);
  if (resourceIds !== undefined) {
    conditions.push(`resource_id = ANY(${param(params, [...resourceIds], "text[]")})`);
  }
  if (relation !== undefined) conditions.push(`relation = ${param(params, relation)}`);
  if (objectRelations !== undefined) {
    // unnest zips the three arrays into the named sets, exactly (not their cross product); the
    // planner looks each one up in the forward index.
    const [types, ids, relations] = (["type", "id", "relation"] as const).map((part) =>
      param(
        params,
        objectRelations.map((set) => set[part]),
        "text[]",
      ),
    );
    conditions.push(
      `(resource_type, resource_id, relation) IN (SELECT * FROM unnest(${types}, ${ids}, ${relations}))`,
    );
  }
  if (subjectType !== undefined) conditions.push(`subject_type = ${param(params, subjectType)}`);
  if (subjectIds !== undefined) {
    conditions.push(`subject_id = ANY(${param(params, [...subjectIds], "text[]")})`);
  }
  if (subjectRelation !== undefined) {
    const stored = subjectRelation === null ? NO_RELATION : subjectRelation;
    conditions.push(`subject_relation = ${param(params, stored)}`);
  }
  return conditions;
}

/** snapshotConditions select the versions a read at revision sees, hiding those expired at now. */
export function snapshotConditions(revision: number, now: Date, params: unknown[]): string[] {
  const at = param(params, revision, "bigint");
  return [
    `created_rev <= ${at}`,
    `(deleted_rev IS NULL OR deleted_rev > ${at})`,
    notExpired(now, params),
  ];
}

/** liveConditions select the newest versions, hiding those expired at now: the head as writes see it. */
export function liveConditions(now: Date, params: unknown[]): string[] {
  return ["deleted_rev IS NULL", notExpired(now, params)];
}

function notExpired(now: Date, params: unknown[]): string {
  return `(expires_at IS NULL OR expires_at > ${param(params, now.toISOString(), "timestamptz")})`;
}
