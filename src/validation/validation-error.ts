// Errors that stop the computation of one expected-relations entry.

/** ValidationErrorCode says why expected relations could not be computed. */
export type ValidationErrorCode =
  /** The expansion went deeper than the depth limit, so the membership set would be incomplete. */
  | "max-depth"
  /** The expansion tree and the relationships it was built from disagree (a bug, not bad input). */
  | "expansion-mismatch";

/** ValidationError is a failure to compute a membership set, with a code and a message naming the cause. */
export class ValidationError extends Error {
  constructor(
    readonly code: ValidationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ValidationError";
  }
}
