// Access requests as API messages.

import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type AccessRequest, statusAt } from "../../approvals/access-request.js";
import type { AccessRequestStatus } from "../../approvals/access-request-names.js";
import {
  type AccessRequestSchema,
  AccessRequestStatus as AccessRequestStatusMessage,
} from "../../gen/latch/v1/approval_service_pb.js";
import { relationshipMessage, subjectRefMessage } from "./write-messages.js";

/** STATUS_MESSAGES maps each status to the API's enum. */
export const STATUS_MESSAGES: Readonly<Record<AccessRequestStatus, AccessRequestStatusMessage>> = {
  pending: AccessRequestStatusMessage.PENDING,
  approved: AccessRequestStatusMessage.APPROVED,
  denied: AccessRequestStatusMessage.DENIED,
  cancelled: AccessRequestStatusMessage.CANCELLED,
  revoked: AccessRequestStatusMessage.REVOKED,
  expired: AccessRequestStatusMessage.EXPIRED,
};

/** accessRequestMessage is request as an API message, its status as it stands at now. */
export function accessRequestMessage(
  request: AccessRequest,
  now: Date,
): MessageInitShape<typeof AccessRequestSchema> {
  const { decision, grantExpiresAt } = request;
  return {
    id: request.id,
    relationship: relationshipMessage(request.relationship),
    duration: durationFromMs(request.durationMs),
    justification: request.justification,
    actors: request.actors.map(subjectRefMessage),
    status: STATUS_MESSAGES[statusAt(request, now)],
    requestedBy: request.requestedBy,
    requestedAt: timestampFromDate(request.requestedAt),
    pendingUntil: timestampFromDate(request.pendingUntil),
    ...(decision === undefined
      ? {}
      : {
          decidedBy: decision.by,
          decidedAt: timestampFromDate(decision.at),
          note: decision.note,
        }),
    grantedAt: request.grantedAt ?? "",
    ...(grantExpiresAt === undefined ? {} : { grantExpiresAt: timestampFromDate(grantExpiresAt) }),
    revokedAt: request.revokedAt ?? "",
  };
}
