// RFC 3339 timestamps ("2024-01-01T09:00:00Z", "2024-01-01T09:00:00.5+02:00"), as Go parses them.

import { create } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";

const pattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

// CEL's timestamp range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
const minSeconds = -62135596800n;
const maxSeconds = 253402300799n;

/** parseRfc3339 parses an RFC 3339 timestamp, or returns a message saying why it is not one. */
export function parseRfc3339(text: string): Timestamp | string {
  const match = pattern.exec(text);
  if (match === null) {
    return "expected the form 2024-01-01T09:00:00Z or 2024-01-01T09:00:00+02:00";
  }
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map(Number);
  const [fraction = "", sign, offsetHours = "0", offsetMinutes = "0"] = match.slice(7);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return "the date does not exist";
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return "the time of day is out of range";
  }
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) {
    return "the time zone offset is out of range";
  }
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60 * (sign === "-" ? -1 : 1);
  const local = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const seconds = BigInt(local - offset);
  if (seconds < minSeconds || seconds > maxSeconds) {
    return "it is outside the range 0001-01-01 to 9999-12-31";
  }
  const nanos = Number(fraction.slice(0, 9).padEnd(9, "0"));
  return create(TimestampSchema, { seconds, nanos });
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
  return era * 146097 + dayOfEra - 719468;
}
