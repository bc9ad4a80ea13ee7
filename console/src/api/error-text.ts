// Errors of API calls, said in words a person can act on.

import { Code, ConnectError } from "@connectrpc/connect";

/**
 * errorText says what went wrong with a call: a missing scope names it, a timeout says the
 * server was slow, an unreachable server says so; otherwise the server's own message, which
 * names the field and rule at fault, or the console's own error (input that does not parse).
 */
export function errorText(error: unknown): string {
  // An error of the console's own (a field that does not parse) says what is wrong already.
  if (error instanceof Error && !(error instanceof ConnectError) && error.name !== "AbortError") {
    return error.message;
  }
  const status = ConnectError.from(error);
  switch (status.code) {
    case Code.PermissionDenied:
      return `Your API key may not do this. ${status.rawMessage}`;
    case Code.Unauthenticated:
      return `The server did not accept the API key: ${status.rawMessage}. Sign out and sign in again.`;
    case Code.DeadlineExceeded:
      return "The server took too long to answer. Try again; if it keeps happening, the server may be overloaded.";
    case Code.Unavailable:
      return `The server is unavailable: ${status.rawMessage}`;
    case Code.Unknown:
      return `The call failed: ${status.rawMessage || "the server could not be reached"}`;
    default:
      return status.rawMessage;
  }
}

/** isCanceled says whether error is a call the console itself abandoned (the page changed). */
export function isCanceled(error: unknown): boolean {
  return ConnectError.from(error).code === Code.Canceled;
}
