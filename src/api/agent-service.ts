// latch.v1.AgentService: suspending and resuming subjects, and listing the suspensions in force, by page.

import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  ALL_SUSPENSIONS,
  type Suspension,
  suspensionKey,
  suspensionOf,
  suspensionRelationship,
} from "../agents/suspension.js";
import { isReservedName } from "../agents/suspension-names.js";
import type { AgentService, SuspensionSchema } from "../gen/latch/v1/agent_service_pb.js";
import type { SubjectRef as SubjectRefMessage } from "../gen/latch/v1/core_pb.js";
import type { Revision } from "../revision/revision.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import { parseSubjectRef } from "../tuple/parse-ref.js";
import type { SubjectRef } from "../tuple/relationship.js";
import { relationshipKey } from "../tuple/relationship-key.js";
import { formatTimestamp } from "../tuple/timestamp.js";
import { type ApiContext, readAt, tokenFor } from "./api-context.js";
import { NotFoundError } from "./api-error.js";
import { readPageSize } from "./convert/read-page-size.js";
import { readSubjectRef } from "./convert/read-refs.js";
import { readTimestamp } from "./convert/read-timestamp.js";
import { subjectRefMessage } from "./convert/write-messages.js";
import { PRINCIPAL } from "./guard-service.js";
import { readNote } from "./read-note.js";
import { RequestError } from "./request-error.js";
import { writeUnderSchema } from "./write-under-schema.js";

/** DEVELOPMENT is who suspends on a server with no API key (development mode). */
const DEVELOPMENT = "development";

/** createAgentService implements the agent service over the API context. */
export function createAgentService(context: ApiContext): ServiceImpl<typeof AgentService> {
  return {
    async suspend(request, call) {
      const subject = readSuspendable("subject", request.subject);
      const reason = readReason("reason", request.reason);
      const suspendedAt = new Date();
      const expiresAt =
        request.expiresAt === undefined
          ? undefined
          : readFuture("expires_at", request.expiresAt, suspendedAt);
      const suspension: Suspension = {
        subject,
        reason,
        suspendedBy: call.values.get(PRINCIPAL)?.keyName ?? DEVELOPMENT,
        suspendedAt,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      };
      const revision = await writeSuspension(context, suspension);
      return {
        suspendedAt: tokenFor(context, revision),
        suspension: suspensionMessage(suspension),
      };
    },

    async resume(request) {
      const subject = readSuspendable("subject", request.subject);
      const { revision, deleted } = await writeUnderSchema(context, (schema) => {
        requireSuspendableType(schema.compiled, subject);
        return { updates: [{ operation: "delete", relationship: suspensionKey(subject) }] };
      });
      if (deleted === 0) {
        throw new NotFoundError(
          `subject: ${formatSubjectRef(subject)} is not suspended (ListSuspensions lists those that are)`,
        );
      }
      return { resumedAt: tokenFor(context, revision) };
    },

    async listSuspensions(request, call) {
      const pageSize = readPageSize("page_size", request.pageSize);
      const after = readSuspensionCursor("cursor", request.cursor);
      const read = await readAt(context, "consistency", request.consistency, call.signal);
      // One more than the page says whether another follows.
      const relationships = await read.reader.query(ALL_SUSPENSIONS, {
        limit: pageSize + 1,
        ...(after === undefined ? {} : { after: relationshipKey(suspensionKey(after)) }),
      });
      const page = relationships.slice(0, pageSize).map(suspensionOf);
      const last = page.at(-1);
      return {
        suspensions: page.map(suspensionMessage),
        readAt: read.token,
        nextCursor:
          relationships.length > pageSize && last !== undefined
            ? formatSubjectRef(last.subject)
            : "",
      };
    },
  };
}

/**
 * writeSuspension stores suspension (replacing one of the same subject) and returns the write's
 * revision; a RequestError when the user's schema does not define the subject's type.
 */
export async function writeSuspension(
  context: ApiContext,
  suspension: Suspension,
): Promise<Revision> {
  const { revision } = await writeUnderSchema(context, (schema) => {
    requireSuspendableType(schema.compiled, suspension.subject);
    const relationship = suspensionRelationship(suspension);
    return { updates: [{ operation: "touch", relationship }] };
  });
  return revision;
}

/** readSuspendable reads the subject at field: an object or a wildcard, not a subject set. */
function readSuspendable(field: string, message: SubjectRefMessage | undefined): SubjectRef {
  const subject = readSubjectRef(field, message, "allow-wildcard");
  if (subject.relation !== undefined) {
    throw new RequestError(
      `${field}.relation`,
      `${field}.relation: a suspension is of an object (agent:bot) or of every object of a type (agent:*), not of the subject set ${formatSubjectRef(subject)}`,
    );
  }
  return subject;
}

/**
 * readSuspensionCursor reads the cursor at field (undefined when empty): a `next_cursor`
 * ListSuspensions returned, the subject of a page's last suspension (`agent:bot`, `agent:*`).
 */
function readSuspensionCursor(field: string, cursor: string): SubjectRef | undefined {
  if (cursor === "") return undefined;
  const parsed = parseSubjectRef(cursor);
  const problem = !parsed.ok
    ? parsed.error.message
    : parsed.value.relation !== undefined
      ? "it names a subject set, which is never suspended"
      : undefined;
  if (parsed.ok && problem === undefined) return parsed.value;
  throw new RequestError(
    field,
    `${field}: not a cursor ListSuspensions returned (a next_cursor is the subject of a page's last suspension, such as agent:bot): ${problem}`,
  );
}

/** requireSuspendableType refuses a subject whose type the user's schema does not define. */
function requireSuspendableType(schema: CompiledSchema, subject: SubjectRef): void {
  const field = "subject.object.type";
  if (isReservedName(subject.type)) {
    throw new RequestError(
      field,
      `${field}: '${subject.type}' is Latch's own definition; suspend objects of the schema's definitions`,
    );
  }
  if (!schema.definitions.has(subject.type)) {
    throw new RequestError(field, `${field}: the schema has no definition '${subject.type}'`);
  }
}

/** readReason checks the reason at field: required, 1 to 1,024 characters of text. */
function readReason(field: string, reason: string): string {
  return readNote(field, reason, { required: "say why the subject is suspended" });
}

/** readFuture reads the timestamp at field, which must come after now. */
function readFuture(field: string, timestamp: Timestamp, now: Date): Date {
  const at = readTimestamp(field, timestamp);
  if (at.getTime() <= now.getTime()) {
    throw new RequestError(
      field,
      `${field}: ${formatTimestamp(at)} is not in the future (the server's time is ${formatTimestamp(now)}); to end a suspension now, call Resume`,
    );
  }
  return at;
}

function suspensionMessage(suspension: Suspension): MessageInitShape<typeof SuspensionSchema> {
  const { expiresAt } = suspension;
  return {
    subject: subjectRefMessage(suspension.subject),
    reason: suspension.reason,
    suspendedBy: suspension.suspendedBy,
    suspendedAt: timestampFromDate(suspension.suspendedAt),
    ...(expiresAt === undefined ? {} : { expiresAt: timestampFromDate(expiresAt) }),
  };
}
