// Caveat parameters reserved for the server (LATCH_SERVER_CONTEXT): a request's context may not hold them.

import type { JsonObject } from "@bufbuild/protobuf";
import { SERVER_TIME_PARAMETER } from "../engine/server-time.js";
import { RequestError } from "./request-error.js";

/**
 * refuseServerContext throws a RequestError naming `field.name` when the context of a request at
 * `field` holds a parameter that `reserved` keeps for the server: a caller must not decide, for
 * one, the time a business-hours caveat sees. Relationships may still carry such parameters.
 */
export function refuseServerContext(
  field: string,
  context: JsonObject,
  reserved: ReadonlySet<string>,
): void {
  for (const name of reserved) {
    if (!Object.hasOwn(context, name)) continue;
    const at = `${field}.${name}`;
    const filled =
      name === SERVER_TIME_PARAMETER ? ", which fills it with the time of the decision" : "";
    throw new RequestError(
      at,
      `${at}: a request may not supply '${name}': LATCH_SERVER_CONTEXT reserves it for the server${filled}`,
    );
  }
}
