// Reachability: the reverse graph from subject types up to the permissions they can reach, for lookups.

import type {
  DirectEntry,
  MemberDefinition,
  ObjectDefinition,
  Reachability,
  ReverseEdge,
  Rewrite,
} from "./compiled-schema.js";

/** buildReachability computes reverse edges, direct entry points and which subject types reach what. */
export function buildReachability(
  definitions: ReadonlyMap<string, ObjectDefinition>,
): Reachability {
  const uses = new Map<string, ReverseEdge[]>();
  const entries = new Map<string, DirectEntry[]>();
  const addTo = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const member = (type: string, name: string) => definitions.get(type)?.members.get(name);

  for (const definition of definitions.values()) {
    for (const m of definition.members.values()) {
      if (m.kind === "relation") {
        for (const subject of m.allowedSubjects) {
          if (subject.relation) {
            addTo(uses, setKey(subject.type, subject.relation), {
              kind: "subject-set",
              type: m.definition,
              name: m.name,
            });
          } else {
            addTo(entries, subject.type, {
              type: m.definition,
              relation: m.name,
              wildcard: subject.wildcard,
            });
          }
        }
        continue;
      }
      for (const leaf of leaves(m.rewrite)) {
        if (leaf.kind === "computed") {
          addTo(uses, setKey(m.definition, leaf.name), {
            kind: "computed",
            type: m.definition,
            name: m.name,
          });
        } else if (leaf.kind === "arrow") {
          const tupleset = member(m.definition, leaf.tupleset);
          for (const subjectType of subjectTypesOf(tupleset)) {
            if (!member(subjectType, leaf.target)) continue;
            addTo(uses, setKey(subjectType, leaf.target), {
              kind: "arrow",
              type: m.definition,
              name: m.name,
              tupleset: leaf.tupleset,
              function: leaf.function,
            });
          }
        }
      }
    }
  }

  const reachable = computeReachableSubjectTypes(definitions);
  const recursive = computeRecursiveSets(uses);
  return {
    usesOf: (type, name) => uses.get(setKey(type, name)) ?? [],
    directEntries: (subjectType) => entries.get(subjectType) ?? [],
    canReach: (type, name, subjectType) =>
      reachable.get(setKey(type, name))?.has(subjectType) ?? false,
    isRecursive: (type, name) => recursive.has(setKey(type, name)),
  };
}

/**
 * computeRecursiveSets finds the sets that can reach themselves along the reverse edges: those in
 * a strongly connected component of more than one set, or with an edge to themselves (Tarjan's
 * algorithm, iterative, linear in the size of the graph).
 */
function computeRecursiveSets(uses: ReadonlyMap<string, readonly ReverseEdge[]>): Set<string> {
  const next = (key: string) => (uses.get(key) ?? []).map((edge) => setKey(edge.type, edge.name));
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const recursive = new Set<string>();
  let counter = 0;
  for (const root of uses.keys()) {
    if (index.has(root)) continue;
    const frames: { key: string; successors: string[]; position: number }[] = [];
    const enter = (key: string) => {
      index.set(key, counter);
      lowLink.set(key, counter++);
      stack.push(key);
      onStack.add(key);
      frames.push({ key, successors: next(key), position: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames.at(-1)!;
      if (frame.position < frame.successors.length) {
        const successor = frame.successors[frame.position++]!;
        if (successor === frame.key) recursive.add(successor);
        if (!index.has(successor)) enter(successor);
        else if (onStack.has(successor))
          lowLink.set(frame.key, Math.min(lowLink.get(frame.key)!, index.get(successor)!));
        continue;
      }
      frames.pop();
      const parent = frames.at(-1);
      if (parent)
        lowLink.set(parent.key, Math.min(lowLink.get(parent.key)!, lowLink.get(frame.key)!));
      if (lowLink.get(frame.key) !== index.get(frame.key)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.key);
      if (component.length > 1) for (const key of component) recursive.add(key);
    }
  }
  return recursive;
}

function setKey(type: string, name: string): string {
  return `${type}#${name}`;
}

function subjectTypesOf(relation: MemberDefinition | undefined): string[] {
  if (relation?.kind !== "relation") return [];
  return [...new Set(relation.allowedSubjects.map((s) => s.type))];
}

function leaves(rewrite: Rewrite): Rewrite[] {
  switch (rewrite.kind) {
    case "union":
    case "intersection":
      return rewrite.children.flatMap(leaves);
    case "exclusion":
      return [...leaves(rewrite.base), ...leaves(rewrite.subtracted)];
    default:
      return [rewrite];
  }
}

/**
 * computeReachableSubjectTypes finds, by fixpoint, the object types whose objects can hold each
 * relation or permission. It over-approximates (an intersection counts as a union), which is
 * what pruning needs: a type missing from the set can never hold the permission.
 */
function computeReachableSubjectTypes(
  definitions: ReadonlyMap<string, ObjectDefinition>,
): Map<string, Set<string>> {
  const reachable = new Map<string, Set<string>>();
  const dependents = new Map<string, string[]>();
  const dependOn = (source: string, dependent: string) => {
    const list = dependents.get(source);
    if (list) list.push(dependent);
    else dependents.set(source, [dependent]);
  };
  for (const definition of definitions.values()) {
    for (const m of definition.members.values()) {
      const key = setKey(m.definition, m.name);
      const types = new Set<string>();
      reachable.set(key, types);
      if (m.kind === "relation") {
        for (const subject of m.allowedSubjects) {
          if (subject.relation) dependOn(setKey(subject.type, subject.relation), key);
          else types.add(subject.type);
        }
        continue;
      }
      for (const leaf of positiveLeaves(m.rewrite)) {
        if (leaf.kind === "computed") dependOn(setKey(m.definition, leaf.name), key);
        if (leaf.kind !== "arrow") continue;
        const tupleset = definition.members.get(leaf.tupleset);
        for (const type of subjectTypesOf(tupleset)) dependOn(setKey(type, leaf.target), key);
      }
    }
  }
  // Propagate along the dependencies until nothing grows.
  const pending = [...reachable.keys()].filter((key) => reachable.get(key)!.size > 0);
  while (pending.length > 0) {
    const source = pending.pop()!;
    const types = reachable.get(source)!;
    for (const dependent of dependents.get(source) ?? []) {
      const target = reachable.get(dependent);
      if (!target) continue;
      const before = target.size;
      for (const type of types) target.add(type);
      if (target.size !== before) pending.push(dependent);
    }
  }
  return reachable;
}

/** positiveLeaves lists the leaves that can grant: everything but the subtracted side of exclusions. */
function positiveLeaves(rewrite: Rewrite): Rewrite[] {
  switch (rewrite.kind) {
    case "union":
    case "intersection":
      return rewrite.children.flatMap(positiveLeaves);
    case "exclusion":
      return positiveLeaves(rewrite.base);
    default:
      return [rewrite];
  }
}
