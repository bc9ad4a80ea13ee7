// Whether the server takes a key (or no key, in development mode): one cheap call says.

import { Code, ConnectError } from "@connectrpc/connect";
import { createClients, UNARY_TIMEOUT_MS } from "./clients.js";

/**
 * probeKey calls ReadSchema with apiKey (none: asking whether the server is in development
 * mode) and says whether the server accepted it. Any answer but UNAUTHENTICATED accepts it: a
 * key without the `read` scope is still a key, and the pages say what it may not do. A failure
 * to reach the server is thrown.
 */
export async function probeKey(apiKey: string | undefined, signal: AbortSignal): Promise<boolean> {
  try {
    await createClients(apiKey).schema.readSchema({}, { signal, timeoutMs: UNARY_TIMEOUT_MS });
    return true;
  } catch (error) {
    const code = ConnectError.from(error).code;
    if (code === Code.Unauthenticated) return false;
    if (code === Code.PermissionDenied || code === Code.NotFound) return true;
    if (code === Code.FailedPrecondition) return true;
    throw error;
  }
}
