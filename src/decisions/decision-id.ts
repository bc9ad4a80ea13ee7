// Decision ids: UUIDv7 (RFC 9562), time-ordered, so that an id says when its decision was made.

import { randomFillSync } from "node:crypto";

/**
 * The layout, RFC 9562 §5.7: 48 bits of Unix milliseconds, the version (7), 12 bits that here
 * count the ids made in one millisecond (the RFC's "method 1", so that ids made by one process
 * sort in the order they were made), the variant (binary 10), 62 random bits.
 */
const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const COUNTER_LIMIT = 0x1000;

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

/** DecisionId is a decision's id and the time it carries. */
export interface DecisionId {
  readonly id: string;
  readonly time: Date;
}

/**
 * DecisionIdClock makes UUIDv7s that strictly increase: within a millisecond a counter orders
 * them, starting at a random value below half its range so that it rarely runs out; when it
 * does, or when the clock steps back, the id borrows the next millisecond, so its time may run
 * ahead of the clock by as much. The process has one (see newDecisionId); its own clock lets a
 * caller make ids at times of its choosing without moving the process's ids ahead of the clock.
 */
export class DecisionIdClock {
  private lastMs = 0;
  private counter = 0;
  /** The time of the last id: most ids in a row share their millisecond, and so one Date. */
  private lastTime = new Date(0);

  /** next makes the id of a decision made at now (Unix milliseconds). */
  next(now: number): DecisionId {
    if (now > this.lastMs) {
      this.lastMs = now;
      this.counter = pool.readUInt16BE(takeRandom(2)) & 0x7ff;
    } else if (++this.counter === COUNTER_LIMIT) {
      this.lastMs++;
      this.counter = 0;
    }
    const { lastMs } = this;
    const at = takeRandom(8);
    writeHex(Math.floor(lastMs / 0x10000), 0, 8);
    writeHex(lastMs % 0x10000, 9, 4);
    writeHex(this.counter, 15, 3);
    writeHex((pool[at]! & 0x3f) | 0x80, 19, 2);
    writeHex(pool[at + 1]!, 21, 2);
    for (let i = 0; i < 6; i++) writeHex(pool[at + 2 + i]!, 24 + 2 * i, 2);
    const id = idText.toString("latin1");
    if (this.lastTime.getTime() !== lastMs) this.lastTime = new Date(lastMs);
    return { id, time: this.lastTime };
  }
}

const processClock = new DecisionIdClock();

/** newDecisionId makes the id of a decision made now: ids from one process strictly increase. */
export function newDecisionId(): DecisionId {
  return processClock.next(Date.now());
}

/**
 * The text of the id being made, its hyphens and version in place: its digits are written into
 * it and it is read out as one string, where joining a dozen pieces cost several times as much.
 */
const idText = Buffer.from("00000000-0000-7000-0000-000000000000", "latin1");
const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");

/** writeHex writes the digits lowest hex digits of value (below 2³²) into idText at offset at. */
function writeHex(value: number, at: number, digits: number): void {
  let rest = value;
  for (let i = at + digits - 1; i >= at; i--) {
    idText[i] = HEX_DIGITS[rest & 0xf]!;
    rest >>>= 4;
  }
}

/**
 * decisionIdTime returns the time a decision id carries, or undefined when id is not a UUIDv7 in
 * its canonical text form (lowercase hex, with hyphens).
 */
export function decisionIdTime(id: string): Date | undefined {
  const match = UUID.exec(id);
  if (match === null) return undefined;
  return new Date(Number.parseInt(`${match[1]}${match[2]}`, 16));
}

/** ID_BYTES is the length of a decision id's bytes. */
export const ID_BYTES = 16;

/** decisionIdBytes is the 16 bytes of a decision id's text form. */
export function decisionIdBytes(id: string): Buffer {
  const bytes = Buffer.allocUnsafe(ID_BYTES);
  writeDecisionIdBytes(id, bytes, 0);
  return bytes;
}

/** HEX_VALUES maps the character code of each hex digit (either case) to its value. */
const HEX_VALUES = new Uint8Array(128);
for (let digit = 0; digit < 16; digit++) {
  HEX_VALUES["0123456789abcdef".charCodeAt(digit)] = digit;
  HEX_VALUES["0123456789ABCDEF".charCodeAt(digit)] = digit;
}

/**
 * writeDecisionIdBytes writes the 16 bytes of a decision id's text form (a UUID, with hyphens)
 * into target at offset: without the strings and buffer of a decoding, for the hash of a batch,
 * which takes the bytes of each of its records' ids.
 */
export function writeDecisionIdBytes(id: string, target: Buffer, offset: number): void {
  let at = offset;
  for (let i = 0; i < id.length; i++) {
    const high = id.charCodeAt(i);
    if (high === HYPHEN) continue;
    target[at++] = (HEX_VALUES[high & 0x7f]! << 4) | HEX_VALUES[id.charCodeAt(++i) & 0x7f]!;
  }
}

const HYPHEN = 0x2d;

/** decisionIdFromBytes writes 16 bytes as a UUID's text form (lowercase hex, with hyphens). */
export function decisionIdFromBytes(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
