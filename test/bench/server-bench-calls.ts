// The calls one phase of the server benchmark's load generator sends, in order.

/** Call is one request to send to path, framed. */
export interface Call {
  readonly path: string;
  readonly request: Buffer;
  /** Whether it is a Check, whose answer is counted. */
  readonly check: boolean;
  /** Whether the check is SpiceDB's CheckPermission, whose answer is SpiceDB's message. */
  readonly spicedb?: boolean;
  /**
   * Whether an exact cache of unbounded size would hold this check's answer: asked before, and
   * nothing it depends on written since, as far as the workload knows (set by the Zipf workload).
   */
  readonly cacheable?: boolean;
}

/** CallSet gives a phase's calls in order: the index-th, or undefined once the set is used up. */
export type CallSet = (index: number) => Call | undefined;

/** repeatingCalls cycles through requests for as long as the phase runs. */
export function repeatingCalls(path: string, requests: readonly Buffer[], check: boolean): CallSet {
  return (index) => ({ path, request: requests[index % requests.length]!, check });
}

/** checksOnce asks each check of requests once, then is used up. */
export function checksOnce(path: string, requests: readonly Buffer[]): CallSet {
  return (index) =>
    index < requests.length ? { path, request: requests[index]!, check: true } : undefined;
}
