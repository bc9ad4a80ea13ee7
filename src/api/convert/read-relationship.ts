// Relationships, filters and preconditions from API messages, checked field by field.

import {
  Precondition_Operation,
  type Precondition as PreconditionMessage,
  type RelationshipFilter as RelationshipFilterMessage,
  type Relationship as RelationshipMessage,
} from "../../gen/latch/v1/core_pb.js";
import type { Precondition, RelationshipFilter } from "../../store/store.js";
import {
  checkCaveatName,
  checkObjectId,
  checkSubjectId,
  explain,
} from "../../tuple/identifiers.js";
import type { Relationship } from "../../tuple/relationship.js";
import { RequestError, required } from "../request-error.js";
import { readContext } from "./read-context.js";
import { readId, readName, readObjectRef, readSubjectRef, readType } from "./read-refs.js";
import { readTimestamp } from "./read-timestamp.js";

/** readRelationship converts the relationship at field: references, caveat and expiry. */
export function readRelationship(
  field: string,
  message: RelationshipMessage | undefined,
): Relationship {
  const { resource, relation, subject, caveat, expiresAt } = required(field, message);
  const rel: Relationship = {
    resource: readObjectRef(`${field}.resource`, resource),
    relation: readName(`${field}.relation`, relation),
    subject: readSubjectRef(`${field}.subject`, subject, "allow-wildcard"),
  };
  const withCaveat =
    caveat === undefined
      ? rel
      : {
          ...rel,
          caveat: {
            name: readCaveatName(`${field}.caveat.name`, caveat.name),
            ...(caveat.context === undefined
              ? {}
              : { context: readContext(`${field}.caveat.context`, caveat.context) }),
          },
        };
  return expiresAt === undefined
    ? withCaveat
    : { ...withCaveat, expiresAt: readTimestamp(`${field}.expires_at`, expiresAt) };
}

/** readFilter converts the relationship filter at field; `required` demands at least one field set. */
export function readFilter(
  field: string,
  message: RelationshipFilterMessage | undefined,
  required: "require-some-field" | "may-be-empty",
): RelationshipFilter {
  const filter = {
    ...(message?.resourceType
      ? { resourceType: readType(`${field}.resource_type`, message.resourceType) }
      : {}),
    ...(message?.resourceIds.length
      ? { resourceIds: readIds(`${field}.resource_ids`, message.resourceIds, checkObjectId) }
      : {}),
    ...(message?.resourceIdPrefix
      ? { resourceIdPrefix: readIdPrefix(field, message.resourceIds, message.resourceIdPrefix) }
      : {}),
    ...(message?.relation ? { relation: readName(`${field}.relation`, message.relation) } : {}),
    ...(message?.subjectType
      ? { subjectType: readType(`${field}.subject_type`, message.subjectType) }
      : {}),
    ...(message?.subjectIds.length
      ? { subjectIds: readIds(`${field}.subject_ids`, message.subjectIds, checkSubjectId) }
      : {}),
    ...(message?.subjectRelation === undefined
      ? {}
      : {
          subjectRelation:
            message.subjectRelation === ""
              ? null
              : readName(`${field}.subject_relation`, message.subjectRelation),
        }),
  };
  if (required === "require-some-field" && Object.keys(filter).length === 0) {
    throw new RequestError(field, `${field} must set at least one field`);
  }
  return filter;
}

/** readPrecondition converts the precondition at field. */
export function readPrecondition(
  field: string,
  message: PreconditionMessage | undefined,
): Precondition {
  const { operation, filter } = required(field, message);
  const converted = readFilter(`${field}.filter`, filter, "may-be-empty");
  switch (operation) {
    case Precondition_Operation.MUST_MATCH:
      return { operation: "must-match", filter: converted };
    case Precondition_Operation.MUST_NOT_MATCH:
      return { operation: "must-not-match", filter: converted };
    default:
      throw new RequestError(
        `${field}.operation`,
        `${field}.operation must be OPERATION_MUST_MATCH or OPERATION_MUST_NOT_MATCH`,
      );
  }
}

/** readIds checks each id of a filter's list at field; a subject id may be the wildcard `*`. */
/** readIdPrefix reads a resource id prefix: an id's leading characters, never beside named ids. */
function readIdPrefix(field: string, ids: readonly string[], prefix: string): string {
  if (ids.length > 0) {
    throw new RequestError(
      `${field}.resource_id_prefix`,
      `${field}.resource_id_prefix cannot be combined with ${field}.resource_ids`,
    );
  }
  return readId(`${field}.resource_id_prefix`, prefix, checkObjectId);
}

function readIds(field: string, ids: string[], check: typeof checkObjectId): string[] {
  return ids.map((id, i) => readId(`${field}[${i}]`, id, check));
}

function readCaveatName(field: string, name: string): string {
  const problem = explain(field, name, checkCaveatName(name));
  if (problem !== undefined) throw new RequestError(field, problem);
  return name;
}
