// The load test runner's errors: each names what failed, so the CLI can say it and exit.

/** LoadTestErrorCode names the stage that failed. */
export type LoadTestErrorCode =
  | "usage"
  | "bundle"
  | "options"
  | "script"
  | "reflection"
  | "load"
  | "method"
  | "unsupported";

/** LoadTestError is a failure of the runner or of the script it runs, with its stage. */
export class LoadTestError extends Error {
  constructor(
    readonly code: LoadTestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "LoadTestError";
  }
}
