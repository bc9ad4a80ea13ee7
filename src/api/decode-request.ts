// Request messages decoded from protobuf's binary format, with a failure the client can act on.

import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { RequestError } from "./request-error.js";

/**
 * decodeRequest decodes bytes as a message of schema, or throws a RequestError (INVALID_ARGUMENT)
 * that says which message could not be decoded and why: bytes a client sent wrong are never a
 * fault of Latch's.
 */
export function decodeRequest<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RequestError(
      "request",
      `cannot decode the request as a ${schema.typeName} in protobuf's binary format: ${reason}`,
    );
  }
}
