// Every question worth asking of a generated case: each object's relations and permissions, for each subject.

import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import type { ObjectRef, Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { objectPool, type PoolOptions } from "./relationships-for.js";

/** CheckQuery is one Check to run: does `subject` have `permission` on `resource`? */
export interface CheckQuery {
  readonly resource: ObjectRef;
  /** A relation or a permission of the resource's type. */
  readonly permission: string;
  readonly subject: SubjectRef;
}

/**
 * checkUniverse lists every (resource, relation or permission, subject) triple of a case. The
 * objects of each type are its pool ({@link objectPool}, sized as the relationships were) plus any
 * other object the relationships name; resources are the objects of types with members, and
 * subjects are all objects of all types, plus the subject sets the relationships name. Wildcards
 * are never subjects.
 */
export function checkUniverse(
  schema: CompiledSchema,
  relationships: readonly Relationship[],
  options: PoolOptions = {},
): CheckQuery[] {
  const idsByType = new Map<string, Set<string>>(
    [...schema.definitions.keys()].map((type) => [type, new Set(objectPool(type, options))]),
  );
  const addObject = (type: string, id: string): void => {
    if (id === "*") return;
    const ids = idsByType.get(type) ?? new Set<string>();
    ids.add(id);
    idsByType.set(type, ids);
  };
  const subjectSets = new Map<string, SubjectRef>();
  for (const { resource, subject } of relationships) {
    addObject(resource.type, resource.id);
    addObject(subject.type, subject.id);
    if (subject.relation !== undefined && subject.id !== "*") {
      subjectSets.set(`${subject.type}:${subject.id}#${subject.relation}`, subject);
    }
  }
  const objects = [...idsByType].flatMap(([type, ids]) =>
    [...ids].sort().map((id): ObjectRef => ({ type, id })),
  );
  const subjects: SubjectRef[] = [...objects, ...subjectSets.values()];
  return objects.flatMap((resource) =>
    [...(schema.definitions.get(resource.type)?.members.keys() ?? [])].flatMap((permission) =>
      subjects.map((subject) => ({ resource, permission, subject })),
    ),
  );
}
