// The requests a page knows, by id, kept current by each change the server streams.

import {
  type AccessRequest,
  AccessRequestStatus,
} from "../../../src/gen/latch/v1/approval_service_pb.js";
import type { ById } from "../api/by-id.js";

/** RequestBook is the requests known, by id; a change replaces the request it is about. */
export type RequestBook = ById<AccessRequest>;

/** withStatus lists the requests of book with status, oldest request first. */
export function withStatus(book: RequestBook, status: AccessRequestStatus): AccessRequest[] {
  return [...book.values()]
    .filter((request) => request.status === status)
    .sort((a, b) => Number((a.requestedAt?.seconds ?? 0n) - (b.requestedAt?.seconds ?? 0n)));
}

/** INBOX and GRANTS are the statuses the page shows: to decide, and to revoke. */
export const INBOX = AccessRequestStatus.PENDING;
export const GRANTS = AccessRequestStatus.APPROVED;
