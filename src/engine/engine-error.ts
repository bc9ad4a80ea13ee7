// Engine errors: typed, with codes the API maps to status codes.

/** EngineErrorCode classifies why a check could not be answered. */
export type EngineErrorCode =
  /** The request names a type, relation or permission the schema lacks, or a malformed subject. */
  | "invalid-argument"
  /** The walk went deeper than the depth limit. */
  | "max-depth"
  /** A caveat could not be evaluated: a context value of the wrong type, or a run-time error. */
  | "caveat-error";

/** EngineError is a check that could not be answered, with a code and a message naming the cause. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "EngineError";
  }
}
