// The sets a filter names (objectRelations), each once, with what it reads of each.

import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { Relationship, SubjectRef } from "../tuple/relationship.js";
import { SetMap } from "./set-map.js";
import type { ObjectRelation } from "./store.js";

/**
 * SetSubjects is what is read of a named set: all of its relationships, or those of these
 * subjects, by their text (as `formatSubjectRef` writes them).
 */
export type SetSubjects = "all" | ReadonlyMap<string, SubjectRef>;

/** NamedSet is a set named, once, and what is read of it. */
export interface NamedSet {
  readonly type: string;
  readonly id: string;
  readonly relation: string;
  readonly subjects: SetSubjects;
}

/** asObjectRelation names set as a filter names it. */
export function asObjectRelation({ type, id, relation, subjects }: NamedSet): ObjectRelation {
  return subjects === "all"
    ? { type, id, relation }
    : { type, id, relation, subjects: [...subjects.values()] };
}

/**
 * NamedSets are named sets, each once: a set named several times reads the subjects of each, or
 * all of it when one names no subjects. What they select is what the named sets select.
 */
export class NamedSets {
  private readonly sets = new SetMap<Naming>();
  private readonly order: Naming[] = [];

  constructor(sets: readonly ObjectRelation[] = []) {
    for (const set of sets) this.add(set);
  }

  /** add names a set, or more of it. */
  add({ type, id, relation, subjects }: ObjectRelation): void {
    let named = this.sets.get(type, id, relation);
    if (named === undefined) {
      named = { type, id, relation, subjects: subjects === undefined ? "all" : new Map() };
      this.sets.set(type, id, relation, named);
      this.order.push(named);
    }
    const texts = named.subjects;
    if (subjects === undefined) named.subjects = "all";
    else if (texts !== "all") {
      for (const subject of subjects) texts.set(formatSubjectRef(subject), subject);
    }
  }

  /** list lists the sets named, each once, in the order first named. */
  list(): readonly NamedSet[] {
    return this.order;
  }

  /** holds says whether rel is one of the relationships the named sets select. */
  holds(rel: Relationship): boolean {
    const subjects = this.sets.get(rel.resource.type, rel.resource.id, rel.relation)?.subjects;
    if (subjects === undefined) return false;
    return subjects === "all" || subjects.has(formatSubjectRef(rel.subject));
  }
}

/** Naming is a named set as it grows. */
interface Naming {
  readonly type: string;
  readonly id: string;
  readonly relation: string;
  subjects: "all" | Map<string, SubjectRef>;
}
