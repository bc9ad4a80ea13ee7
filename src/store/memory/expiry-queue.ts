// Fires a callback when relationships expire, from one unref'd timer armed for the earliest expiry.

import type { Row } from "./row.js";

/** setTimeout's longest delay; a later expiry is reached by re-arming. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * ExpiryQueue holds rows that expire, earliest first, and hands them to onExpired once their
 * `expiresAtMs` has passed, in expiry order (ties in key order). The timer is unref'd, so pending
 * expiries never keep the process alive.
 */
export class ExpiryQueue {
  private readonly heap: Row[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedForMs = Number.POSITIVE_INFINITY;

  constructor(private readonly onExpired: (rows: Row[]) => void) {}

  /** add schedules row's expiry. */
  add(row: Row): void {
    const heap = this.heap;
    heap.push(row);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >>> 1;
      if (!before(row, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = row;
    this.arm();
  }

  /** close drops every pending expiry and stops the timer. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.heap.length = 0;
  }

  private arm(): void {
    const first = this.heap[0];
    if (first === undefined || (this.timer !== undefined && first.expiresAtMs >= this.armedForMs)) {
      return;
    }
    clearTimeout(this.timer);
    this.armedForMs = first.expiresAtMs;
    const delay = Math.min(Math.max(first.expiresAtMs - Date.now(), 0), MAX_DELAY_MS);
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    const nowMs = Date.now();
    const expired: Row[] = [];
    while (this.heap[0] !== undefined && this.heap[0].expiresAtMs <= nowMs) {
      expired.push(this.pop());
    }
    if (expired.length > 0) this.onExpired(expired);
    this.arm();
  }

  private pop(): Row {
    const heap = this.heap;
    const first = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return first;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
    return first;
  }
}

function before(a: Row, b: Row): boolean {
  return a.expiresAtMs < b.expiresAtMs || (a.expiresAtMs === b.expiresAtMs && a.key < b.key);
}
