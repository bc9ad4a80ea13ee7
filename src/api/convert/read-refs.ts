// Object and subject references from API messages, checked against the id and name rules.

import type {
  ObjectRef as ObjectRefMessage,
  SubjectRef as SubjectRefMessage,
} from "../../gen/latch/v1/core_pb.js";
import {
  checkObjectId,
  checkObjectType,
  checkRelation,
  checkSubjectId,
  explain,
} from "../../tuple/identifiers.js";
import type { ObjectRef, SubjectRef } from "../../tuple/relationship.js";
import { RequestError, required } from "../request-error.js";

/** readObjectRef converts the object reference at field, which must be set and valid. */
export function readObjectRef(field: string, message: ObjectRefMessage | undefined): ObjectRef {
  const { type, id } = required(field, message);
  return { type: readType(`${field}.type`, type), id: readId(`${field}.id`, id, checkObjectId) };
}

/**
 * readSubjectRef converts the subject at field: an object (empty relation) or a subject set; its
 * id may be the wildcard `*` when `wildcard` allows it.
 */
export function readSubjectRef(
  field: string,
  message: SubjectRefMessage | undefined,
  wildcard: "allow-wildcard" | "no-wildcard",
): SubjectRef {
  const { object, relation } = required(field, message);
  const { type, id } = required(`${field}.object`, object);
  const check = wildcard === "allow-wildcard" ? checkSubjectId : checkObjectId;
  const ref = {
    type: readType(`${field}.object.type`, type),
    id: readId(`${field}.object.id`, id, check),
  };
  return relation === "" ? ref : { ...ref, relation: readName(`${field}.relation`, relation) };
}

/**
 * readActors converts the actors at field as the `actors` of an engine request, none when the
 * list is empty. Each must be a well-formed reference; the engine says which may act (objects of
 * a type with `act_for`, at most 16, none repeated), naming `actors[i]`.
 */
export function readActors(
  field: string,
  messages: readonly SubjectRefMessage[],
): { actors?: SubjectRef[] } {
  if (messages.length === 0) return {};
  return {
    actors: messages.map((message, i) =>
      readSubjectRef(`${field}[${i}]`, message, "allow-wildcard"),
    ),
  };
}

/** readType checks an object type name at field. */
export function readType(field: string, type: string): string {
  const problem = explain(field, type, checkObjectType(type));
  if (problem !== undefined) throw new RequestError(field, problem);
  return type;
}

/** readName checks a relation or permission name at field. */
export function readName(field: string, name: string): string {
  const problem = explain(field, name, checkRelation(name));
  if (problem !== undefined) throw new RequestError(field, problem);
  return name;
}

/** readId checks an id at field with check (the object id or the subject id rule). */
export function readId(field: string, id: string, check: typeof checkObjectId): string {
  const problem = explain(field, id, check(id));
  if (problem !== undefined) throw new RequestError(field, problem);
  return id;
}
