// Runs a command that talks to the server, turning what goes wrong into a message and exit code 2.

import { ConnectError } from "@connectrpc/connect";
import { describeCallError } from "./call-error.js";
import type { CliIo } from "./cli-io.js";
import { createLatchClient, type LatchClient } from "./client.js";
import { UsageError } from "./usage-error.js";

/** EXIT_USAGE_OR_SERVER_ERROR is the exit code of bad input and of an error status from the server. */
export const EXIT_USAGE_OR_SERVER_ERROR = 2;

/**
 * callServer runs body with a client for io's environment and returns its exit code. A
 * {@link UsageError} prints its message, an error status from the server prints
 * `CODE_NAME: message` (`INVALID_ARGUMENT: ...`), a call no gRPC server answered says what is at
 * the endpoint instead; all give exit code 2.
 */
export async function callServer(
  io: CliIo,
  body: (client: LatchClient) => Promise<number>,
): Promise<number> {
  let client: LatchClient | undefined;
  try {
    client = createLatchClient(io.env);
    return await body(client);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n`);
      return EXIT_USAGE_OR_SERVER_ERROR;
    }
    if (error instanceof ConnectError && client !== undefined) {
      io.stderr(`${await describeCallError(error, client)}\n`);
      return EXIT_USAGE_OR_SERVER_ERROR;
    }
    throw error;
  } finally {
    client?.close();
  }
}
