// LookupResources and LookupSubjects messages as Latch's, and their answers back.

import { v1 } from "@authzed/authzed-node";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type LookupResourcesRequest,
  LookupResourcesRequestSchema,
  type LookupResourcesResponseSchema,
  type LookupSubjectsRequest,
  LookupSubjectsRequestSchema,
  type LookupSubjectsResponseSchema,
} from "../gen/latch/v1/permission_service_pb.js";
import {
  latchConsistency,
  latchContext,
  latchObject,
  latchSubject,
  spiceCursor,
  zedToken,
} from "./translate-core.js";

/** latchLookupResources is a LookupResources request as Latch's: limit and cursor carry over. */
export function latchLookupResources(request: v1.LookupResourcesRequest): LookupResourcesRequest {
  return create(LookupResourcesRequestSchema, {
    resourceType: request.resourceObjectType,
    permission: request.permission,
    subject: latchSubject(request.subject),
    context: latchContext(request.context),
    consistency: latchConsistency(request.consistency),
    limit: request.optionalLimit,
    cursor: request.optionalCursor?.token ?? "",
  });
}

/** spiceResource is one resource Latch found, as SpiceDB's answer, with its cursor. */
export function spiceResource(
  found: MessageInitShape<typeof LookupResourcesResponseSchema>,
): v1.LookupResourcesResponse {
  return {
    lookedUpAt: zedToken(found.lookedUpAt),
    resourceObjectId: found.resourceId ?? "",
    ...permissionship(found),
    afterResultCursor: spiceCursor(found.afterCursor),
  };
}

/**
 * latchLookupSubjects is a LookupSubjects request as Latch's. A concrete limit or a cursor is
 * refused UNIMPLEMENTED: Latch answers LookupSubjects whole.
 */
export function latchLookupSubjects(request: v1.LookupSubjectsRequest): LookupSubjectsRequest {
  if (request.optionalConcreteLimit !== 0 || request.optionalCursor !== undefined) {
    throw new ConnectError(
      "optional_concrete_limit, optional_cursor: Latch answers LookupSubjects whole, without pages",
      Code.Unimplemented,
    );
  }
  return create(LookupSubjectsRequestSchema, {
    resource: latchObject(request.resource),
    permission: request.permission,
    subjectType: request.subjectObjectType,
    subjectRelation: request.optionalSubjectRelation,
    context: latchContext(request.context),
    consistency: latchConsistency(request.consistency),
  });
}

/**
 * spiceSubjectFound is one subject Latch found, as SpiceDB's answer: a wildcard (`*`) with the
 * subjects it excludes, in both the current and the deprecated fields.
 */
export function spiceSubjectFound(
  found: MessageInitShape<typeof LookupSubjectsResponseSchema>,
): v1.LookupSubjectsResponse {
  const id = found.subjectId ?? "";
  const excluded = found.excludedSubjectIds ?? [];
  const answer = permissionship(found);
  return {
    lookedUpAt: zedToken(found.lookedUpAt),
    subjectObjectId: id,
    excludedSubjectIds: [...excluded],
    ...answer,
    subject: { subjectObjectId: id, ...answer },
    excludedSubjects: excluded.map((subjectObjectId) => ({
      subjectObjectId,
      permissionship: v1.LookupPermissionship.HAS_PERMISSION,
    })),
  };
}

function permissionship(found: {
  readonly conditional?: boolean;
  readonly missingParameters?: readonly string[];
}): Pick<v1.ResolvedSubject, "permissionship" | "partialCaveatInfo"> {
  if (found.conditional !== true) return { permissionship: v1.LookupPermissionship.HAS_PERMISSION };
  return {
    permissionship: v1.LookupPermissionship.CONDITIONAL_PERMISSION,
    partialCaveatInfo: { missingRequiredContext: [...(found.missingParameters ?? [])] },
  };
}
