// What a relationship parse returns: the value, or what was expected where.

/** TupleErrorCode names each kind of parse error, so that callers need not match on text. */
export type TupleErrorCode =
  /** A delimiter or part is missing or out of place: "expected '#' after the resource id". */
  | "syntax"
  | "invalid-object-type"
  | "invalid-object-id"
  | "invalid-relation"
  /** A wildcard subject (`user:*`) with a relation, which SpiceDB never allows. */
  | "wildcard-relation"
  | "invalid-caveat-name"
  | "invalid-caveat-context"
  | "invalid-expiration";

/**
 * TupleParseError is the first error in a text: `offset` (0-based) and `column` (1-based, counted
 * in UTF-16 units from the start of the text) point at the offending character, or just past the
 * end when more was expected.
 */
export interface TupleParseError {
  readonly code: TupleErrorCode;
  readonly message: string;
  readonly offset: number;
  readonly column: number;
}

/** ParseResult is either the parsed value or the first error in the text. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: TupleParseError };
