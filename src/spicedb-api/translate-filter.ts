// SpiceDB's relationship filters and preconditions as Latch's.

import { v1 } from "@authzed/authzed-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  Precondition_Operation,
  type PreconditionSchema,
  type RelationshipFilterSchema,
} from "../gen/latch/v1/core_pb.js";

const OPERATIONS: Readonly<Record<v1.Precondition_Operation, Precondition_Operation>> = {
  [v1.Precondition_Operation.UNSPECIFIED]: Precondition_Operation.UNSPECIFIED,
  [v1.Precondition_Operation.MUST_MATCH]: Precondition_Operation.MUST_MATCH,
  [v1.Precondition_Operation.MUST_NOT_MATCH]: Precondition_Operation.MUST_NOT_MATCH,
};

/**
 * latchFilter is the SpiceDB relationship filter at field as Latch's: a resource id and a subject
 * id become one-element id lists; a resource id prefix stays a prefix. A resource id and a prefix
 * together are refused, as SpiceDB refuses them.
 */
export function latchFilter(
  field: string,
  filter: v1.RelationshipFilter | undefined,
): MessageInitShape<typeof RelationshipFilterSchema> | undefined {
  if (filter === undefined) return undefined;
  if (filter.optionalResourceIdPrefix !== "" && filter.optionalResourceId !== "") {
    throw new ConnectError(
      `${field}.optional_resource_id_prefix cannot be combined with ${field}.optional_resource_id`,
      Code.InvalidArgument,
    );
  }
  const subject = filter.optionalSubjectFilter;
  return {
    resourceType: filter.resourceType,
    resourceIds: filter.optionalResourceId === "" ? [] : [filter.optionalResourceId],
    resourceIdPrefix: filter.optionalResourceIdPrefix,
    relation: filter.optionalRelation,
    ...(subject === undefined
      ? {}
      : {
          subjectType: subject.subjectType,
          subjectIds: subject.optionalSubjectId === "" ? [] : [subject.optionalSubjectId],
          ...(subject.optionalRelation === undefined
            ? {}
            : { subjectRelation: subject.optionalRelation.relation }),
        }),
  };
}

/**
 * requiredFilter is latchFilter for a filter SpiceDB requires, with at least one field set: those
 * of reads, deletes and preconditions (where an empty filter would match everything).
 */
export function requiredFilter(
  field: string,
  filter: v1.RelationshipFilter | undefined,
): MessageInitShape<typeof RelationshipFilterSchema> {
  if (filter === undefined) {
    throw new ConnectError(`${field} is required`, Code.InvalidArgument);
  }
  const { resourceType, optionalResourceId, optionalResourceIdPrefix, optionalRelation } = filter;
  const named = [resourceType, optionalResourceId, optionalResourceIdPrefix, optionalRelation];
  if (named.every((value) => value === "") && filter.optionalSubjectFilter === undefined) {
    throw new ConnectError(`${field} must set at least one field`, Code.InvalidArgument);
  }
  return latchFilter(field, filter) ?? {};
}

/** latchPrecondition is the SpiceDB precondition at field as Latch's (the operations' numbers differ). */
export function latchPrecondition(
  field: string,
  precondition: v1.Precondition,
): MessageInitShape<typeof PreconditionSchema> {
  return {
    operation: OPERATIONS[precondition.operation] ?? Precondition_Operation.UNSPECIFIED,
    filter: requiredFilter(`${field}.filter`, precondition.filter),
  };
}
