// RFC 3339 timestamps, for expirations and caveat values alike: strict parsing with positions, canonical UTC output.

import { describeChar, type Issue } from "./issue.js";

/** TIMESTAMP_EXAMPLE shows the expected form in error messages. */
export const TIMESTAMP_EXAMPLE = "2026-12-01T00:00:00Z";

const LAYOUT = "dddd-dd-ddTdd:dd:dd";
const OFFSET_LAYOUT = "dd:dd";
const NANOS_PER_MILLI = 1_000_000;
// The range of a protobuf Timestamp and of CEL: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
const MIN_SECONDS = -62_135_596_800n;
const MAX_SECONDS = 253_402_300_799n;

/** Instant is a point in time at nanosecond precision, as a protobuf Timestamp holds it. */
export interface Instant {
  /** Seconds since 1970-01-01T00:00:00Z. */
  readonly seconds: bigint;
  /** Nanoseconds within the second, 0 to 999,999,999. */
  readonly nanos: number;
}

/**
 * parseRfc3339 reads an RFC 3339 date-time (`2026-12-01T00:00:00Z`, `…T08:30:00.5+02:00`) as
 * Go's time.RFC3339Nano does, and no more loosely than RFC 3339 allows: 'T' and 'Z' uppercase,
 * '.' before a fraction, seconds 00 to 59, an instant from 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999999999Z (what a protobuf Timestamp and CEL hold). Fractions finer
 * than a nanosecond are truncated. The one parser of timestamps: relationship expirations and
 * caveat context values both use it.
 */
export function parseRfc3339(text: string): Instant | Issue {
  const layoutIssue = matchLayout(text, 0, LAYOUT);
  if (layoutIssue !== undefined) return layoutIssue;
  let index = LAYOUT.length;
  let fraction = "";
  if (text[index] === ".") {
    const digitsStart = index + 1;
    index = digitsStart;
    while (isDigit(text[index])) index++;
    if (index === digitsStart) return expected(text, index, "a digit after '.'");
    fraction = text.slice(digitsStart, index);
  }
  let offsetMinutes = 0;
  const zone = text[index];
  if (zone === "Z") {
    index++;
  } else if (zone === "+" || zone === "-") {
    const offsetIssue = matchLayout(text, index + 1, OFFSET_LAYOUT);
    if (offsetIssue !== undefined) return offsetIssue;
    const hours = field(text, index + 1, 2);
    const minutes = field(text, index + 4, 2);
    if (hours > 23) return { index: index + 1, problem: "offset hours must be 00 to 23" };
    if (minutes > 59) return { index: index + 4, problem: "offset minutes must be 00 to 59" };
    offsetMinutes = (zone === "+" ? 1 : -1) * (hours * 60 + minutes);
    index += 1 + OFFSET_LAYOUT.length;
  } else {
    return expected(text, index, "'Z' or an offset like +02:00");
  }
  if (index < text.length) {
    return { index, problem: `unexpected ${describeChar(text, index)} after the time zone` };
  }
  return toInstant(text, fraction, offsetMinutes);
}

/**
 * parseTimestamp is {@link parseRfc3339} as a Date, for relationship expirations: fractions
 * finer than a millisecond are truncated, since a Date holds milliseconds.
 */
export function parseTimestamp(text: string): Date | Issue {
  const instant = parseRfc3339(text);
  if ("problem" in instant) return instant;
  return new Date(Number(instant.seconds) * 1000 + Math.floor(instant.nanos / NANOS_PER_MILLI));
}

/** formatTimestamp writes date in RFC 3339 UTC, with milliseconds only when they are not zero. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(".000Z", "Z");
}

function toInstant(text: string, fraction: string, offsetMinutes: number): Instant | Issue {
  const year = field(text, 0, 4);
  const month = field(text, 5, 2);
  const day = field(text, 8, 2);
  const hour = field(text, 11, 2);
  const minute = field(text, 14, 2);
  const second = field(text, 17, 2);
  if (month < 1 || month > 12) return { index: 5, problem: "month must be 01 to 12" };
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) {
    return { index: 8, problem: `day must be 01 to ${days} in ${text.slice(0, 7)}` };
  }
  if (hour > 23) return { index: 11, problem: "hour must be 00 to 23" };
  if (minute > 59) return { index: 14, problem: "minute must be 00 to 59" };
  if (second > 59) return { index: 17, problem: "second must be 00 to 59" };
  const local = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  const seconds = BigInt(local - offsetMinutes * 60);
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    return { index: 0, problem: "must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z" };
  }
  return { seconds, nanos: Number(fraction.slice(0, 9).padEnd(9, "0")) };
}

function matchLayout(text: string, start: number, layout: string): Issue | undefined {
  for (let i = 0; i < layout.length; i++) {
    const want = layout[i];
    const index = start + i;
    if (want === "d") {
      if (!isDigit(text[index])) return expected(text, index, "a digit");
    } else if (text[index] !== want) {
      return expected(text, index, `'${want}'`);
    }
  }
  return undefined;
}

function expected(text: string, index: number, what: string): Issue {
  const found = index < text.length ? describeChar(text, index) : "end of timestamp";
  return { index, problem: `expected ${what}, found ${found}` };
}

function field(text: string, start: number, length: number): number {
  return Number(text.slice(start, start + length));
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= "0" && char <= "9";
}

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** daysFromCivil counts days since 1970-01-01 in the proleptic Gregorian calendar. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
