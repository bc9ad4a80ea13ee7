// Whether relationships fit a schema: at write time for each relationship, at schema-write time for the store.

import { loadServedSchema } from "../agents/builtin-schema.js";
import type { Revision } from "../revision/revision.js";
import { validateCaveatContext } from "../schema/caveat/index.js";
import type { AllowedSubject, CompiledSchema } from "../schema/compiled-schema.js";
import { checkRelationshipAgainstSchema } from "../schema/relationship-fit.js";
import {
  type Removal,
  type StoredRelations,
  schemaRemovals,
  storedRelationsOf,
} from "../schema/schema-removals.js";
import type {
  RelationshipShape,
  SchemaWriteCheck,
  ShapeFilter,
  StoredSchema,
} from "../store/store.js";
import { formatRelationship } from "../tuple/format-relationship.js";
import type { Relationship } from "../tuple/relationship.js";
import { SchemaConflictError } from "./api-error.js";
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
 * SchemaConflictError when relationships in the store would no longer fit next. Relationships
 * fit the schema they were written under, so it looks only for those of what next removes from
 * it, one indexed probe each: a write that removes nothing reads no relationship. Without a
 * previous schema that loads, it reads the shapes of every relationship instead. known, when it
 * is the previous schema, saves compiling that again while writers wait.
 */
export function storeFitCheck(next: CompiledSchema, known?: KnownSchema): SchemaWriteCheck {
  return async (previous, live) => {
    const relations = previousRelations(previous, known) ?? relationsInStore(await live.shapes());
    const orphaned: Orphaned[] = [];
    let unlisted = 0;
    for (const removal of schemaRemovals(relations, next)) {
      const filter = shapeFilterOf(removal);
      const examples = await live.find(filter, EXAMPLES);
      if (examples.length === 0) continue;
      if (orphaned.length === MAX_LISTED_REMOVALS) {
        unlisted++;
        continue;
      }
      const count =
        examples.length < EXAMPLES ? examples.length : await live.count(filter, COUNT_CAP);
      orphaned.push({ removal, examples, count, atLeast: count === COUNT_CAP });
    }
    if (orphaned.length > 0) throw new SchemaConflictError(orphanReport(next, orphaned, unlisted));
  };
}

function previousRelations(
  previous: StoredSchema | undefined,
  known: KnownSchema | undefined,
): StoredRelations | undefined {
  if (previous === undefined) return undefined;
  if (known?.revision === previous.revision) return storedRelationsOf(known.compiled);
  const loaded = loadServedSchema(previous.text);
  return loaded.ok ? storedRelationsOf(loaded.schema) : undefined;
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
    case "subject": {
      const { type, relation, wildcard, caveat, expiration } = removal.subject;
      return {
        resourceType: removal.definition,
        relation: removal.relation,
        subjectType: type,
        ...(relation === undefined ? {} : { subjectRelation: relation }),
        wildcard,
        ...(caveat === undefined ? {} : { caveat }),
        expiring: expiration,
      };
    }
  }
}
