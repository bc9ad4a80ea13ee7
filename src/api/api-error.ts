// Maps every error a request can meet to a gRPC/Connect status with a message naming the cause.

import { Code, ConnectError } from "@connectrpc/connect";
import { DecisionLogError } from "../decisions/decision-log.js";
import { EngineError } from "../engine/engine-error.js";
import { ConsistencyError } from "../revision/consistency.js";
import { TokenError } from "../revision/token-error.js";
import { StoreError, StoreUnavailableError } from "../store/store.js";
import { RequestError, RequestLimitError } from "./request-error.js";
import { SchemaCheckLimitError } from "./schema-checks.js";

/**
 * SchemaConflictError is a schema write refused because of what the store holds: relationships
 * that would no longer fit it, or that carry a caveat whose parameters it removes or retypes;
 * the message lists them.
 */
export class SchemaConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemaConflictError";
  }
}

/** NoSchemaError is a request that needs a schema before one has been written. */
export class NoSchemaError extends Error {
  constructor() {
    super("no schema has been written yet: write one with WriteSchema (`latch schema write FILE`)");
    this.name = "NoSchemaError";
  }
}

/** NotFoundError is a request about something that does not exist (a suspension to lift). */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

const STORE_CODES = {
  "already-exists": Code.AlreadyExists,
  "precondition-failed": Code.FailedPrecondition,
  "too-many-updates": Code.ResourceExhausted,
  "too-many-preconditions": Code.ResourceExhausted,
  "invalid-argument": Code.InvalidArgument,
  "revision-unavailable": Code.FailedPrecondition,
  // Retryable: the write was checked against a schema replaced meanwhile, and nothing was written.
  "schema-changed": Code.Aborted,
} as const;

const ENGINE_CODES = {
  "invalid-argument": Code.InvalidArgument,
  "max-depth": Code.ResourceExhausted,
  "caveat-error": Code.InvalidArgument,
} as const;

/**
 * toConnectError maps error to a status: bad input to INVALID_ARGUMENT, failed preconditions to
 * FAILED_PRECONDITION, limits to RESOURCE_EXHAUSTED, an expired deadline to DEADLINE_EXCEEDED, a
 * database that cannot be reached to UNAVAILABLE (retryable; the message says why). Anything else is a fault of Latch's: INTERNAL, with a generic message (the cause is logged by
 * the caller, not sent to the client).
 */
export function toConnectError(error: unknown, signal?: AbortSignal): ConnectError {
  if (error instanceof ConnectError) return error;
  if (signal?.aborted) {
    const reason = signal.reason;
    if (reason instanceof ConnectError) return reason;
    return new ConnectError("the request was cancelled", Code.Canceled);
  }
  if (error instanceof RequestError || error instanceof TokenError) {
    return new ConnectError(error.message, Code.InvalidArgument);
  }
  if (error instanceof RequestLimitError) {
    return new ConnectError(error.message, Code.ResourceExhausted);
  }
  if (error instanceof StoreError) return new ConnectError(error.message, STORE_CODES[error.code]);
  if (error instanceof StoreUnavailableError)
    return new ConnectError(error.message, Code.Unavailable);
  // A sync decision log that cannot take a record: the answer is refused, not given unrecorded.
  if (error instanceof DecisionLogError) return new ConnectError(error.message, Code.Unavailable);
  if (error instanceof EngineError)
    return new ConnectError(error.message, ENGINE_CODES[error.code]);
  if (error instanceof ConsistencyError) {
    const code = error.code === "revision-gone" ? Code.FailedPrecondition : Code.InvalidArgument;
    return new ConnectError(error.message, code);
  }
  if (error instanceof SchemaCheckLimitError) {
    return new ConnectError(error.message, Code.ResourceExhausted);
  }
  if (error instanceof NotFoundError) return new ConnectError(error.message, Code.NotFound);
  if (error instanceof SchemaConflictError || error instanceof NoSchemaError) {
    return new ConnectError(error.message, Code.FailedPrecondition);
  }
  return new ConnectError("internal error", Code.Internal, undefined, undefined, error);
}
