// The memory store's change stream: every event in commit order, and watchers woken by appends.

import type { ChangeEvent, WatchOptions } from "../store.js";

/**
 * ChangeLog keeps every change event in the order it happened (revisions never decrease along the
 * log) and lets watchers follow it: they replay from a position, then sleep until the next append,
 * abort or close.
 */
export class ChangeLog {
  private readonly events: ChangeEvent[] = [];
  private waiters: (() => void)[] = [];
  private closed = false;

  /** append adds events at the end of the log and wakes every watcher. */
  append(events: readonly ChangeEvent[]): void {
    for (const event of events) this.events.push(event);
    this.wake();
  }

  /** positionAfter is the position of the first event whose revision is greater than revision. */
  positionAfter(revision: number): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.events[middle]!.revision <= revision) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * follow yields the events from position on, including those appended later, that concern one
   * of `resourceTypes` (every type when unset); it ends when the signal aborts or the log closes.
   */
  async *follow(position: number, options: WatchOptions): AsyncGenerator<ChangeEvent> {
    const { signal } = options;
    const types = options.resourceTypes === undefined ? undefined : new Set(options.resourceTypes);
    let wake: (() => void) | undefined;
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      let next = position;
      for (;;) {
        for (; next < this.events.length; next++) {
          if (this.closed || signal?.aborted) return;
          const event = this.events[next]!;
          if (types === undefined || types.has(event.relationship.resource.type)) yield event;
        }
        if (this.closed || signal?.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          this.waiters.push(resolve);
        });
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** close ends every watcher. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
