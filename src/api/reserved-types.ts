// Relationships on Latch's built-in definitions are written through AgentService and ApprovalService only.

import { isReservedName, RESERVED_PREFIX } from "../agents/suspension-names.js";
import { RequestError } from "./request-error.js";

/**
 * refuseReservedType throws a RequestError naming field when type is one of Latch's built-in
 * definitions: writes and deletes of suspensions go through AgentService, which records who
 * suspended and why, and those of access requests through ApprovalService.
 */
export function refuseReservedType(field: string, type: string): void {
  if (!isReservedName(type)) return;
  throw new RequestError(
    field,
    `${field}: '${type}' is reserved for Latch's built-in definitions (the prefix '${RESERVED_PREFIX}'); use AgentService (Suspend, Resume) to change suspensions, ApprovalService for access requests`,
  );
}
