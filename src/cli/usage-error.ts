// The error of a command given input it cannot use: a relationship that does not parse, an empty file.

import type { ParseResult } from "../tuple/parse-error.js";

/** UsageError stops a command before or instead of calling the server: its message goes to stderr, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * parsed returns a parse's value, or throws a UsageError quoting the text with a caret under the
 * offending column: `invalid relationship "…": expected '#' … at column 14, found '@'`.
 */
export function parsed<T>(what: string, text: string, result: ParseResult<T>): T {
  if (result.ok) return result.value;
  const { message, offset } = result.error;
  throw new UsageError(
    `invalid ${what} ${JSON.stringify(text)}: ${message}\n  ${text}\n  ${" ".repeat(offset)}^`,
  );
}
