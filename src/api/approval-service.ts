// latch.v1.ApprovalService: access requests, decided by people into relationships that expire.

import { randomUUID } from "node:crypto";
import { type Duration, durationMs } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ACCESS_REQUEST_MAX_DURATION_MS,
  type AccessRequest,
  ALL_ACCESS_REQUESTS,
  accessRequestFilter,
  accessRequestOf,
  accessRequestRecord,
  statusAt,
} from "../approvals/access-request.js";
import {
  ACCESS_REQUEST_DEFINITION,
  type AccessRequestStatus,
  STORED_STATUSES,
} from "../approvals/access-request-names.js";
import {
  AccessRequestStatus as AccessRequestStatusMessage,
  type ApprovalService,
} from "../gen/latch/v1/approval_service_pb.js";
import { decodeToken } from "../revision/consistency-token.js";
import type { Revision } from "../revision/revision.js";
import { type SnapshotReader, StoreError } from "../store/store.js";
import { formatRelationship } from "../tuple/format-relationship.js";
import type { ObjectRef, Relationship } from "../tuple/relationship.js";
import { type ApiContext, readAt, tokenFor } from "./api-context.js";
import { NotFoundError } from "./api-error.js";
import { readPageSize } from "./convert/read-page-size.js";
import { readActors, readObjectRef } from "./convert/read-refs.js";
import { readRelationship } from "./convert/read-relationship.js";
import { accessRequestMessage, STATUS_MESSAGES } from "./convert/write-access-request.js";
import { PRINCIPAL } from "./guard-service.js";
import { readNote } from "./read-note.js";
import { RequestError } from "./request-error.js";
import { refuseReservedType } from "./reserved-types.js";
import { checkRelationshipFits } from "./schema-fit.js";
import { writeUnderSchema } from "./write-under-schema.js";

/** DEVELOPMENT is who asks and decides on a server with no API key (development mode). */
const DEVELOPMENT = "development";

/** ApprovalSettings configure the approval service. */
export interface ApprovalSettings {
  /** How long a request stays pending before it expires undecided (LATCH_ACCESS_REQUEST_TTL). */
  readonly requestTtlMs: number;
}

