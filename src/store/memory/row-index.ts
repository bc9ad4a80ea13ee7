// Indexes every row version by resource and by subject, so that a filter reads only its candidates.

import type { RelationshipFilter } from "../store.js";
import { type ForwardIndex, type SelectOptions, walkForward } from "./forward-walk.js";
import { OrderedMap } from "./ordered-map.js";
import { NO_RELATION, type SubjectIndex, walkReverse } from "./reverse-walk.js";
import type { Row } from "./row.js";
import { RowBucket } from "./row-bucket.js";

/**
 * RowIndex holds every row version, indexed by resource (the forward walk: the rows of
 * `document:a#viewer`) and by subject (the reverse walk: the rows naming `user:alice`). Rows stay
 * until garbage collection prunes them, for old snapshots read them.
 */
export class RowIndex {
  private readonly forward: ForwardIndex = { byType: new OrderedMap(":"), byRelation: new Map() };
  private readonly bySubject: SubjectIndex = new Map();

  /** add indexes a new row version. */
  add(row: Row): void {
    const { resource, relation, subject } = row.relationship;
    const { byType, byRelation } = this.forward;
    byType
      .ensure(resource.type, () => new OrderedMap("#"))
      .ensure(resource.id, () => new OrderedMap("@"))
      .ensure(relation, () => {
        const bucket = new RowBucket();
        const relations = ensure(byRelation, resource.type, () => new Map());
        ensure(relations, relation, () => new Map<string, RowBucket>()).set(resource.id, bucket);
        return bucket;
      })
      .add(row);
    const bySubjectId = ensure(this.bySubject, subject.type, () => new Map());
    const subjectRelations = ensure(bySubjectId, subject.id, () => new Map<string, Row[]>());
    ensure(subjectRelations, subject.relation ?? NO_RELATION, (): Row[] => []).push(row);
  }

  /** prune removes the row versions dead says no snapshot needs, and returns how many. */
  prune(dead: (row: Row) => boolean): number {
    let removed = 0;
    for (const relations of this.forward.byRelation.values()) {
      for (const buckets of relations.values()) {
        for (const bucket of buckets.values()) removed += bucket.prune(dead);
      }
    }
    for (const byId of this.bySubject.values()) {
      for (const byRelation of byId.values()) {
        for (const [relation, rows] of byRelation) {
          byRelation.set(
            relation,
            rows.filter((row) => !dead(row)),
          );
        }
      }
    }
    return removed;
  }

  /**
   * select returns the rows that match filter and pass `accept`, in key order, once each, after
   * `after`, at most `limit`. A filter that names subject ids and no resource ids reads the
   * subject index and sorts what it finds; any other walks the resource index in key order.
   */
  select(filter: RelationshipFilter, options: SelectOptions): Row[] {
    if (filter.subjectIds !== undefined && filter.resourceIds === undefined) {
      return walkReverse(this.bySubject, filter, options);
    }
    return walkForward(this.forward, filter, options);
  }
}

function ensure<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
