// RFC 3339 timestamps for relationship expirations: strict parsing with positions, canonical UTC output.

import { describeChar, type Issue } from "./issue.js";

/** TIMESTAMP_EXAMPLE shows the expected form in error messages. */
export const TIMESTAMP_EXAMPLE = "2026-12-01T00:00:00Z";

const LAYOUT = "dddd-dd-ddTdd:dd:dd";
const OFFSET_LAYOUT = "dd:dd";
const MAX_MILLISECONDS_DIGITS = 3;

/**
 * parseTimestamp reads an RFC 3339 date-time (`2026-12-01T00:00:00Z`, `…T08:30:00.5+02:00`) as
 * Go's time.RFC3339Nano does: 'T' and 'Z' uppercase, seconds 00 to 59. Fractions finer than a
 * millisecond are truncated, since a Date holds milliseconds.
 */
export function parseTimestamp(text: string): Date | Issue {
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
  return toDate(text, fraction, offsetMinutes);
}

/** formatTimestamp writes date in RFC 3339 UTC, with milliseconds only when they are not zero. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(".000Z", "Z");
}

function toDate(text: string, fraction: string, offsetMinutes: number): Date | Issue {
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
  const milliseconds = Number(fraction.slice(0, MAX_MILLISECONDS_DIGITS).padEnd(3, "0"));
  // setUTCFullYear, unlike Date.UTC, does not map years 0 to 99 onto 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, milliseconds);
  return new Date(date.getTime() - offsetMinutes * 60_000);
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
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}
