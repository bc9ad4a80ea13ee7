// Wakes the watchers of a store when the changelog may have grown, without losing a wake-up.

/**
 * ChangeSignal counts wake-ups. A watcher notes the count before it reads the changelog and, when
 * it has read everything, waits for the count to move on: a wake-up between its read and its wait
 * is not lost, it just makes the wait return at once.
 */
export class ChangeSignal {
  private count = 0;
  private waiters = new Set<() => void>();

  /** generation is the number of wake-ups so far. */
  get generation(): number {
    return this.count;
  }

  /** wake ends every wait. */
  wake(): void {
    this.count++;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const resolve of waiters) resolve();
  }

  /**
   * wait resolves once the generation differs from since, abort signals, or timeoutMs (if given)
   * passes.
   */
  wait(since: number, abort: AbortSignal | undefined, timeoutMs?: number): Promise<void> {
    if (this.count !== since || abort?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        abort?.removeEventListener("abort", done);
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      this.waiters.add(done);
      abort?.addEventListener("abort", done);
    });
  }
}
