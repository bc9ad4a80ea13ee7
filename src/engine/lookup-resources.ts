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
  /**
   * The agents acting for the subject, as in a check: then only the resources on which the
   * whole chain may exercise the permission are found.
   */
  readonly actors?: readonly SubjectRef[];
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
 * intersections and caveats included. Each page repeats the candidate walk. With actors (or
 * suspensions in the schema), the legs that name no resource are checked first: when they deny
 * (a member suspended, a delegation missing), nothing is found and no candidate is looked for;
 * else each candidate is confirmed with every leg, so a resource is found only when the
 * subject's candidate is also allowed to every actor.
 *
 * The request is validated when called: an unknown type, relation or permission, actors a check
 * would refuse, a bad limit or a malformed cursor (or one issued for another lookup) throws an
 * "invalid-argument" EngineError. Errors while streaming (a caveat error, the depth limit) end the stream.
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
  dependencies.checkEngine.validateChain(request);
  requireLimit(request.limit);
  // Actors are in the scope: a cursor resumes only the lookup of the chain it was issued for.
  const chain = (request.actors ?? []).map((actor) => `>${formatSubjectRef(actor)}`).join("");
  const scope = `${resourceType}#${permission}@${formatSubjectRef(subject)}${chain}`;
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
  const { resourceType, permission, subject, actors, context } = request;
  const standing = await checkEngine.checkChain(reader, { subject, actors, context });
  if (standing.result === "denied") return;
  const candidates = await findResourceCandidates(schema, reader, request);
  const ordered = [...candidates]
    .filter((id) => after === undefined || compareIds(id, after) > 0)
    .sort(compareIds);
  let remaining = request.limit ?? Number.POSITIVE_INFINITY;
  for (const batch of chunks(ordered, CONFIRM_BATCH)) {
    const answers = await checkEngine.checkBulk(
      reader,
      batch.map((id) => ({
        resource: { type: resourceType, id },
        permission,
        subject,
        actors,
        context,
      })),
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
