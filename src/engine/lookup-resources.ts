// LookupResources: the resources of a type a subject has a permission on, streamed in id order with cursors.

import type { CaveatContext } from "../schema/caveat/compiled-caveat.js";
import type { SnapshotReader } from "../store/store.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { SubjectRef } from "../tuple/relationship.js";
import { decodeLookupCursor, encodeLookupCursor } from "./lookup-cursor.js";
import type { LookupDependencies } from "./lookup-dependencies.js";
import { CONFIRM_BATCH, chunks, compareIds } from "./lookup-ids.js";
import { findResourceCandidates } from "./lookup-resource-candidates.js";
import { requireDefinition, requireLimit, requireMember } from "./lookup-validation.js";

/** LookupResourcesRequest asks which objects of `resourceType` `subject` has `permission` on. */
export interface LookupResourcesRequest {
  readonly resourceType: string;
  readonly permission: string;
  readonly subject: SubjectRef;
  readonly context?: CaveatContext;
  /** At most this many results (a positive integer); every one when undefined. */
  readonly limit?: number;
  /** The `cursor` of the last result already received: the lookup resumes right after it. */
  readonly cursor?: string;
}

/** LookupResourcesItem is one resource found, as Check would answer for it. */
export interface LookupResourcesItem {
  readonly id: string;
  readonly result: "allowed" | "conditional";
  /** For conditional results: the caveat parameters to supply, sorted. */
  readonly missing: string[];
  /** Resumes the lookup right after this item. */
  readonly cursor: string;
}

/**
 * lookupResources streams the ids of the `resourceType` objects on which Check says `subject`
 * has `permission` (allowed, or conditional on missing caveat parameters), sorted by id
 * (UTF-16 code units), each with a cursor that resumes right after it. With a limit it stops
 * after `limit` items; a page shorter than the limit is the last one.
 *
 * Candidates are found by walking from the subject up the schema's reverse edges, then
 * confirmed with bulk checks in id order, so the results equal Check's answers, exclusions,
 * intersections and caveats included. Each page repeats the candidate walk.
 *
 * The request is validated when called: an unknown type, relation or permission, a bad limit or
 * a malformed cursor (or one issued for another lookup) throws an "invalid-argument"
 * EngineError. Errors while streaming (a caveat error, the depth limit) end the stream.
 */
export function lookupResources(
  dependencies: LookupDependencies,
  reader: SnapshotReader,
  request: LookupResourcesRequest,
): AsyncIterable<LookupResourcesItem> {
  const { schema } = dependencies;
  const { resourceType, permission, subject } = request;
  requireDefinition(schema, "resourceType", resourceType);
  requireMember(schema, "permission", resourceType, permission);
  requireDefinition(schema, "subject.type", subject.type);
  if (subject.relation !== undefined)
    requireMember(schema, "subject.relation", subject.type, subject.relation);
  requireLimit(request.limit);
  const scope = `${resourceType}#${permission}@${formatSubjectRef(subject)}`;
  const after =
    request.cursor === undefined ? undefined : decodeLookupCursor(request.cursor, scope);
  return streamResources(dependencies, reader, request, scope, after);
}

async function* streamResources(
  { schema, checkEngine }: LookupDependencies,
  reader: SnapshotReader,
  request: LookupResourcesRequest,
  scope: string,
  after: string | undefined,
): AsyncGenerator<LookupResourcesItem> {
  const { resourceType, permission, subject, context } = request;
  const candidates = await findResourceCandidates(schema, reader, request);
  const ordered = [...candidates]
    .filter((id) => after === undefined || compareIds(id, after) > 0)
    .sort(compareIds);
  let remaining = request.limit ?? Number.POSITIVE_INFINITY;
  for (const batch of chunks(ordered, CONFIRM_BATCH)) {
    const answers = await checkEngine.checkBulk(
      reader,
      batch.map((id) => ({ resource: { type: resourceType, id }, permission, subject, context })),
    );
    for (const [index, id] of batch.entries()) {
      const answer = answers[index]!;
      if (!answer.ok) throw answer.error;
      const { result, missing } = answer.result;
      if (result === "denied") continue;
      yield { id, result, missing: [...missing], cursor: encodeLookupCursor(scope, id) };
      if (--remaining === 0) return;
    }
  }
}
