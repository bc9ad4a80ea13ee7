// The decision log as the check path sees it: hand it each decision; in sync mode, wait for it.

import type { DecisionProof } from "./decision-proof.js";
import type { Decision } from "./decision-record.js";

/**
 * DecisionMode is how the log records: `async` (a response never waits; records are written
 * within 100 ms), `sync` (a response waits until its record is committed) or `off`.
 */
export type DecisionMode = "async" | "sync" | "off";

/** DECISION_MODES lists every mode, for configuration. */
export const DECISION_MODES: readonly DecisionMode[] = ["async", "sync", "off"];

/**
 * ProofSource gives a decision's proof when the log writes it (made off the request path): a check
 * answered from the cache carries no explanation, and most answers share one (see the check
 * path's proof cache). It rejects with a StoreUnavailableError when the store does not answer
 * (the log retries), and with any other error when no proof can be made (the record says so).
 */
export type ProofSource = () => Promise<DecisionProof>;

/**
 * DecisionLog records decisions. `record` takes a decision made now (its id from newDecisionId),
 * and, when the decision holds no proof, its proof or where to get it: in `async` mode it queues it and
 * returns nothing, at once (a full queue drops it, counted and logged, never silently); in
 * `sync` mode it returns a promise that resolves once the record is committed (with the others
 * that came meanwhile: group commit), or rejects with a {@link DecisionLogError} when it cannot
 * be; in `off` mode it does nothing.
 */
export interface DecisionLog {
  readonly mode: DecisionMode;
  record(decision: Decision, proof?: DecisionProof | ProofSource): Promise<void> | void;
}

/** DecisionLogError is a decision the log could not take: its queue was full, or it was closed. */
export class DecisionLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecisionLogError";
  }
}

/** OFF_LOG is the log of a server whose decision log is off, or that has no SQL store. */
export const OFF_LOG: DecisionLog = { mode: "off", record: () => {} };
