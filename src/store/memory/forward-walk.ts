// Reads rows through the resource index in key order, so that a page stops at its limit.

import { NamedSets } from "../named-sets.js";
import type { RelationshipFilter } from "../store.js";
import { fieldsTest, type RelationshipTest, subjectTest, typeTestOf } from "./filter-match.js";
import { firstAfter, type OrderedMap } from "./ordered-map.js";
import type { Row } from "./row.js";
import { firstKeyAfter, firstKeyAt, type RowBucket } from "./row-bucket.js";

/** SelectOptions bound a read: which row versions it sees, and the page it wants. */
export interface SelectOptions {
  /** Whether the reader sees the row version: visible in its snapshot, or live at the head. */
  readonly accept: (row: Row) => boolean;
  readonly after?: string;
  readonly limit?: number;
}

/** ForwardIndex holds the same buckets two ways: ordered for scans, by relation for lookups. */
export interface ForwardIndex {
  /** type → id → relation, each level listable in key order. */
  readonly byType: OrderedMap<OrderedMap<OrderedMap<RowBucket>>>;
  /** type → relation → id, one map per relation: fewer cache misses for the engine's lookups. */
  readonly byRelation: Map<string, Map<string, Map<string, RowBucket>>>;
}

interface Walk {
  readonly out: Row[];
  readonly max: number;
  readonly test: RelationshipTest | undefined;
  readonly accept: (row: Row) => boolean;
  readonly after: string | undefined;
}

/**
 * walkForward returns the rows that match filter and pass `accept`, in key order, once each, after
 * `after`, at most `limit`: it reads only the types, ids and relations that filter names (all of
 * them where it names none), in key order, and stops at the limit; or only the sets it names.
 */
export function walkForward(
  index: ForwardIndex,
  filter: RelationshipFilter,
  options: SelectOptions,
): Row[] {
  const walk: Walk = {
    out: [],
    max: options.limit ?? Number.POSITIVE_INFINITY,
    test: subjectTest(filter),
    accept: options.accept,
    after: options.after,
  };
  if (walk.max === 0) return walk.out;
  if (filter.objectRelations !== undefined) return walkSets(walk, index, filter);
  const { resourceType, resourceIds, relation } = filter;
  const typeAllowed = typeTestOf(filter);
  if (resourceType !== undefined && typeAllowed !== undefined && !typeAllowed(resourceType)) {
    return walk.out;
  }
  const prefix = filter.resourceIdPrefix;
  const ids = resourceIds === undefined ? undefined : withPrefix(sortedIds(resourceIds), prefix);
  if (resourceType !== undefined && ids !== undefined && relation !== undefined) {
    const byId = index.byRelation.get(resourceType)?.get(relation);
    if (byId !== undefined) walkIds(walk, resourceType, ids, byId);
    return walk.out;
  }
  const types = resourceType === undefined ? index.byType.parts() : [resourceType];
  const { after } = walk;
  const start = after === undefined ? 0 : firstAfter(types, (type) => `${type}:`, after);
  for (let t = start; t < types.length; t++) {
    const type = types[t]!;
    if (typeAllowed !== undefined && !typeAllowed(type)) continue;
    const byId = index.byType.get(type);
    const list = ids ?? (byId === undefined ? undefined : withPrefix(byId.parts(), prefix));
    if (byId !== undefined && walkType(walk, type, byId, list, relation)) break;
  }
  return walk.out;
}

/** SetPart is what a walk reads of a set's bucket: all of it, or the rows with these keys, sorted. */
interface SetPart {
  readonly bucket: RowBucket;
  readonly keys?: readonly string[];
}

/**
 * walkSets reads the buckets of the sets that filter names (and its other resource fields allow),
 * in key order: a bucket's rows all start `type:id#relation@`, so its first key places it. Of a
 * set named with subjects it reads only their keys, a binary search each, however many
 * relationships the set holds.
 */
function walkSets(walk: Walk, index: ForwardIndex, filter: RelationshipFilter): Row[] {
  const allowed = fieldsTest(filter);
  const parts: SetPart[] = [];
  for (const { type, id, relation, subjects } of new NamedSets(filter.objectRelations!).list()) {
    if (allowed !== undefined && !allowed(type, id, relation)) continue;
    const bucket = index.byRelation.get(type)?.get(relation)?.get(id);
    if (bucket === undefined || bucket.ordered().length === 0) continue;
    if (subjects === "all") {
      parts.push({ bucket });
    } else {
      // The keys of one set sort as their subjects do: they share everything before them.
      const keys = [...subjects.keys()]
        .sort()
        .map((subject) => `${type}:${id}#${relation}@${subject}`);
      parts.push({ bucket, keys });
    }
  }
  if (!inKeyOrder(parts)) parts.sort(compareFirstKeys);
  for (const { bucket, keys } of parts) {
    if (keys === undefined ? walkBucket(walk, bucket) : walkKeys(walk, bucket, keys)) break;
  }
  return walk.out;
}