/** createApprovalService implements the approval service over the API context. */
export function createApprovalService(
  context: ApiContext,
  settings: ApprovalSettings,
): ServiceImpl<typeof ApprovalService> {
  /** decide moves request id from pending to status, with the grant's write when approving. */
  const decide = async (
    id: string,
    call: HandlerContext,
    change: (request: AccessRequest, now: Date) => DecidedChange,
  ) => {
    const now = new Date();
    const request = await requestAtHead(context, id);
    const status = statusAt(request, now);
    if (status !== "pending") throw notPending(request, status);
    const decided = change(request, now);
    const record = accessRequestRecord({
      ...decided.request,
      decision: { by: principalName(call), at: now, note: decided.note },
    });
    const stamp = decided.grant === undefined ? undefined : tokenStamp(context, "granted_at");
    const { revision } = await writeUnderSchema(context, (schema) => {
      if (decided.grant !== undefined) checkStillGrantable(schema.compiled, request);
      return {
        updates: [
          { operation: "delete", relationship: accessRequestRecord(request) },
          { operation: "create", relationship: record },
          ...(decided.grant === undefined
            ? []
            : [{ operation: "touch" as const, relationship: decided.grant }]),
        ],
        // Another replica's decision in between makes this one fail, writing nothing.
        preconditions: [{ operation: "must-match", filter: accessRequestFilter(id, "pending") }],
        ...(stamp === undefined ? {} : { stamp }),
      };
    }).catch(refusedWhenDecided(id));
    return { record: stamp === undefined ? record : stamp(record, revision), revision, now };
  };

  return {
    async requestAccess(request, call) {
      const relationship = readRequested("relationship", request.relationship);
      const duration = readDurationMs("duration", request.duration);
      if (duration === undefined || duration <= 0) {
        throw new RequestError("duration", "duration: required, a positive duration such as 3600s");
      }
      const justification = readNote("justification", request.justification, {
        required: "say why the access is needed, for the approver",
      });
      const { actors = [] } = readActors("actors", request.actors);
      const now = new Date();
      const accessRequest: AccessRequest = {
        id: randomUUID(),
        relationship,
        durationMs: duration,
        justification,
        actors,
        status: "pending",
        requestedBy: principalName(call),
        requestedAt: now,
        pendingUntil: new Date(now.getTime() + settings.requestTtlMs),
      };
      const { revision } = await writeUnderSchema(context, (schema) => {
        checkGrantable(schema.compiled, "relationship", relationship);
        return {
          updates: [{ operation: "create", relationship: accessRequestRecord(accessRequest) }],
        };
      });
      return {
        request: accessRequestMessage(accessRequest, now),
        requestedAt: tokenFor(context, revision),
      };
    },

    async getAccessRequest(request, call) {
      const id = readId("id", request.id);
      const read = await readAt(context, "consistency", request.consistency, call.signal);
      const found = await findRequest(read.reader, id);
      return { request: accessRequestMessage(found, new Date()), readAt: read.token };
    },

    async listAccessRequests(request, call) {
      const pageSize = readPageSize("page_size", request.pageSize);
      const after = readListCursor("cursor", request.cursor);
      const { wanted, matches } = readRequestFilters(request);
      const read = await readAt(context, "consistency", request.consistency, call.signal);
      const now = new Date();
      // Stored statuses narrow the read; expired requests are pending records past their time.
      const filter =
        wanted === undefined
          ? ALL_ACCESS_REQUESTS
          : { ...ALL_ACCESS_REQUESTS, relation: wanted === "expired" ? "pending" : wanted };
      const page: { request: AccessRequest; key: string }[] = [];
      let cursor = after;
      // One more than the page says whether another follows; filters may skip whole batches.
      while (page.length <= pageSize) {
        const batch = await read.reader.query(filter, {
          limit: pageSize + 1,
          ...(cursor === undefined ? {} : { after: cursor }),
        });
        for (const record of batch) {
          const found = accessRequestOf(record);
          if (matches(found, now)) page.push({ request: found, key: recordCursor(found) });
        }
        const last = batch.at(-1);
        if (batch.length <= pageSize || last === undefined) break;
        cursor = recordKey(accessRequestOf(last));
      }
      const shown = page.slice(0, pageSize);
      return {
        requests: shown.map((entry) => accessRequestMessage(entry.request, now)),
        readAt: read.token,
        nextCursor: page.length > pageSize ? (shown.at(-1)?.key ?? "") : "",
      };
    },

    async *watchAccessRequests(request, { signal }) {
      const { matches } = readRequestFilters(request);
      const { store } = context;
      const since: Revision =
        request.since === ""
          ? await store.headRevision()
          : decodeToken(request.since, store.storeId);
      const changes = store.watch(since, { signal, resourceTypes: [ACCESS_REQUEST_DEFINITION] });
      for await (const change of changes) {
        // A request's record is replaced at each decision: the record written is the request's
        // new state; the one deleted beside it in the same revision is the state it left.
        if (change.kind !== "touch") continue;
        const found = accessRequestOf(change.relationship);
        const now = new Date();
        if (!matches(found, now)) continue;
        yield {
          request: accessRequestMessage(found, now),
          changedAt: tokenFor(context, change.revision),
        };
      }
      // The stream never ends by itself: it stopped because the call did, which says why.
      signal.throwIfAborted();
    },

    async approve(request, call) {
      const id = readId("id", request.id);
      const asked = readDurationMs("duration", request.duration);
      const note = readNote("note", request.note, "optional");
      const { record, revision, now } = await decide(id, call, (pending, at) => {
        if (asked !== undefined && asked < 0) {
          throw new RequestError(
            "duration",
            "duration: must not be negative; 0 grants the duration asked for",
          );
        }
        if (asked !== undefined && asked > pending.durationMs) {
          throw new RequestError(
            "duration",
            `duration: ${asked / 1000}s is longer than the ${pending.durationMs / 1000}s requested; approve for at most that, or 0 for all of it`,
          );
        }
        const lasts = asked === undefined || asked === 0 ? pending.durationMs : asked;
        const grantExpiresAt = new Date(at.getTime() + lasts);
        return {
          request: { ...pending, status: "approved", grantExpiresAt },
          note,
          grant: { ...pending.relationship, expiresAt: grantExpiresAt },
        };
      });
      return {
        request: accessRequestMessage(accessRequestOf(record), now),
        grantedAt: tokenFor(context, revision),
      };
    },

    async deny(request, call) {
      const id = readId("id", request.id);
      const note = readNote("note", request.note, "optional");
      const { record, now } = await decide(id, call, (pending) => ({
        request: { ...pending, status: "denied" },
        note,
      }));
      return { request: accessRequestMessage(accessRequestOf(record), now) };
    },

    async cancel(request, call) {
      const id = readId("id", request.id);
      const { record, now } = await decide(id, call, (pending) => {
        const principal = call.values.get(PRINCIPAL);
        const mayCancel =
          principalName(call) === pending.requestedBy || principal?.scopes.has("admin") === true;
        if (!mayCancel) {
          throw new ConnectError(
            `id: request ${id} was made by ${pending.requestedBy}; only that API key, or an admin key, may cancel it`,
            Code.PermissionDenied,
          );
        }
        return { request: { ...pending, status: "cancelled" }, note: "" };
      });
      return { request: accessRequestMessage(accessRequestOf(record), now) };
    },

    async revoke(request, call) {
      const id = readId("id", request.id);
      const note = readNote("note", request.note, "optional");
      const now = new Date();
      const approved = await requestAtHead(context, id);
      const expiresAt = approved.grantExpiresAt;
      if (approved.status !== "approved" || expiresAt === undefined) {
        throw notPending(approved, statusAt(approved, now), "approved");
      }
      const grant: Relationship = { ...approved.relationship, expiresAt };
      const current = await currentRelationship(context, grant);
      // The relationship is deleted only if it is still the one Approve wrote: one written since
      // (by a write or another approval) is another grant, and stays.
      const stillOurs = current !== undefined && sameGrant(current, grant);
      const record = accessRequestRecord({
        ...approved,
        status: "revoked",
        decision: { by: principalName(call), at: now, note },
      });
      const stamp = tokenStamp(context, "revoked_at");
      const { revision } = await writeUnderSchema(context, () => ({
        updates: [
          { operation: "delete", relationship: accessRequestRecord(approved) },
          { operation: "create", relationship: record },
          ...(stillOurs ? [{ operation: "delete" as const, relationship: grant }] : []),
        ],
        preconditions: [{ operation: "must-match", filter: accessRequestFilter(id, "approved") }],
        stamp,
      })).catch(refusedWhenDecided(id));
      const revoked = accessRequestOf(stamp(record, revision));
      return {
        request: accessRequestMessage(revoked, now),
        revokedAt: tokenFor(context, revision),
      };
    },
  };
}

