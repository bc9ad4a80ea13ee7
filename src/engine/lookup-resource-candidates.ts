// LookupResources' candidate search: from the subject up the schema's reverse edges to the resources that may reach it.

import type { CompiledSchema, Reachability, ReverseEdge } from "../schema/compiled-schema.js";
import type { RelationshipFilter, SnapshotReader } from "../store/store.js";
import type { Relationship, SubjectRef } from "../tuple/relationship.js";
import { WILDCARD } from "../tuple/relationship.js";
import { chunks, QUERY_CHUNK, setAt } from "./lookup-ids.js";

/** CandidateSearch names the resources sought: objects of `resourceType` with `permission` for `subject`. */
export interface CandidateSearch {
  readonly resourceType: string;
  readonly permission: string;
  readonly subject: SubjectRef;
}

/**
 * findResourceCandidates returns the ids of every `resourceType` object from which some chain of
 * stored relationships, along the schema's reverse edges, leads to the subject (directly, as a
 * wildcard, through subject sets and arrows, or from the subject itself where a permission of its
 * type holds `self`). It over-approximates: intersections and exclusions are walked like unions,
 * so every candidate still needs a check; but every resource where the subject has the
 * permission (or may have it, under a caveat) is among them, since each of those has such a
 * chain. Cycles in the data end because each object is walked once per relation.
 */
export async function findResourceCandidates(
  schema: CompiledSchema,
  reader: SnapshotReader,
  search: CandidateSearch,
): Promise<Set<string>> {
  const { reachability } = schema;
  const { subject } = search;
  const target = setKey(search.resourceType, search.permission);
  const starts = startingSets(reachability, subject);
  const relevant = setsLeadingTo(reachability, [...starts.keys()], target);

  const reached = new Map<string, Set<string>>();
  let pending = new Map<string, Set<string>>();
  const add = (type: string, name: string, ids: Iterable<string>) => {
    const key = setKey(type, name);
    if (!relevant.has(key)) return;
    const seen = setAt(reached, key);
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      setAt(pending, key).add(id);
    }
  };
  const addResources = (type: string, name: string, rows: readonly Relationship[]) =>
    add(
      type,
      name,
      rows.map((row) => row.resource.id),
    );

  if (subject.relation !== undefined) {
    add(subject.type, subject.relation, [subject.id]);
  } else {
    await Promise.all(
      [...starts].map(async ([key, start]) => {
        if (!relevant.has(key)) return;
        const [type, relation] = splitKey(key);
        // `self` holds the subject itself, stored nowhere; no object is the wildcard.
        if (start === "self") {
          if (subject.id !== WILDCARD) add(type, relation, [subject.id]);
          return;
        }
        const wildcard = start === "wildcard";
        const subjectIds =
          wildcard && subject.id !== WILDCARD ? [subject.id, WILDCARD] : [subject.id];
        const rows = await reader.query({
          resourceType: type,
          relation,
          subjectType: subject.type,
          subjectIds,
          subjectRelation: null,
        });
        addResources(type, relation, rows);
      }),
    );
  }

  while (pending.size > 0) {
    const round = pending;
    pending = new Map();
    const reads: Promise<void>[] = [];
    const read = (filter: RelationshipFilter, then: (rows: Relationship[]) => void) =>
      reads.push(reader.query(filter).then(then));
    for (const [key, fresh] of round) {
      const [type, name] = splitKey(key);
      const ids = [...fresh];
      for (const edges of groupEdges(reachability.usesOf(type, name), relevant).values()) {
        const [first] = edges;
        if (first?.kind === "computed") {
          add(first.type, first.name, ids);
          continue;
        }
        for (const slice of chunks(ids, QUERY_CHUNK)) {
          if (first?.kind === "subject-set") {
            read(
              {
                resourceType: first.type,
                relation: first.name,
                subjectType: type,
                subjectIds: slice,
                subjectRelation: name,
              },
              (rows) => addResources(first.type, first.name, rows),
            );
          } else if (first?.kind === "arrow") {
            // An arrow walks to the related object whatever the subject relation, never to a wildcard.
            read(
              {
                resourceType: first.type,
                relation: first.tupleset,
                subjectType: type,
                subjectIds: slice,
              },
              (rows) => {
                const related = rows.filter((row) => row.subject.id !== WILDCARD);
                for (const edge of edges) addResources(edge.type, edge.name, related);
              },
            );
          }
        }
      }
    }
    await Promise.all(reads);
  }
  return reached.get(target) ?? new Set();
}

/**
 * Start is how a starting set holds the subject: stored as the object, stored as the object or
 * its type's wildcard, or as the object itself (`self`, stored nowhere).
 */
type Start = "object" | "wildcard" | "self";

/**
 * startingSets are the sets that can hold the subject: for an object, each relation that admits
 * its type (as a wildcard too, or not) and each permission of its type that holds `self`; for a
 * subject set, that set.
 */
function startingSets(reachability: Reachability, subject: SubjectRef): Map<string, Start> {
  const starts = new Map<string, Start>();
  if (subject.relation !== undefined) {
    starts.set(setKey(subject.type, subject.relation), "object");
    return starts;
  }
  for (const entry of reachability.directEntries(subject.type)) {
    const key = setKey(entry.type, entry.relation);
    if (entry.self) starts.set(key, "self");
    else if (entry.wildcard || starts.get(key) === undefined)
      starts.set(key, entry.wildcard ? "wildcard" : "object");
  }
  return starts;
}

/**
 * setsLeadingTo finds, from the schema alone, the sets reachable from `starts` along reverse
 * edges that can lead on to `target`: the only ones worth reading.
 */
function setsLeadingTo(
  reachability: Reachability,
  starts: readonly string[],
  target: string,
): Set<string> {
  const users = new Map<string, Set<string>>();
  const seen = new Set(starts);
  const stack = [...starts];
  for (let key = stack.pop(); key !== undefined; key = stack.pop()) {
    const [type, name] = splitKey(key);
    for (const edge of reachability.usesOf(type, name)) {
      const next = setKey(edge.type, edge.name);
      setAt(users, next).add(key);
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  const relevant = new Set<string>();
  if (!seen.has(target)) return relevant;
  relevant.add(target);
  const back = [target];
  for (let key = back.pop(); key !== undefined; key = back.pop()) {
    for (const from of users.get(key) ?? []) {
      if (relevant.has(from)) continue;
      relevant.add(from);
      back.push(from);
    }
  }
  return relevant;
}

/**
 * groupEdges keeps the edges into relevant sets, grouping arrows over one tupleset so that one
 * read of the tupleset serves every permission that walks it.
 */
function groupEdges(
  edges: readonly ReverseEdge[],
  relevant: ReadonlySet<string>,
): Map<string, ReverseEdge[]> {
  const groups = new Map<string, ReverseEdge[]>();
  for (const edge of edges) {
    if (!relevant.has(setKey(edge.type, edge.name))) continue;
    const key =
      edge.kind === "arrow"
        ? `arrow:${edge.type}#${edge.tupleset}`
        : `${edge.kind}:${edge.type}#${edge.name}`;
    const group = groups.get(key);
    if (group) group.push(edge);
    else groups.set(key, [edge]);
  }
  return groups;
}

function setKey(type: string, name: string): string {
  return `${type}#${name}`;
}

function splitKey(key: string): [string, string] {
  const separator = key.lastIndexOf("#");
  return [key.slice(0, separator), key.slice(separator + 1)];
}
