// Turns a relationship filter and a visibility rule into parameterized SQL conditions.

import type { SubjectRef } from "../../tuple/relationship.js";
import { relationshipKey } from "../../tuple/relationship-key.js";
import { asObjectRelation, type NamedSet, NamedSets } from "../named-sets.js";
import type { ObjectRelation, RelationshipFilter } from "../store.js";
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
  if (filter.exceptResourceTypePrefix !== undefined) {
    conditions.push(
      `NOT starts_with(resource_type, ${param(params, filter.exceptResourceTypePrefix)})`,
    );
  }
  if (resourceIds !== undefined) {
    conditions.push(`resource_id = ANY(${param(params, [...resourceIds], "text[]")})`);
  }
  if (filter.resourceIdPrefix !== undefined) {
    const prefix = filter.resourceIdPrefix;
    // LIKE's default escape character is the backslash: the prefix matches literally. The range
    // lets a generic plan use the index (the column sorts bytewise, COLLATE "C"): every id
    // character sorts below `~`, so the ids starting with prefix lie in [prefix, prefix + "~").
    const pattern = `${prefix.replace(/[\\%_]/g, "\\$&")}%`;
    conditions.push(
      `resource_id >= ${param(params, prefix)}`,
      `resource_id < ${param(params, `${prefix}~`)}`,
      `resource_id LIKE ${param(params, pattern)}`,
    );
  }
  if (relation !== undefined) conditions.push(`relation = ${param(params, relation)}`);
  if (objectRelations !== undefined) conditions.push(namedSetsCondition(objectRelations, params));
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

/**
 * namedSetsCondition selects the relationships of the named sets: whole sets by the forward
 * index, where unnest zips the three arrays into the sets, exactly (not their cross product); the
 * relationships of the subjects a set names by their keys, the primary key's first column. The
 * two together are ORed, which the planner can only scan for: a read asks them apart (see
 * {@link disjointBranches}).
 */
function namedSetsCondition(sets: readonly ObjectRelation[], params: unknown[]): string {
  const { whole, bySubjects } = split(sets);
  const keys = bySubjects.flatMap(({ type, id, relation, subjects }) =>
    [...subjects.values()].map((subject) =>
      relationshipKey({ resource: { type, id }, relation, subject }),
    ),
  );
  const conditions: string[] = [];
  // No set at all selects nothing: the empty list of whole sets says so.
  if (whole.length > 0 || keys.length === 0) {
    const [types, ids, relations] = (["type", "id", "relation"] as const).map((part) =>
      param(
        params,
        whole.map((set) => set[part]),
        "text[]",
      ),
    );
    conditions.push(
      `(resource_type, resource_id, relation) IN (SELECT * FROM unnest(${types}, ${ids}, ${relations}))`,
    );
  }
  if (keys.length > 0) conditions.push(`rel_key = ANY(${param(params, keys, "text[]")})`);
  return conditions.length === 1 ? conditions[0]! : `(${conditions.join(" OR ")})`;
}

/**
 * disjointBranches splits a filter whose named sets mix whole sets and sets with subjects into
 * two disjoint filters that select together what it selects, so that a read asks each by its own
 * index and unites them; any other filter is its own one branch.
 */
export function disjointBranches(filter: RelationshipFilter): readonly RelationshipFilter[] {
  if (filter.objectRelations === undefined) return [filter];
  const { whole, bySubjects } = split(filter.objectRelations);
  if (whole.length === 0 || bySubjects.length === 0) return [filter];
  return [
    { ...filter, objectRelations: whole.map(asObjectRelation) },
    { ...filter, objectRelations: bySubjects.map(asObjectRelation) },
  ];
}

/** split parts the named sets, each once, into those read whole and those read by subjects. */
function split(sets: readonly ObjectRelation[]) {
  const whole: NamedSet[] = [];
  const bySubjects: (NamedSet & { subjects: ReadonlyMap<string, SubjectRef> })[] = [];
  for (const set of new NamedSets(sets).list()) {
    const { subjects } = set;
    if (subjects === "all") whole.push(set);
    else bySubjects.push({ ...set, subjects });
  }
  return { whole, bySubjects };
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
