// Reads rows through the subject index, for filters that name subjects and not resources.

import type { RelationshipFilter } from "../store.js";
import { type RelationshipTest, resourceTest } from "./filter-match.js";
import type { SelectOptions } from "./forward-walk.js";
import type { Row } from "./row.js";
import { sortUnique } from "./sort-unique.js";

/** NO_RELATION is the subject index's relation for a subject that is an object itself. */
export const NO_RELATION = "";

/** SubjectIndex maps subject type → id → relation (or {@link NO_RELATION}) → rows, in no order. */
export type SubjectIndex = Map<string, Map<string, Map<string, Row[]>>>;

/**
 * walkReverse returns the rows whose subject filter names (it must set `subjectIds`) that match
 * the rest of filter and pass `accept`, sorted by key, once each, after `after`, at most `limit`.
 */
export function walkReverse(
  index: SubjectIndex,
  filter: RelationshipFilter,
  options: SelectOptions,
): Row[] {
  const { subjectType, subjectIds = [], subjectRelation } = filter;
  const { accept, after, limit } = options;
  const test = resourceTest(filter);
  const relation = subjectRelation === null ? NO_RELATION : subjectRelation;
  const types = subjectType === undefined ? index.keys() : [subjectType];
  const out: Row[] = [];
  for (const type of types) {
    const byId = index.get(type);
    if (byId === undefined) continue;
    for (const id of subjectIds) {
      const byRelation = byId.get(id);
      if (byRelation === undefined) continue;
      if (relation !== undefined) {
        const rows = byRelation.get(relation);
        if (rows !== undefined) collect(rows, test, accept, after, out);
      } else {
        for (const rows of byRelation.values()) collect(rows, test, accept, after, out);
      }
    }
  }
  sortUnique(out);
  if (limit !== undefined && out.length > limit) out.length = limit;
  return out;
}

function collect(
  rows: readonly Row[],
  test: RelationshipTest | undefined,
  accept: (row: Row) => boolean,
  after: string | undefined,
  out: Row[],
): void {
  for (const row of rows) {
    if ((after === undefined || row.key > after) && accept(row)) {
      if (test === undefined || test(row.relationship)) out.push(row);
    }
  }
}
