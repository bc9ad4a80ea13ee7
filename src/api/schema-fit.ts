// Whether relationships fit a schema: at write time for each relationship, at schema-write time for the store.

import { loadServedSchema } from "../agents/builtin-schema.js";
import type { Revision } from "../revision/revision.js";
import { validateCaveatContext } from "../schema/caveat/index.js";
import {
  type CaveatParameterChange,
  caveatParameterChanges,
} from "../schema/caveat-parameter-changes.js";
import type { AllowedSubject, CompiledSchema } from "../schema/compiled-schema.js";
import { checkRelationshipAgainstSchema } from "../schema/relationship-fit.js";
import {
  type Removal,
  type StoredRelations,
  schemaRemovals,
  storedRelationsOf,
} from "../schema/schema-removals.js";
import type {
  LiveRelationships,
  RelationshipShape,
  SchemaWriteCheck,
  ShapeFilter,
  StoredSchema,
} from "../store/store.js";
import { formatRelationship } from "../tuple/format-relationship.js";
import type { Relationship } from "../tuple/relationship.js";
import { SchemaConflictError } from "./api-error.js";
import { type CarriedCaveat, caveatChangeReport } from "./caveat-change-report.js";
import type { FoundRelationships } from "./found-relationships.js";
import { type Orphaned, orphanReport } from "./orphan-report.js";
import { RequestError } from "./request-error.js";

/**
 * checkRelationshipFits throws a RequestError naming field when the schema does not allow rel:
 * unknown types or relations, a permission, a subject type the relation does not allow, a caveat
 * or expiry it does not allow, or a caveat context value of the wrong type.
 */
export function checkRelationshipFits(
  schema: CompiledSchema,
  field: string,
  rel: Relationship,
): void {
  const violation = checkRelationshipAgainstSchema(schema, rel, formatRelationship(rel));
  if (violation !== undefined) throw new RequestError(field, `${field}: ${violation.message}`);
  const { caveat } = rel;
  if (caveat?.context === undefined) return;
  const compiled = schema.caveats.get(caveat.name);
  if (compiled === undefined) return;
  const [problem] = validateCaveatContext(compiled, caveat.context);
  if (problem !== undefined) {
    const at = `${field}.caveat.context.${problem.parameter}`;
    throw new RequestError(at, `${at}: ${problem.message}`);
  }
}

/** KnownSchema is a schema this process has compiled, and the revision that wrote it. */
export interface KnownSchema {
  readonly revision: Revision;
  readonly compiled: CompiledSchema;
}

/** EXAMPLES is how many relationships a refused schema write shows for each removal. */
const EXAMPLES = 3;
/** COUNT_CAP is where counting the relationships of a removal stops ("at least 1000"). */
const COUNT_CAP = 1000;
/** MAX_LISTED_REMOVALS bounds the removals a refused schema write details. */
const MAX_LISTED_REMOVALS = 10;

/**
 * storeFitCheck is the check a schema write to next runs inside the write: it refuses with a
 * SchemaConflictError when relationships in the store would no longer fit next, or when next
 * removes or retypes a parameter of a caveat that relationships in the store carry (see
 * caveatParameterChanges). Relationships fit the schema they were written under, so it looks
 * only for those of what next removes from it or changes, one indexed probe each: a write that
 * removes and changes nothing reads no relationship. Without a previous schema that loads, it
 * reads the shapes of every relationship instead (and cannot tell a caveat's parameters changed).
 * known, when it is the previous schema, saves compiling that again while writers wait.
 */
export function storeFitCheck(next: CompiledSchema, known?: KnownSchema): SchemaWriteCheck {
  return async (stored, live) => {
    const previous = previousSchema(stored, known);
    const relations =
      previous === undefined ? relationsInStore(await live.shapes()) : storedRelationsOf(previous);
    const orphaned: Orphaned[] = [];
    let unlisted = 0;
    for (const removal of schemaRemovals(relations, next)) {
      const filter = shapeFilterOf(removal);
      if (orphaned.length === MAX_LISTED_REMOVALS) {
        if ((await live.find(filter, 1)).length > 0) unlisted++;
        continue;
      }
      const found = await probe(live, filter);
      if (found !== undefined) orphaned.push({ removal, ...found });
    }
    if (orphaned.length > 0) throw new SchemaConflictError(orphanReport(next, orphaned, unlisted));
    if (previous === undefined) return;
    const carried = await carriedCaveatChanges(previous, next, live);
    if (carried.length > 0) throw new SchemaConflictError(caveatChangeReport(carried));
  };
}

