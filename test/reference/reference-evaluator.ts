// A deliberately naive oracle for Check and the lookups: set semantics, a fixpoint over every relationship.
//
// It shares nothing with the engine: no caching, no short-circuits, no traversal order. For one
// subject it computes every relation and permission of every object at once, stratum by stratum,
// and reads answers off the resulting table. Slow, and meant to be obviously right.

import type { CompiledSchema, Rewrite } from "../../src/schema/compiled-schema.js";
import type { ObjectRef, Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { memberStrata } from "./member-strata.js";
import {
  and,
  FALSE,
  FALSE_BY_CONDITION,
  not,
  or,
  sameTruth,
  TRUE,
  type Truth,
  unknown,
} from "./three-valued.js";

const WILDCARD = "*";

/** Cell is one relation or permission of one object, for the subject being solved for. */
interface Cell {
  readonly object: ObjectRef;
  readonly name: string;
}

/** RefResult is the reference answer: decided either way, or conditional on missing parameters. */
export type RefResult =
  | { readonly kind: "allowed" }
  | { readonly kind: "denied" }
  /** `missing` lists the caveat parameters the answer awaits, sorted. */
  | { readonly kind: "conditional"; readonly missing: string[] };

/** RefEntry is one answer of a lookup: an object id (or `*` for the wildcard) and its result. */
export interface RefEntry {
  readonly id: string;
  readonly result: RefResult;
}

/**
 * EvaluateOptions holds the evaluation time and the request's caveat context. The time decides
 * expiry, and it is the server's time: a caveat parameter `now` of type timestamp that neither
 * the request's nor the relationship's context supplies is that time, to the whole second below.
 */
export interface EvaluateOptions {
  readonly now: Date;
  readonly context?: Readonly<Record<string, unknown>>;
}

/**
 * ReferenceModel answers questions about one set of relationships. The universe of objects is
 * every object that appears in an unexpired relationship (as resource or subject), plus the objects
 * a question names; an expired relationship is exactly like an absent one.
 */
export interface ReferenceModel {
  /**
   * check answers whether `subject` has `permission` (a relation or permission) on `resource`.
   * The subject `type:*` stands for an arbitrary object of that type that appears in no
   * relationship and is not the resource (so `self` never grants it). Throws when the resource's
   * type or the permission is unknown.
   */
  check(resource: ObjectRef, permission: string, subject: SubjectRef): RefResult;
  /**
   * deniedByCondition says whether check denies the question because a caveat evaluated false:
   * a relationship whose caveat is false counts so; a union when one of its denied terms does; an
   * intersection (an arrow's `.all`, a relationship with its subject set) when all of its denied
   * terms do; an exclusion's subtracted side never does. Cycles count as not granting, so do not.
   */
  deniedByCondition(resource: ObjectRef, permission: string, subject: SubjectRef): boolean;
  /**
   * lookupResources lists the objects of `resourceType` not denied to `subject`, sorted by id:
   * the subject's own object among them, when of that type, though no relationship names it
   * (`self` may grant it).
   */
  lookupResources(resourceType: string, permission: string, subject: SubjectRef): RefEntry[];
  /**
   * lookupSubjects lists the objects of `subjectType` (as subject sets `type:id#subjectRelation`
   * when a relation is given) that are not denied `permission` on `resource`, sorted by id, the
   * resource itself among them when of that type, though no relationship names it. Without
   * a subject relation it also lists `*` when a wildcard grants the permission to an arbitrary
   * object of the type (see {@link ReferenceModel.check}); the concrete ids are listed too, each
   * with its own result.
   */
  lookupSubjects(
    resource: ObjectRef,
    permission: string,
    subjectType: string,
    subjectRelation?: string,
  ): RefEntry[];
}

/**
 * evaluateAll builds the reference model of `relationships` under `schema` at `options.now`, with
 * the request context `options.context`. It throws on relationships the schema cannot interpret
 * (unknown types, relations or caveats) and on schemas whose recursion passes through an
 * exclusion's subtracted side.
 */
export function evaluateAll(
  schema: CompiledSchema,
  relationships: readonly Relationship[],
  options: EvaluateOptions,
): ReferenceModel {
  for (const rel of relationships) checkInterpretable(schema, rel);
  const live = relationships.filter(
    (rel) => rel.expiresAt === undefined || rel.expiresAt.getTime() > options.now.getTime(),
  );
  const strata = memberStrata(schema, live);
  const byObjectRelation = new Map<string, Relationship[]>();
  for (const rel of live) {
    const key = cellKey(rel.resource, rel.relation);
    byObjectRelation.set(key, [...(byObjectRelation.get(key) ?? []), rel]);
  }
  const caveatTruth = new Map<Relationship, Truth>(
    live.map((rel) => [rel, relationshipCaveat(schema, rel, options.context ?? {}, options.now)]),
  );
  const universe = new Map<string, ObjectRef>();
  for (const rel of live) {
    universe.set(objectKey(rel.resource), rel.resource);
    if (rel.subject.id !== WILDCARD) {
      const object = { type: rel.subject.type, id: rel.subject.id };
      universe.set(objectKey(object), object);
    }
  }

  /**
   * The value of one cell for one subject, from the values of the cells it reads: `read` gives
   * them (the fixpoint's table, or an unfolding along one path).
   */
  const cellEvaluator = (
    subject: SubjectRef,
    read: (object: ObjectRef, name: string) => Truth,
  ): ((object: ObjectRef, name: string) => Truth) => {
    const evaluateRewrite = (object: ObjectRef, rewrite: Rewrite): Truth => {
      switch (rewrite.kind) {
        case "nil":
          return FALSE;
        case "self":
          return isSelf(object, subject) ? TRUE : FALSE;
        case "computed":
          return read(object, rewrite.name);
        case "union":
          return or(rewrite.children.map((child) => evaluateRewrite(object, child)));
        case "intersection":
          return and(rewrite.children.map((child) => evaluateRewrite(object, child)));
        case "exclusion":
          return and([
            evaluateRewrite(object, rewrite.base),
            not(evaluateRewrite(object, rewrite.subtracted)),
          ]);
        case "arrow": {
          const terms = (byObjectRelation.get(cellKey(object, rewrite.tupleset)) ?? [])
            .filter((rel) => rel.subject.id !== WILDCARD)
            .map((rel) =>
              and([
                caveatTruth.get(rel)!,
                read({ type: rel.subject.type, id: rel.subject.id }, rewrite.target),
              ]),
            );
          if (rewrite.function === "any") return or(terms);
          return terms.length === 0 ? FALSE : and(terms);
        }
      }
    };
    const evaluateCell = (object: ObjectRef, name: string): Truth => {
      if (subject.type === object.type && subject.id === object.id && subject.relation === name) {
        return TRUE;
      }
      const member = schema.member(object.type, name);
      if (member === undefined) return FALSE;
      if (member.kind === "permission") return evaluateRewrite(object, member.rewrite);
      const terms = (byObjectRelation.get(cellKey(object, name)) ?? []).map((rel) =>
        and([caveatTruth.get(rel)!, reaches(rel.subject)]),
      );
      return or(terms);
    };
    /** Whether a relationship's subject is, admits or contains the subject being solved for. */
    const reaches = (stored: SubjectRef): Truth => {
      if (stored.id === WILDCARD) {
        return stored.type === subject.type && subject.relation === undefined ? TRUE : FALSE;
      }
      if (
        stored.type === subject.type &&
        stored.id === subject.id &&
        stored.relation === subject.relation
      ) {
        return TRUE;
      }
      if (stored.relation === undefined) return FALSE;
      return read({ type: stored.type, id: stored.id }, stored.relation);
    };

    return evaluateCell;
  };

  /** Every cell (object, member) for one subject, solved stratum by stratum. */
  const solve = (subject: SubjectRef, objects: readonly ObjectRef[]): Map<string, Truth> => {
    const table = new Map<string, Truth>();
    const evaluateCell = cellEvaluator(subject, (object, name) => {
      if (schema.member(object.type, name) === undefined) return FALSE;
      const value = table.get(cellKey(object, name));
      if (value === undefined) {
        throw new Error(
          `reference evaluator bug: ${cellKey(object, name)} read before its stratum`,
        );
      }
      return value;
    });
    const allCells: Cell[] = [];
    for (const stratum of strata) {
      const cells = stratum.flatMap((key) => {
        const [type, name] = splitMemberKey(key);
        return objects.filter((o) => o.type === type).map((object) => ({ object, name }));
      });
      allCells.push(...cells);
      for (const { object, name } of cells) table.set(cellKey(object, name), FALSE);
      // Truth levels first: they only rise (false, unknown, true) along monotone recursion.
      iterate(cells, (previous, next) => previous.kind === next.kind);
      // Then missing names, from none, and whether a false caveat decided each false, from not,
      // with every truth level fixed: both only grow.
      for (const { object, name } of cells) {
        const kind = table.get(cellKey(object, name))?.kind;
        if (kind === "unknown") table.set(cellKey(object, name), unknown([]));
        if (kind === "false") table.set(cellKey(object, name), FALSE);
      }
      iterate(cells, sameTruth);
    }
    for (const { object, name } of allCells) {
      if (!sameTruth(evaluateCell(object, name), table.get(cellKey(object, name))!)) {
        throw new Error(`reference evaluator bug: ${cellKey(object, name)} is not a fixpoint`);
      }
    }
    return table;

    function iterate(
      cells: readonly Cell[],
      same: (previous: Truth, next: Truth) => boolean,
    ): void {
      for (let changed = true; changed; ) {
        changed = false;
        for (const { object, name } of cells) {
          const key = cellKey(object, name);
          const next = evaluateCell(object, name);
          if (!same(table.get(key)!, next)) changed = true;
          table.set(key, next);
        }
      }
    }
  };

  const solved = new Map<string, Map<string, Truth>>();
  const tableFor = (subject: SubjectRef, resource: ObjectRef): Map<string, Truth> => {
    const objects = new Map(universe);
    if (subject.id !== WILDCARD) {
      const object = { type: subject.type, id: subject.id };
      objects.set(objectKey(object), object);
    }
    const extra = objects.has(objectKey(resource)) ? "" : objectKey(resource);
    objects.set(objectKey(resource), resource);
    const key = `${subjectKey(subject)} ${extra}`;
    let table = solved.get(key);
    if (table === undefined) {
      table = solve(subject, [...objects.values()]);
      solved.set(key, table);
    }
    return table;
  };

  const truth = (resource: ObjectRef, permission: string, subject: SubjectRef): Truth => {
    if (schema.member(resource.type, permission) === undefined) {
      throw new Error(`reference evaluator: '${resource.type}#${permission}' is not in the schema`);
    }
    return tableFor(subject, resource).get(cellKey(resource, permission))!;
  };
  /**
   * The value of one cell over its acyclic derivations only: a derivation that comes back to a
   * cell on its own path counts as granting nothing. Its truth level is the fixpoint's (the least
   * fixpoint is reached by acyclic derivations), and its missing names are the ones an undecided
   * answer awaits: a derivation through a cycle grants the cell only under more conditions than
   * its other derivations (Q = base ∨ (c ∧ Q) is base), so its caveats never decide the answer.
   */
  const unfold = (resource: ObjectRef, permission: string, subject: SubjectRef): Truth => {
    const valueOnPath =
      (path: ReadonlySet<string>) =>
      (object: ObjectRef, name: string): Truth => {
        const key = cellKey(object, name);
        if (path.has(key)) return FALSE;
        return cellEvaluator(subject, valueOnPath(new Set(path).add(key)))(object, name);
      };
    return valueOnPath(new Set())(resource, permission);
  };
  const check = (resource: ObjectRef, permission: string, subject: SubjectRef): RefResult => {
    const value = truth(resource, permission, subject);
    if (value.kind !== "unknown") return toResult(value);
    const unfolded = unfold(resource, permission, subject);
    if (unfolded.kind !== "unknown") {
      throw new Error(
        `reference evaluator bug: ${cellKey(resource, permission)} is decided over acyclic derivations only`,
      );
    }
    return toResult(unfolded);
  };
  const idsOfType = (type: string, extra: ObjectRef): string[] => {
    const ids = new Set([...universe.values()].filter((o) => o.type === type).map((o) => o.id));
    if (extra.type === type && extra.id !== WILDCARD) ids.add(extra.id);
    return [...ids];
  };
  const notDenied = (entries: RefEntry[]): RefEntry[] =>
    entries
      .filter((e) => e.result.kind !== "denied")
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  return {
    check,
    deniedByCondition(resource, permission, subject) {
      const value = truth(resource, permission, subject);
      return value.kind === "false" && value.byCondition;
    },
    lookupResources(resourceType, permission, subject) {
      return notDenied(
        idsOfType(resourceType, subject).map((id) => ({
          id,
          result: check({ type: resourceType, id }, permission, subject),
        })),
      );
    },
    lookupSubjects(resource, permission, subjectType, subjectRelation) {
      const ids = idsOfType(subjectType, resource);
      if (subjectRelation === undefined) ids.push(WILDCARD);
      return notDenied(
        ids.map((id) => ({
          id,
          result: check(resource, permission, {
            type: subjectType,
            id,
            ...(subjectRelation !== undefined && id !== WILDCARD && { relation: subjectRelation }),
          }),
        })),
      );
    },
  };
}

/**
 * The caveat's truth for one relationship: the request context, overridden by the relationship's,
 * and the server's time for a timestamp `now` that neither gives.
 */
function relationshipCaveat(
  schema: CompiledSchema,
  rel: Relationship,
  requestContext: Readonly<Record<string, unknown>>,
  now: Date,
): Truth {
  if (rel.caveat === undefined) return TRUE;
  const caveat = schema.caveats.get(rel.caveat.name)!;
  const context: Record<string, unknown> = { ...requestContext, ...rel.caveat.context };
  if (caveat.parameters.get("now")?.kind === "timestamp" && context.now === undefined) {
    const wholeSeconds = now.getTime() - (now.getTime() % 1000);
    context.now = new Date(wholeSeconds).toISOString();
  }
  const outcome = caveat.evaluate(context);
  switch (outcome.kind) {
    case "true":
      return TRUE;
    case "false":
      return FALSE_BY_CONDITION;
    case "missing":
      return unknown(outcome.missing);
    case "error":
      // SpiceDB fails the request; the generators never produce such contexts.
      return FALSE;
  }
}

function checkInterpretable(schema: CompiledSchema, rel: Relationship): void {
  const text = `${objectKey(rel.resource)}#${rel.relation}@${subjectKey(rel.subject)}`;
  const fail = (why: string): never => {
    throw new Error(`reference evaluator: relationship ${text}: ${why}`);
  };
  if (schema.member(rel.resource.type, rel.relation)?.kind !== "relation") {
    fail(`'${rel.resource.type}#${rel.relation}' is not a relation`);
  }
  if (!schema.definitions.has(rel.subject.type)) fail(`unknown type '${rel.subject.type}'`);
  if (
    rel.subject.relation !== undefined &&
    schema.member(rel.subject.type, rel.subject.relation) === undefined
  ) {
    fail(`'${rel.subject.type}#${rel.subject.relation}' is not in the schema`);
  }
  if (rel.caveat !== undefined && !schema.caveats.has(rel.caveat.name)) {
    fail(`unknown caveat '${rel.caveat.name}'`);
  }
}

/**
 * Whether subject is object itself, as `self` grants: the same type and id, no relation (a subject
 * set names the object's members, not the object), and never the wildcard, which stands for
 * objects other than any named one.
 */
function isSelf(object: ObjectRef, subject: SubjectRef): boolean {
  return (
    subject.type === object.type &&
    subject.id === object.id &&
    subject.relation === undefined &&
    subject.id !== WILDCARD
  );
}

function toResult(value: Truth): RefResult {
  if (value.kind === "true") return { kind: "allowed" };
  if (value.kind === "false") return { kind: "denied" };
  return { kind: "conditional", missing: [...value.missing].sort() };
}

function objectKey(object: ObjectRef): string {
  return `${object.type}:${object.id}`;
}

function subjectKey(subject: SubjectRef): string {
  const relation = subject.relation === undefined ? "" : `#${subject.relation}`;
  return `${subject.type}:${subject.id}${relation}`;
}

function cellKey(object: ObjectRef, name: string): string {
  return `${objectKey(object)}#${name}`;
}

function splitMemberKey(key: string): [string, string] {
  const hash = key.indexOf("#");
  return [key.slice(0, hash), key.slice(hash + 1)];
}