/** DecidedChange is what a decision makes of a pending request: its next state, and a grant. */
interface DecidedChange {
  readonly request: AccessRequest;
  readonly note: string;
  readonly grant?: Relationship;
}

function principalName(call: HandlerContext): string {
  return call.values.get(PRINCIPAL)?.keyName ?? DEVELOPMENT;
}

/**
 * readRequested reads the relationship a request asks for: no caveat, no expiration (the grant's
 * comes from the duration), and not on Latch's own definitions.
 */
function readRequested(
  field: string,
  message: Parameters<typeof readRelationship>[1],
): Relationship {
  const relationship = readRelationship(field, message);
  if (relationship.caveat !== undefined) {
    throw new RequestError(
      `${field}.caveat`,
      `${field}.caveat: an access request is for a relationship without a caveat`,
    );
  }
  if (relationship.expiresAt !== undefined) {
    throw new RequestError(
      `${field}.expires_at`,
      `${field}.expires_at: leave it unset; the grant expires after the duration approved`,
    );
  }
  refuseReservedType(`${field}.resource.type`, relationship.resource.type);
  refuseReservedType(`${field}.subject.object.type`, relationship.subject.type);
  return relationship;
}

/**
 * checkGrantable refuses a relationship the schema does not allow, or allows only without an
 * expiration: a grant always expires.
 */