/** probe finds the relationships filter selects, or undefined when there are none. */
async function probe(
  live: LiveRelationships,
  filter: ShapeFilter,
): Promise<FoundRelationships | undefined> {
  const examples = await live.find(filter, EXAMPLES);
  if (examples.length === 0) return undefined;
  const count = examples.length < EXAMPLES ? examples.length : await live.count(filter, COUNT_CAP);
  return { examples, count, atLeast: count === COUNT_CAP };
}

/**
 * carriedCaveatChanges are the caveats whose parameters next removes or retypes and that
 * relationships in the store carry, with those relationships: a probe for each allowed subject of
 * previous's relations that names such a caveat.
 */
async function carriedCaveatChanges(
  previous: CompiledSchema,
  next: CompiledSchema,
  live: LiveRelationships,
): Promise<CarriedCaveat[]> {
  const changes = new Map<string, CaveatParameterChange[]>();
  for (const change of caveatParameterChanges(previous, next)) {
    changes.set(change.caveat, [...(changes.get(change.caveat) ?? []), change]);
  }
  const carried = new Map<string, CarriedCaveat>();
  for (const [definition, relations] of changes.size === 0 ? [] : storedRelationsOf(previous)) {
    for (const [relation, subjects] of relations) {
      for (const subject of subjects) {
        const changed = subject.caveat === undefined ? undefined : changes.get(subject.caveat);
        if (changed === undefined) continue;
        const found = await probe(live, subjectFilter(definition, relation, subject));
        if (found === undefined) continue;
        const before = carried.get(subject.caveat!);
        carried.set(subject.caveat!, {
          changes: changed,
          examples: [...(before?.examples ?? []), ...found.examples].slice(0, EXAMPLES),
          count: (before?.count ?? 0) + found.count,
          atLeast: (before?.atLeast ?? false) || found.atLeast,
        });
      }
    }
  }
  return [...carried.values()];
}

/** previousSchema is the stored schema compiled, or undefined when there is none or it does not load. */
function previousSchema(
  stored: StoredSchema | undefined,
  known: KnownSchema | undefined,
): CompiledSchema | undefined {
  if (stored === undefined) return undefined;
  if (known?.revision === stored.revision) return known.compiled;
  const loaded = loadServedSchema(stored.text);
  return loaded.ok ? loaded.schema : undefined;
}

/** relationsInStore are the relations and allowed subjects that the shapes of relationships use. */
function relationsInStore(shapes: readonly RelationshipShape[]): StoredRelations {
  const relations = new Map<string, Map<string, AllowedSubject[]>>();
  for (const shape of shapes) {
    const byRelation = relations.get(shape.resourceType) ?? new Map<string, AllowedSubject[]>();
    relations.set(shape.resourceType, byRelation);
    const subjects = byRelation.get(shape.relation) ?? [];
    byRelation.set(shape.relation, subjects);
    subjects.push({
      type: shape.subjectType,
      relation: shape.subjectRelation,
      wildcard: shape.wildcard,
      caveat: shape.caveat,
      expiration: shape.expiring,
    });
  }
  return relations;
}

/** shapeFilterOf selects the relationships that removal orphans. */
function shapeFilterOf(removal: Removal): ShapeFilter {
  switch (removal.kind) {
    case "definition":
      return { resourceType: removal.definition };
    case "relation":
      return { resourceType: removal.definition, relation: removal.relation };
    case "subject":
      return subjectFilter(removal.definition, removal.relation, removal.subject);
  }
}

/** subjectFilter selects the relationships of definition#relation stored with one allowed subject. */
function subjectFilter(definition: string, relation: string, subject: AllowedSubject): ShapeFilter {
  const { type, relation: subjectRelation, wildcard, caveat, expiration } = subject;
  return {
    resourceType: definition,
    relation,
    subjectType: type,
    ...(subjectRelation === undefined ? {} : { subjectRelation }),
    wildcard,
    ...(caveat === undefined ? {} : { caveat }),
    expiring: expiration,
  };
}
