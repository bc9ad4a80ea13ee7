// Reachability: the reverse graph from subject types up to the permissions they can reach, for lookups.

import type {
  DirectEntry,
  MemberDefinition,
  ObjectDefinition,
  Reachability,
  ReverseEdge,
  Rewrite,
} from "./compiled-schema.js";

/**
 * buildReachability computes reverse edges, direct entry points and which subject types reach
 * what. Building is linear in the schema; which sets a subject type reaches is worked out the
 * first time it is asked (a walk over the schema), since all of them at once could be quadratic.
 */
export function buildReachability(
  definitions: ReadonlyMap<string, ObjectDefinition>,
): Reachability {
  const uses = new Map<string, ReverseEdge[]>();
  const entries = new Map<string, DirectEntry[]>();
  const seen = new Set<string>();
  /** addTo appends value under key once: a long union of one relation is one use of it. */
  const addTo = <T>(map: Map<string, T[]>, key: string, value: T, identity: string) => {
    if (seen.has(identity)) return;
    seen.add(identity);
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const member = (type: string, name: string) => definitions.get(type)?.members.get(name);
  const subjectTypes = createSubjectTypes();

  for (const definition of definitions.values()) {
    for (const m of definition.members.values()) {
      const set = setKey(m.definition, m.name);
      if (m.kind === "relation") {
        for (const subject of m.allowedSubjects) {
          if (subject.relation) {
            const key = setKey(subject.type, subject.relation);
            addTo(
              uses,
              key,
              { kind: "subject-set", type: m.definition, name: m.name },
              `${key} ${set}`,
            );
          } else {
            const entry = {
              type: m.definition,
              relation: m.name,
              wildcard: subject.wildcard,
              self: false,
            };
            addTo(entries, subject.type, entry, `${subject.type} ${set} ${subject.wildcard}`);
          }
        }
        continue;
      }
      // Only a `self` that can grant is an entry: one subtracted never lets the object in.
      if (leaves(m.rewrite, true).some((leaf) => leaf.kind === "self")) {
        const entry = { type: m.definition, relation: m.name, wildcard: false, self: true };
        addTo(entries, m.definition, entry, `${set} self`);
      }
      for (const leaf of leaves(m.rewrite, false)) {
        if (leaf.kind === "computed") {
          const key = setKey(m.definition, leaf.name);
          addTo(uses, key, { kind: "computed", type: m.definition, name: m.name }, `${key} ${set}`);
        } else if (leaf.kind === "arrow") {
          const tupleset = member(m.definition, leaf.tupleset);
          for (const subjectType of subjectTypes(tupleset)) {
            if (!member(subjectType, leaf.target)) continue;
            const key = setKey(subjectType, leaf.target);
            const edge = {
              kind: "arrow",
              type: m.definition,
              name: m.name,
              tupleset: leaf.tupleset,
              function: leaf.function,
            } as const;
            addTo(uses, key, edge, `${key} ${set} ${leaf.tupleset} ${leaf.function}`);
          }
        }
      }
    }
  }

  const dependents = computeDependents(definitions, subjectTypes);
  const reachedFrom = new Map<string, Set<string>>();
  const reached = (subjectType: string) => {
    let sets = reachedFrom.get(subjectType);
    if (sets === undefined) {
      const starts = (entries.get(subjectType) ?? []).map((e) => setKey(e.type, e.relation));
      sets = walk(starts, dependents);
      reachedFrom.set(subjectType, sets);
    }
    return sets;
  };
  const recursive = computeRecursiveSets(uses);
  return {
    usesOf: (type, name) => uses.get(setKey(type, name)) ?? [],
    directEntries: (subjectType) => entries.get(subjectType) ?? [],
    canReach: (type, name, subjectType) => reached(subjectType).has(setKey(type, name)),
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

/** SubjectTypes lists a relation's subject types without repeats (none for a permission). */
type SubjectTypes = (relation: MemberDefinition | undefined) => readonly string[];

/** createSubjectTypes lists subject types once per relation, however many arrows walk it. */
function createSubjectTypes(): SubjectTypes {
  const known = new Map<MemberDefinition, readonly string[]>();
  return (relation) => {
    if (relation?.kind !== "relation") return [];
    let types = known.get(relation);
    if (types === undefined) {
      types = [...new Set(relation.allowedSubjects.map((s) => s.type))];
      known.set(relation, types);
    }
    return types;
  };
}

/**
 * leaves lists the distinct leaves of a rewrite (a union that names one relation a thousand
 * times has one leaf for it); with positiveOnly, only those that can grant: not the subtracted
 * side of an exclusion.
 */
function leaves(rewrite: Rewrite, positiveOnly: boolean): Rewrite[] {
  const found = new Map<string, Rewrite>();
  const collect = (node: Rewrite): void => {
    switch (node.kind) {
      case "union":
      case "intersection":
        for (const child of node.children) collect(child);
        return;
      case "exclusion":
        collect(node.base);
        if (!positiveOnly) collect(node.subtracted);
        return;
      case "nil":
        return;
      case "self":
        found.set("self", node);
        return;
      case "computed":
        found.set(node.name, node);
        return;
      case "arrow":
        found.set(`${node.tupleset}->${node.target} ${node.function}`, node);
    }
  };
  collect(rewrite);
  return [...found.values()];
}

/**
 * computeDependents maps each set to the sets an object can hold through it: a relation that
 * admits it as a subject set, a permission that uses it (outside the subtracted side of an
 * exclusion), or an arrow that walks to it. It over-approximates (an intersection counts as a
 * union), which is what pruning needs: a set no walk reaches can never be held.
 */
function computeDependents(
  definitions: ReadonlyMap<string, ObjectDefinition>,
  subjectTypes: SubjectTypes,
): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  const dependOn = (source: string, dependent: string) => {
    const list = dependents.get(source);
    if (list) list.push(dependent);
    else dependents.set(source, [dependent]);
  };
  for (const definition of definitions.values()) {
    for (const m of definition.members.values()) {
      const key = setKey(m.definition, m.name);
      if (m.kind === "relation") {
        for (const subject of m.allowedSubjects) {
          if (subject.relation) dependOn(setKey(subject.type, subject.relation), key);
        }
        continue;
      }
      for (const leaf of leaves(m.rewrite, true)) {
        if (leaf.kind === "computed") dependOn(setKey(m.definition, leaf.name), key);
        if (leaf.kind !== "arrow") continue;
        const tupleset = definition.members.get(leaf.tupleset);
        for (const type of subjectTypes(tupleset)) dependOn(setKey(type, leaf.target), key);
      }
    }
  }
  return dependents;
}

/** walk finds every set reachable from starts along dependents (starts included). */
function walk(starts: readonly string[], dependents: ReadonlyMap<string, string[]>): Set<string> {
  const reached = new Set(starts);
  const pending = [...reached];
  for (let source = pending.pop(); source !== undefined; source = pending.pop()) {
    for (const dependent of dependents.get(source) ?? []) {
      if (reached.has(dependent)) continue;
      reached.add(dependent);
      pending.push(dependent);
    }
  }
  return reached;
}