function checkGrantable(
  schema: Parameters<typeof checkRelationshipFits>[0],
  field: string,
  relationship: Relationship,
): void {
  try {
    checkRelationshipFits(schema, field, { ...relationship, expiresAt: new Date() });
  } catch (error) {
    // Refused as a grant: say so when the relationship would be allowed without an expiration.
    checkRelationshipFits(schema, field, relationship);
    if (!(error instanceof RequestError)) throw error;
    const { resource, relation, subject } = relationship;
    const subjectType =
      subject.relation === undefined ? subject.type : `${subject.type}#${subject.relation}`;
    throw new RequestError(
      `${field}.relation`,
      `${field}.relation: ${resource.type}#${relation} does not allow ${subjectType} \`with expiration\`, and an approved request is a grant that expires; add \`${subjectType} with expiration\` to the relation in the schema`,
    );
  }
}

/** checkStillGrantable refuses to approve a request the schema, changed since, no longer allows. */
function checkStillGrantable(
  schema: Parameters<typeof checkRelationshipFits>[0],
  request: AccessRequest,
): void {
  try {
    checkGrantable(schema, "relationship", request.relationship);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    throw new ConnectError(
      `id: request ${request.id} can no longer be approved, the schema changed since it was made: ${error.message}`,
      Code.FailedPrecondition,
    );
  }
}

/** readDurationMs reads the duration at field, in milliseconds: undefined when unset. */
function readDurationMs(field: string, duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  const ms = durationMs(duration);
  if (ms > ACCESS_REQUEST_MAX_DURATION_MS) {
    throw new RequestError(
      field,
      `${field}: ${ms / 1000}s is longer than the limit of ${ACCESS_REQUEST_MAX_DURATION_MS / 1000}s (30 days)`,
    );
  }
  return ms;
}

