// Decision ids: UUIDv7 (RFC 9562), time-ordered, so that an id says when its decision was made.

import { randomFillSync } from "node:crypto";

/**
 * The layout, RFC 9562 §5.7: 48 bits of Unix milliseconds, the version (7), 12 bits that here
 * count the ids made in one millisecond (the RFC's "method 1", so that ids made by one process
 * sort in the order they were made), the variant (binary 10), 62 random bits.
 */
const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const COUNTER_LIMIT = 0x1000;

let lastMs = 0;
let counter = 0;

/** Random bytes drawn a few thousand at a time: one draw per id would cost more than the id. */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;

/** takeRandom returns the offset in pool of n fresh random bytes. */
function takeRandom(n: number): number {
  if (poolAt + n > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += n;
  return at;
}

/**
 * newDecisionId makes a UUIDv7 for a decision made now, and returns it with its time (the
 * milliseconds it carries). Ids from one process strictly increase: within a millisecond a
 * counter orders them, starting at a random value below half its range so that it rarely runs
 * out; when it does, or when the clock steps back, the id borrows the next millisecond, so its
 * time may run ahead of the clock by as much.
 */
export function newDecisionId(now = Date.now()): { readonly id: string; readonly time: Date } {
  if (now > lastMs) {
    lastMs = now;
    counter = pool.readUInt16BE(takeRandom(2)) & 0x7ff;
  } else if (++counter === COUNTER_LIMIT) {
    lastMs++;
    counter = 0;
  }
  const at = takeRandom(8);
  const variant = ((pool[at]! & 0x3f) | 0x80).toString(16);
  const random = pool.toString("hex", at + 1, at + 8);
  const ms = lastMs.toString(16).padStart(12, "0");
  const id = `${ms.slice(0, 8)}-${ms.slice(8)}-7${counter.toString(16).padStart(3, "0")}-${variant}${random.slice(0, 2)}-${random.slice(2)}`;
  if (lastTime.getTime() !== lastMs) lastTime = new Date(lastMs);
  return { id, time: lastTime };
}

/** The time of the last id: most ids in a row share their millisecond, and so one Date. */
let lastTime = new Date(0);

/**
 * decisionIdTime returns the time a decision id carries, or undefined when id is not a UUIDv7 in
 * its canonical text form (lowercase hex, with hyphens).
 */
export function decisionIdTime(id: string): Date | undefined {
  const match = UUID.exec(id);
  if (match === null) return undefined;
  return new Date(Number.parseInt(`${match[1]}${match[2]}`, 16));
}

/** decisionIdBytes is the 16 bytes of a decision id's text form. */
export function decisionIdBytes(id: string): Buffer {
  return Buffer.from(id.replaceAll("-", ""), "hex");
}

/** decisionIdFromBytes writes 16 bytes as a UUID's text form (lowercase hex, with hyphens). */
export function decisionIdFromBytes(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
