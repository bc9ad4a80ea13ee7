// One poll of the changelog for every watch of a store: recent events, kept for each watch to read from its own position.

import { ChangeSignal } from "./change-signal.js";
import {
  afterRevision,
  type ChangelogEntry,
  type ChangelogPosition,
  type ChangelogRead,
  comparePositions,
} from "./changelog-reads.js";
import { RetryDelay } from "./retry-delay.js";

/**
 * How long the feed waits for a wake-up before it reads again anyway: a notification lost without
 * a lost connection (which triggers a catch-up of its own) delays events by at most this much.
 */
const POLL_MS = 500;

/** FeedRead is what a watch reads from the feed: the events after its position that the feed holds. */
export interface FeedRead {
  readonly entries: readonly ChangelogEntry[];
  /** Whether the feed holds nothing more after these: the watch waits for the feed to move on. */
  readonly caughtUp: boolean;
  /** Set when the watch has read every event up to this position (see ChangelogRead). */
  readonly through?: ChangelogPosition;
}

/**
 * ChangeFeed reads the changelog once for all the watches of a store that have caught up: one
 * query per wake-up (a commit here, a notification from another process) or per POLL_MS, however
 * many watches there are. It keeps the events it read, up to `capacity` of them, and each watch
 * reads them from its own position ({@link readAfter}); a watch whose position the feed no longer
 * holds (it fell behind, or resumed from an old token) reads the changelog itself until it catches
 * up, so a slow watch never holds the others back, and every watch still sees each event once, in
 * order. The feed runs while at least one watch has joined it; the first one to join starts it at
 * its own position.
 */
export class ChangeFeed {
  private members = 0;
  private running = false;
  /** The events after `start` up to `tail`, in order: every one of them, none missing. */
  private entries: ChangelogEntry[] = [];
  private start: ChangelogPosition = afterRevision(0);
  private tail: ChangelogPosition = afterRevision(0);
  /** Whether the feed has read every event up to its tail (its last read was not cut by the limit). */
  private complete = false;
  /** Woken each time the feed moves on. */
  private readonly moved = new ChangeSignal();
  private readonly stopped = new AbortController();

  /**
   * @param read reads at most `limit` events after a position, in one snapshot.
   * @param changes wakes the feed when the changelog may have grown.
   */
  constructor(
    private readonly read: (after: ChangelogPosition, limit: number) => Promise<ChangelogRead>,
    private readonly changes: ChangeSignal,
    private readonly limit: number,
    private readonly capacity: number,
  ) {}

  /** generation counts the feed's moves; a watch notes it before reading, to wait for the next. */
  get generation(): number {
    return this.moved.generation;
  }

  /**
   * join counts a watch that has read every event up to position; the first one starts the feed
   * there. Each join is matched by one {@link leave}.
   */
  join(position: ChangelogPosition): void {
    this.members++;
    if (this.running || this.stopped.signal.aborted) return;
    this.running = true;
    this.entries = [];
    this.start = position;
    this.tail = position;
    this.complete = true;
    void this.poll();
  }

  /** leave uncounts a watch that joined; the feed stops once none is left. */
  leave(): void {
    this.members--;
  }

  /**
   * readAfter returns at most limit of the events after position, or undefined when the feed does
   * not hold every event after position (it is not running, or position is before its start).
   */
  readAfter(position: ChangelogPosition, limit: number): FeedRead | undefined {
    if (!this.running || comparePositions(position, this.start) < 0) return undefined;
    const from = firstAfter(this.entries, position);
    const entries = this.entries.slice(from, from + limit);
    const caughtUp = from + entries.length === this.entries.length;
    return caughtUp && this.complete
      ? { entries, caughtUp, through: this.tail }
      : { entries, caughtUp };
  }

  /** wait resolves once the feed has moved on since generation, or signal aborts, or it stops. */
  wait(generation: number, signal: AbortSignal | undefined): Promise<void> {
    return this.moved.wait(generation, signal);
  }

  /** stop stops the feed for good and ends every wait. */
  stop(): void {
    this.stopped.abort();
    this.moved.wake();
  }

  private async poll(): Promise<void> {
    const { signal } = this.stopped;
    const retry = new RetryDelay();
    while (this.members > 0 && !signal.aborted) {
      const generation = this.changes.generation;
      let read: ChangelogRead;
      try {
        read = await this.read(this.tail, this.limit);
        retry.reset();
      } catch {
        // Every watch waits meanwhile; none loses its place.
        await retry.wait(signal);
        continue;
      }
      this.append(read);
      if (read.through !== undefined) await this.changes.wait(generation, signal, POLL_MS);
    }
    this.running = false;
    this.entries = [];
  }

  private append({ oldest, entries, through }: ChangelogRead): void {
    const tail = through ?? entries.at(-1)?.position ?? this.tail;
    if (comparePositions(tail, this.tail) <= 0) return;
    if (this.tail.revision < oldest) {
      // Garbage collection removed events the feed had not read: it holds only those from the
      // oldest revision on, and a watch from before them reads the changelog, which refuses it.
      this.entries = [];
      this.start = afterRevision(oldest - 1);
    }
    this.entries.push(...entries);
    this.tail = tail;
    this.complete = through !== undefined;
    const excess = this.entries.length - this.capacity;
    if (excess > 0) {
      this.start = this.entries[excess - 1]!.position;
      this.entries.splice(0, excess);
    }
    this.moved.wake();
  }
}

/** firstAfter is the index of the first entry after position (entries are in order). */
function firstAfter(entries: readonly ChangelogEntry[], position: ChangelogPosition): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (comparePositions(entries[middle]!.position, position) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