/** readId checks a request id at field: a UUID, as RequestAccess returns. */
function readId(field: string, id: string): string {
  if (!UUID.test(id)) {
    throw new RequestError(
      field,
      `${field}: not an access request id (a UUID, as RequestAccess returns), got ${JSON.stringify(id)}`,
    );
  }
  return id.toLowerCase();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RequestFilters are the filters of ListAccessRequests and WatchAccessRequests, read. */
interface RequestFilters {
  /** The status asked for; undefined for any. */
  readonly wanted: AccessRequestStatus | undefined;
  /** matches says whether a request, read at now, passes every filter. */
  readonly matches: (request: AccessRequest, now: Date) => boolean;
}

/** readRequestFilters reads the status, requester and resource filters of a list or a watch. */
function readRequestFilters(request: {
  readonly status: AccessRequestStatusMessage;
  readonly requestedBy: string;
  readonly resource?: Parameters<typeof readObjectRef>[1];
}): RequestFilters {
  const wanted = readStatus("status", request.status);
  const resource =
    request.resource === undefined ? undefined : readObjectRef("resource", request.resource);
  const { requestedBy } = request;
  return {
    wanted,
    matches: (found, now) =>
      (wanted === undefined || statusAt(found, now) === wanted) &&
      (requestedBy === "" || found.requestedBy === requestedBy) &&
      (resource === undefined || sameObject(found.relationship.resource, resource)),
  };
}

/** readStatus reads a list's status filter: undefined for any. */
function readStatus(
  field: string,
  status: AccessRequestStatusMessage,
): AccessRequestStatus | undefined {
  if (status === AccessRequestStatusMessage.UNSPECIFIED) return undefined;
  const entry = Object.entries(STATUS_MESSAGES).find(([, value]) => value === status);
  if (entry === undefined) {
    throw new RequestError(field, `${field}: not an AccessRequestStatus, got ${status}`);
  }
  return entry[0] as AccessRequestStatus;
}

/**
 * recordCursor is the cursor after a listed request: `ID#status`, its record's relation. The
 * record's key follows from it ({@link readListCursor}).
 */
function recordCursor(request: AccessRequest): string {
  return `${request.id}#${request.status}`;
}

/** recordKey is the relationship key of request's record, where a query resumes after it. */
function recordKey(request: AccessRequest): string {
  return `${ACCESS_REQUEST_DEFINITION}:${request.id}#${request.status}@${ACCESS_REQUEST_DEFINITION}:${request.id}`;
}

/** readListCursor reads a `next_cursor` of ListAccessRequests as the key to resume after. */
function readListCursor(field: string, cursor: string): string | undefined {
  if (cursor === "") return undefined;
  const [id = "", status = ""] = cursor.split("#");
  const stored = STORED_STATUSES.find((known) => known === status);
  if (!UUID.test(id) || stored === undefined) {
    throw new RequestError(
      field,
      `${field}: not a cursor ListAccessRequests returned (ID#status, such as 0b1c…#pending), got ${JSON.stringify(cursor)}`,
    );
  }
  return `${ACCESS_REQUEST_DEFINITION}:${id}#${stored}@${ACCESS_REQUEST_DEFINITION}:${id}`;
}

function sameObject(a: ObjectRef, b: ObjectRef): boolean {
  return a.type === b.type && a.id === b.id;
}

/** findRequest reads request id through reader: NOT_FOUND when there is none. */
async function findRequest(reader: SnapshotReader, id: string): Promise<AccessRequest> {
  const [record] = await reader.query(accessRequestFilter(id), { limit: 1 });
  if (record === undefined) {
    throw new NotFoundError(`id: no access request ${id} (ListAccessRequests lists them)`);
  }
  return accessRequestOf(record);
}

/** requestAtHead reads request id at the store's head, as a decision must. */
async function requestAtHead(context: ApiContext, id: string): Promise<AccessRequest> {
  const head = await context.store.head();
  return findRequest(context.store.snapshot(head.revision, new Date()), id);
}

/** currentRelationship is the relationship with grant's key at the store's head, if any. */
async function currentRelationship(
  context: ApiContext,
  grant: Relationship,
): Promise<Relationship | undefined> {
  const head = await context.store.head();
  const { resource, relation, subject } = grant;
  const [current] = await context.store.snapshot(head.revision, new Date()).query(
    {
      resourceType: resource.type,
      resourceIds: [resource.id],
      relation,
      subjectType: subject.type,
      subjectIds: [subject.id],
      subjectRelation: subject.relation ?? null,
    },
    { limit: 1 },
  );
  return current;
}

function sameGrant(current: Relationship, grant: Relationship): boolean {
  return (
    current.caveat === undefined && current.expiresAt?.getTime() === grant.expiresAt?.getTime()
  );
}

/** notPending is the FAILED_PRECONDITION of a decision on a request not in the state it needs. */
function notPending(
  request: AccessRequest,
  status: AccessRequestStatus,
  needed: "pending" | "approved" = "pending",
): ConnectError {
  const ended =
    status === "expired" ? ` (it expired undecided at ${request.pendingUntil.toISOString()})` : "";
  return new ConnectError(
    `id: request ${request.id} for ${formatRelationship(request.relationship)} is ${status}${ended}; only a ${needed} request can be ${needed === "pending" ? "decided" : "revoked"}`,
    Code.FailedPrecondition,
  );
}

/** refusedWhenDecided turns a failed precondition (a decision in between) into a clear refusal. */
function refusedWhenDecided(id: string) {
  return (error: unknown): never => {
    if (error instanceof StoreError && error.code === "precondition-failed") {
      throw new ConnectError(
        `id: request ${id} was decided by another call meanwhile; GetAccessRequest shows how`,
        Code.FailedPrecondition,
      );
    }
    throw error;
  };
}

/**
 * tokenStamp is the stamp of a decision's write (see PreparedWrite) that records on the request's
 * record, as field, the token of the revision the write commits at: the decision, its grant (or
 * the grant's deletion) and the token are one write, and the token is on the record from the
 * moment the decision is. The record is the write's only relationship of Latch's own definition.
 */
function tokenStamp(
  context: ApiContext,
  field: "granted_at" | "revoked_at",
): (relationship: Relationship, revision: Revision) => Relationship {
  return (relationship, revision) => {
    const { caveat } = relationship;
    if (relationship.resource.type !== ACCESS_REQUEST_DEFINITION || caveat === undefined) {
      return relationship;
    }
    const note = { ...caveat.context, [field]: tokenFor(context, revision) };
    return { ...relationship, caveat: { ...caveat, context: note } };
  };
}
