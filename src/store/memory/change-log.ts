// The memory store's change stream: every event in commit order, and watchers woken by appends.

import { type ChangeEvent, StoreError, type WatchedChange, type WatchOptions } from "../store.js";

/**
 * ChangeLog keeps the change events in the order they happened (revisions never decrease along the
 * log) and lets watchers follow it: they replay from a position, then sleep until the next append,
 * abort or close. Positions count every event ever appended, so they survive dropping old events.
 */
export class ChangeLog {
  private events: ChangeEvent[] = [];
  /** How many events have been dropped from the front: the position of `events[0]`. */
  private dropped = 0;
  private waiters: (() => void)[] = [];
  private closed = false;

  /** append adds events at the end of the log and wakes every watcher. */
  append(events: readonly ChangeEvent[]): void {
    for (const event of events) this.events.push(event);
    this.wake();
  }

  /**
   * dropBefore drops the events whose revision is below revision and returns how many; a watcher
   * that had not read them fails with "revision-unavailable".
   */
  dropBefore(revision: number): number {
    let count = 0;
    while (count < this.events.length && this.events[count]!.revision < revision) count++;
    this.events = this.events.slice(count);
    this.dropped += count;
    return count;
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
    return this.dropped + low;
  }

  /**
   * follow yields the events from position on, including those appended later, that concern one
   * of `resourceTypes` (every type when unset); it ends when the signal aborts or the log closes.
   */
  async *follow(position: number, options: WatchOptions): AsyncGenerator<WatchedChange> {
    const { signal } = options;
    const types = options.resourceTypes === undefined ? undefined : new Set(options.resourceTypes);
    const matches = (event: ChangeEvent) =>
      types === undefined || types.has(event.relationship.resource.type);
    let wake: (() => void) | undefined;
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      let next = position;
      for (;;) {
        for (; next < this.dropped + this.events.length; next++) {
          if (this.closed || signal?.aborted) return;
          if (next < this.dropped) {
            throw new StoreError(
              "revision-unavailable",
              "the watch fell behind the retention window: garbage collection removed changes it had not read",
            );
          }
          const index = next - this.dropped;
          const event = this.events[index]!;
          if (matches(event)) {
            yield { ...event, lastInRevision: !this.laterInRevision(index, matches) };
          }
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

  /**
   * laterInRevision says whether an event after index, of the same revision, matches. A revision's
   * events are appended together, so the ones after index are all there.
   */
  private laterInRevision(index: number, matches: (event: ChangeEvent) => boolean): boolean {
    const { revision } = this.events[index]!;
    for (let i = index + 1; i < this.events.length; i++) {
      const event = this.events[i]!;
      if (event.revision !== revision) return false;
      if (matches(event)) return true;
    }
    return false;
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
