// Runs a command that talks to the server, turning what goes wrong into a message and exit code 2.

import { Code, ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import type { CliIo } from "./cli-io.js";
import { createLatchClient, type LatchClient } from "./client.js";
import { UsageError } from "./usage-error.js";

/** EXIT_USAGE_OR_SERVER_ERROR is the exit code of bad input and of an error status from the server. */
export const EXIT_USAGE_OR_SERVER_ERROR = 2;

/**
 * callServer runs body with a client for io's environment and returns its exit code. A
 * {@link UsageError} prints its message, an error status from the server prints
 * `CODE_NAME: message` (`INVALID_ARGUMENT: ...`); both give exit code 2.
 */
export async function callServer(
  io: CliIo,
  body: (client: LatchClient) => Promise<number>,
): Promise<number> {
  const client = createLatchClient(io.env);
  try {
    return await body(client);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n`);
      return EXIT_USAGE_OR_SERVER_ERROR;
    }
    if (error instanceof ConnectError) {
      io.stderr(`${statusLine(error, client.endpoint)}\n`);
      return EXIT_USAGE_OR_SERVER_ERROR;
    }
    throw error;
  } finally {
    client.close();
  }
}

/** statusLine names the status as gRPC does (`INVALID_ARGUMENT`), with its message. */
function statusLine(error: ConnectError, endpoint: string): string {
  const line = `${codeToString(error.code).toUpperCase()}: ${error.rawMessage}`;
  // The usual cause is a server that is not running, or running elsewhere.
  return error.code === Code.Unavailable
    ? `${line} (is a Latch server listening at ${endpoint}? set LATCH_ENDPOINT)`
    : line;
}
