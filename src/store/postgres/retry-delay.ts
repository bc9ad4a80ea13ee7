// The wait between attempts to read the changelog while the database does not answer.

import { setTimeout as delay } from "node:timers/promises";

const FIRST_RETRY_DELAY_MS = 50;
const MAX_RETRY_DELAY_MS = 2_000;

/**
 * RetryDelay waits between failed attempts: 50 ms after the first failure, doubling up to 2 s,
 * and from 50 ms again once an attempt succeeds ({@link reset}). A lost connection or a restarting
 * server only delays a watch this way: its position is durable.
 */
export class RetryDelay {
  private next = FIRST_RETRY_DELAY_MS;

  /** wait resolves after the current delay, or at once when signal aborts. */
  async wait(signal: AbortSignal | undefined): Promise<void> {
    const ms = this.next;
    this.next = Math.min(ms * 2, MAX_RETRY_DELAY_MS);
    await delay(ms, undefined, signal === undefined ? {} : { signal }).catch(() => {});
  }

  /** reset makes the next wait the shortest again, after a success. */
  reset(): void {
    this.next = FIRST_RETRY_DELAY_MS;
  }
}
