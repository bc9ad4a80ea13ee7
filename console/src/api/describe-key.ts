// Whether the server takes a key (or no key, in development mode), and what it may do: one call says.

import { Code, ConnectError } from "@connectrpc/connect";
import { createClients, UNARY_TIMEOUT_MS } from "./clients.js";
import type { KeyAccess } from "./key-access.js";

/**
 * describeKey asks the server about apiKey (none: asking whether the server is in development
 * mode) with DescribeKey, which needs no scope: the key's access, or undefined when the server
 * refuses it (UNAUTHENTICATED). A failure to reach the server is thrown.
 */
export async function describeKey(
  apiKey: string | undefined,
  signal: AbortSignal,
): Promise<KeyAccess | undefined> {
  try {
    const answer = await createClients(apiKey).keys.describeKey(
      {},
      { signal, timeoutMs: UNARY_TIMEOUT_MS },
    );
    return { development: answer.development, name: answer.name, scopes: new Set(answer.scopes) };
  } catch (error) {
    if (ConnectError.from(error).code === Code.Unauthenticated) return undefined;
    throw error;
  }
}
