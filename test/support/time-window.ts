// Time windows that widen on a slow machine: a test whose steps must finish before an instant (an
// expiry, the edge of a retention window) tries again with a wider window when a loaded machine
// was too slow for the narrow one, instead of failing on a race it does not mean to test.

import { waitFor } from "./wait-for.js";

/** WindowMissed says a step settled after its window had closed: the attempt proves nothing. */
export class WindowMissed extends Error {
  readonly code = "window-missed";
}

/** TimeWindow is one attempt's window: it opens when made and closes `ms` later, at `end`. */
export class TimeWindow {
  readonly end: Date;

  constructor(readonly ms: number) {
    this.end = new Date(Date.now() + ms);
  }

  /**
   * inTime awaits step and throws WindowMissed when the window had closed by the time it settled,
   * whatever its outcome: a write refused because its expiry had passed before it ran is a missed
   * window too, not a failure.
   */
  async inTime<T>(step: Promise<T>): Promise<T> {
    const settled = await step.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (Date.now() >= this.end.getTime()) {
      throw new WindowMissed(`a step settled after its ${this.ms} ms window had closed`);
    }
    if (!settled.ok) throw settled.error;
    return settled.value;
  }

  /** closed waits until the window has closed: for what a test expects once its end has passed. */
  closed(): Promise<void> {
    return waitFor(
      `the ${this.ms} ms window to close`,
      () => Date.now() > this.end.getTime(),
      this.ms + 10_000,
    );
  }
}

/**
 * widening runs attempt in a window of each length in turn, until one attempt is not missed: an
 * attempt that throws WindowMissed is tried again in the next, wider window; any other error fails
 * at once, and so does a miss of the widest.
 */
export async function widening<T>(
  lengthsMs: readonly number[],
  attempt: (window: TimeWindow) => Promise<T>,
): Promise<T> {
  let missed: WindowMissed | undefined;
  for (const ms of lengthsMs) {
    try {
      return await attempt(new TimeWindow(ms));
    } catch (error) {
      if (!(error instanceof WindowMissed)) throw error;
      missed = error;
    }
  }
  throw missed ?? new Error("widening needs at least one window length");
}
