// Latch's errors as SpiceDB reports them: its status codes, with an ErrorReason in google.rpc.ErrorInfo.

import { v1 } from "@authzed/authzed-node";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import { SchemaConflictError } from "../api/api-error.js";
import { RequestError, RequestLimitError } from "../api/request-error.js";
import { EngineError } from "../engine/engine-error.js";
import { StoreError } from "../store/store.js";

/** The domain SpiceDB's ErrorInfo details carry, which its clients compare. */
const ERROR_DOMAIN = "authzed.com";
const ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo";

/** SpiceDbReason is a status code and the ErrorReason a SpiceDB client branches on. */
interface SpiceDbReason {
  readonly code: Code;
  readonly reason: v1.ErrorReason;
}

const STORE_REASONS: Partial<Record<StoreError["code"], SpiceDbReason>> = {
  "precondition-failed": {
    code: Code.FailedPrecondition,
    reason: v1.ErrorReason.WRITE_OR_DELETE_PRECONDITION_FAILURE,
  },
  "already-exists": {
    code: Code.AlreadyExists,
    reason: v1.ErrorReason.ATTEMPT_TO_RECREATE_RELATIONSHIP,
  },
  "too-many-updates": {
    code: Code.InvalidArgument,
    reason: v1.ErrorReason.TOO_MANY_UPDATES_IN_REQUEST,
  },
  "too-many-preconditions": {
    code: Code.InvalidArgument,
    reason: v1.ErrorReason.TOO_MANY_PRECONDITIONS_IN_REQUEST,
  },
};

/**
 * spiceDbError is error as SpiceDB would report it, when SpiceDB gives the case an ErrorReason: a
 * ConnectError with SpiceDB's code and the reason in `grpc-status-details-bin`; a schema that
 * relationships no longer fit is SpiceDB's `INVALID_ARGUMENT`, without a reason (Latch's own API
 * answers `FAILED_PRECONDITION`). Any other error is returned as it is, for the guard to map (and
 * to log, when it is a fault of Latch's).
 */
export function spiceDbError(error: unknown): unknown {
  if (error instanceof SchemaConflictError)
    return new ConnectError(error.message, Code.InvalidArgument);
  const found = reasonOf(error);
  if (found === undefined || !(error instanceof Error)) return error;
  return withReason(error.message, found.code, found.reason);
}

/**
 * answered runs a unary method's work and translates what it answers; its errors, and the
 * translation's, are reported as SpiceDB reports them (see spiceDbError). An answer given at once
 * stays synchronous: a check the cache answers costs no promise.
 */
export function answered<A, R>(
  work: () => A | Promise<A>,
  translate: (answer: A) => R,
): R | Promise<R> {
  const reported = (error: unknown): never => {
    throw spiceDbError(error);
  };
  try {
    const answer = work();
    if (!(answer instanceof Promise)) return translate(answer);
    return answer.then(translate).catch(reported);
  } catch (error) {
    return reported(error);
  }
}

/** streamed translates each item of a streaming method's answer; its errors as in {@link answered}. */
export async function* streamed<A, R>(
  work: () => AsyncIterable<A>,
  translate: (item: A) => R | undefined,
): AsyncGenerator<R> {
  try {
    for await (const item of work()) {
      const translated = translate(item);
      if (translated !== undefined) yield translated;
    }
  } catch (error) {
    throw spiceDbError(error);
  }
}

/**
 * withReason is a ConnectError of code whose details name reason, as SpiceDB sends them: a
 * google.rpc.Status holding one google.rpc.ErrorInfo.
 */
export function withReason(message: string, code: Code, reason: v1.ErrorReason): ConnectError {
  const name = `ERROR_REASON_${v1.ErrorReason[reason]}`;
  const status = statusBytes(code, message, errorInfoBytes(name));
  const metadata = new Headers({
    "grpc-status-details-bin": Buffer.from(status).toString("base64"),
  });
  return new ConnectError(message, code, metadata);
}

/** The request fields that hold schema text: WriteSchema's, and DiffSchema's. */
const SCHEMA_FIELDS = new Set(["schema", "comparison_schema"]);

function reasonOf(error: unknown): SpiceDbReason | undefined {
  if (error instanceof StoreError) return STORE_REASONS[error.code];
  if (error instanceof RequestLimitError) {
    const reason =
      error.field === "items"
        ? v1.ErrorReason.TOO_MANY_CHECKS_IN_REQUEST
        : v1.ErrorReason.EXCEEDS_MAXIMUM_ALLOWABLE_LIMIT;
    return { code: Code.InvalidArgument, reason };
  }
  if (error instanceof EngineError) {
    if (error.code === "max-depth") {
      // SpiceDB's code (as 1.54 answers): too deep a walk fails again when retried, unlike a limit.
      return { code: Code.FailedPrecondition, reason: v1.ErrorReason.MAXIMUM_DEPTH_EXCEEDED };
    }
    if (error.code === "caveat-error") {
      return { code: Code.InvalidArgument, reason: v1.ErrorReason.CAVEAT_EVALUATION_ERROR };
    }
  }
  if (error instanceof RequestError && SCHEMA_FIELDS.has(error.field)) {
    return { code: Code.InvalidArgument, reason: v1.ErrorReason.SCHEMA_PARSE_ERROR };
  }
  // A relationship cursor is refused as a request field, a lookup cursor by the engine.
  const badCursor =
    (error instanceof RequestError && error.field.endsWith("cursor")) ||
    (error instanceof EngineError && error.message.startsWith("cursor:"));
  if (badCursor) return { code: Code.InvalidArgument, reason: v1.ErrorReason.INVALID_CURSOR };
  if (error instanceof RequestError || error instanceof EngineError) return unknownName(error);
  return undefined;
}

/**
 * unknownName recognizes a request naming what the schema lacks, by the wording every such
 * error of Latch's shares (schema-fit, lookup-validation, the check engine): SpiceDB answers
 * FAILED_PRECONDITION with a reason saying which kind of name is unknown.
 */
function unknownName(error: Error): SpiceDbReason | undefined {
  if (error.message.includes("the schema has no definition")) {
    return { code: Code.FailedPrecondition, reason: v1.ErrorReason.UNKNOWN_DEFINITION };
  }
  if (error.message.includes("has no relation or permission")) {
    return {
      code: Code.FailedPrecondition,
      reason: v1.ErrorReason.UNKNOWN_RELATION_OR_PERMISSION,
    };
  }
  return undefined;
}

function errorInfoBytes(reason: string): Uint8Array {
  return new BinaryWriter()
    .tag(1, WireType.LengthDelimited)
    .string(reason)
    .tag(2, WireType.LengthDelimited)
    .string(ERROR_DOMAIN)
    .finish();
}

function statusBytes(code: Code, message: string, errorInfo: Uint8Array): Uint8Array {
  return new BinaryWriter()
    .tag(1, WireType.Varint)
    .int32(code)
    .tag(2, WireType.LengthDelimited)
    .string(message)
    .tag(3, WireType.LengthDelimited)
    .fork()
    .tag(1, WireType.LengthDelimited)
    .string(ERROR_INFO_TYPE)
    .tag(2, WireType.LengthDelimited)
    .bytes(errorInfo)
    .join()
    .finish();
}
