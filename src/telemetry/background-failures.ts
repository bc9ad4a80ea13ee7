// What background work failed, said in the log: once per cause a minute, and not a store that does not answer.

import { StoreUnavailableError } from "../store/store.js";
import type { LogLine } from "./logger.js";

/** REPEAT_MS is how long one cause of one kind of work stays said before it is said again. */
const REPEAT_MS = 60_000;

/**
 * BackgroundFailures says in the log what background work failed (garbage collection, logging
 * expiries, following the changelog, the change stream), before the work tries again by itself.
 * A failure is said once per kind of work and cause a minute, as work retried every second fails
 * alike; and a store that does not answer is not said here: readiness says it, once per outage.
 */
export class BackgroundFailures {
  private readonly said = new Map<string, number>();

  constructor(
    private readonly log: LogLine,
    private readonly now: () => number = Date.now,
  ) {}

  /** report hears that work (`garbage collection`) failed with error, and will be tried again. */
  report(work: string, error: unknown): void {
    if (error instanceof StoreUnavailableError) return;
    const cause = error instanceof Error ? error.message : String(error);
    const key = `${work}\u0000${cause}`;
    const at = this.now();
    const last = this.said.get(key);
    if (last !== undefined && at - last < REPEAT_MS) return;
    this.said.set(key, at);
    // Bounded: a stream of distinct causes keeps the newest only.
    if (this.said.size > 100) this.said.delete(this.said.keys().next().value as string);
    this.log(`${work} failed (${cause}); trying again`, "warn");
  }
}
