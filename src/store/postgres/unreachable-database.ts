// Tells a database that cannot be reached (an outage: retry later) from an error in a statement.

import { StoreUnavailableError } from "../store.js";

/** The SQLSTATEs of a server that cannot serve now, by code; class 08 is matched separately. */
const UNAVAILABLE_STATES: Readonly<Record<string, string>> = {
  "57P01":
    "the database server closed the connection (it is shutting down, or an administrator ended it)",
  "57P02": "the database server is restarting after a crash",
  // The server's own message says which: starting up, shutting down, in recovery.
  "57P03": "the database server is not accepting connections",
  "53300": "the database server has no connection slot free",
};

/** Node's socket errors, by code. */
const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "the database server refused the connection",
  ECONNRESET: "the connection to the database server was reset",
  EPIPE: "the connection to the database server was reset",
  ETIMEDOUT: "the connection to the database server timed out",
  EHOSTUNREACH: "the database server's host cannot be reached",
  ENETUNREACH: "the database server's host cannot be reached",
  EAI_AGAIN: "the database server's host name cannot be resolved now",
};

/** The errors node-postgres raises without a code, by the start of their message. */
const DRIVER_MESSAGES: readonly (readonly [prefix: string, message: string])[] = [
  [
    "timeout exceeded when trying to connect",
    "no database connection came free in time (every pooled connection is busy)",
  ],
  [
    "Connection terminated due to connection timeout",
    "connecting to the database server timed out",
  ],
  ["Connection terminated", "the connection to the database server was lost"],
  ["Client has encountered a connection error", "the connection to the database server was lost"],
];

/**
 * unreachableDatabase returns error as a StoreUnavailableError when it says that the database
 * cannot be reached (see {@link StoreUnavailableError}), else error itself, unchanged: a statement
 * the database refused stays what it was.
 */
export function unreachableDatabase(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof StoreUnavailableError) return error;
  const message = describeUnreachable(error);
  return message === undefined ? error : new StoreUnavailableError(message, error);
}

function describeUnreachable(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    const state = UNAVAILABLE_STATES[code];
    if (state !== undefined) return code === "57P03" ? `${state}: ${error.message}` : state;
    if (/^08[0-9A-Z]{3}$/.test(code)) {
      return `the connection to the database server failed (SQLSTATE ${code})`;
    }
    const socket = SOCKET_ERRORS[code];
    if (socket !== undefined) return socket;
  }
  return DRIVER_MESSAGES.find(([prefix]) => error.message.startsWith(prefix))?.[1];
}