function inKeyOrder(parts: readonly SetPart[]): boolean {
  for (let i = 1; i < parts.length; i++) {
    if (compareFirstKeys(parts[i - 1]!, parts[i]!) > 0) return false;
  }
  return true;
}

function compareFirstKeys(a: SetPart, b: SetPart): number {
  const first = a.bucket.ordered()[0]!.key;
  const second = b.bucket.ordered()[0]!.key;
  return first < second ? -1 : first > second ? 1 : 0;
}

/** walkIds walks the engine's forward walk: named ids of one type and relation. */
function walkIds(
  walk: Walk,
  type: string,
  ids: readonly string[],
  byId: Map<string, RowBucket>,
): void {
  const { after } = walk;
  const start = after === undefined ? 0 : firstAfter(ids, (id) => `${type}:${id}#`, after);
  for (let i = start; i < ids.length; i++) {
    const bucket = byId.get(ids[i]!);
    if (bucket !== undefined && walkBucket(walk, bucket)) return;
  }
}

/** walkType walks the rows of one resource type; it returns true once the walk is full. */
function walkType(
  walk: Walk,
  type: string,
  byId: OrderedMap<OrderedMap<RowBucket>>,
  ids: readonly string[] | undefined,
  relation: string | undefined,
): boolean {
  const list = ids ?? byId.parts();
  const { after } = walk;
  const start = after === undefined ? 0 : firstAfter(list, (id) => `${type}:${id}#`, after);
  for (let i = start; i < list.length; i++) {
    const id = list[i]!;
    const byRelation = byId.get(id);
    if (byRelation === undefined) continue;
    if (relation !== undefined) {
      const bucket = byRelation.get(relation);
      if (bucket !== undefined && walkBucket(walk, bucket)) return true;
      continue;
    }
    const relations = byRelation.parts();
    const first =
      after === undefined ? 0 : firstAfter(relations, (name) => `${type}:${id}#${name}@`, after);
    for (let r = first; r < relations.length; r++) {
      if (walkBucket(walk, byRelation.get(relations[r]!)!)) return true;
    }
  }
  return false;
}

function walkBucket(walk: Walk, bucket: RowBucket): boolean {
  const { after } = walk;
  const rows = bucket.ordered();
  for (let k = after === undefined ? 0 : firstKeyAfter(rows, after); k < rows.length; k++) {
    if (take(walk, rows[k]!)) return true;
  }
  return false;
}

/** walkKeys walks the rows of bucket with the given keys, in key order; it returns true once the walk is full. */
function walkKeys(walk: Walk, bucket: RowBucket, keys: readonly string[]): boolean {
  const { after } = walk;
  const rows = bucket.ordered();
  for (const key of keys) {
    if (after !== undefined && key <= after) continue;
    // The versions of one relationship share its key, and lie together.
    for (let k = firstKeyAt(rows, key); k < rows.length && rows[k]!.key === key; k++) {
      if (take(walk, rows[k]!)) return true;
    }
  }
  return false;
}

/** take adds row to the walk's rows if it passes the walk's tests; it returns true once the walk is full. */
function take(walk: Walk, row: Row): boolean {
  const { out, test, accept } = walk;
  if (accept(row) && (test === undefined || test(row.relationship))) {
    out.push(row);
    return out.length >= walk.max;
  }
  return false;
}

/** withPrefix keeps the ids that start with prefix, in their order; all of them without one. */
function withPrefix(ids: readonly string[], prefix: string | undefined): readonly string[] {
  return prefix === undefined ? ids : ids.filter((id) => id.startsWith(prefix));
}

/** sortedIds puts ids in key order ('#' follows an id and sorts below every id character), once each. */
function sortedIds(ids: readonly string[]): readonly string[] {
  if (isStrictlyAscending(ids)) return ids;
  const sorted = [...ids].sort();
  let kept = 1;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] !== sorted[kept - 1]) sorted[kept++] = sorted[i]!;
  }
  sorted.length = kept;
  return sorted;
}

function isStrictlyAscending(ids: readonly string[]): boolean {
  for (let i = 1; i < ids.length; i++) if (!(ids[i - 1]! < ids[i]!)) return false;
  return true;
}
