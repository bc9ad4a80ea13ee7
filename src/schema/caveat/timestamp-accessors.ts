// Timestamp accessors (getHours, getDayOfWeek, ...) computed without the process's local time zone.
//
// The library's own accessors build local-time Date objects from UTC fields, so in a process whose
// zone observes daylight saving time some hours shift by one (e.g. 02:30 UTC on a spring-forward
// day reads as 3). These replacements work from UTC plus an explicit offset only.

import { type CelFunc, CelScalar, celMethod, objectType } from "@bufbuild/cel";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";

const timestampType = objectType(TimestampSchema);
const formats = new Map<string, Intl.DateTimeFormat>();

/** timestampAccessors replaces the standard timestamp accessors, with and without a time zone. */
export const timestampAccessors: readonly CelFunc[] = Object.entries({
  getFullYear: (d: Date) => d.getUTCFullYear(),
  getMonth: (d: Date) => d.getUTCMonth(),
  getDate: (d: Date) => d.getUTCDate(),
  getDayOfMonth: (d: Date) => d.getUTCDate() - 1,
  getDayOfWeek: (d: Date) => d.getUTCDay(),
  getDayOfYear: (d: Date) => (d.getTime() - startOfYear(d)) / 86_400_000,
  getHours: (d: Date) => d.getUTCHours(),
  getMinutes: (d: Date) => d.getUTCMinutes(),
  getSeconds: (d: Date) => d.getUTCSeconds(),
  getMilliseconds: (d: Date) => d.getUTCMilliseconds(),
}).flatMap(([name, field]) => [
  celMethod(name, timestampType, [], CelScalar.INT, function () {
    return BigInt(Math.floor(field(wallClock(this.message, "UTC"))));
  }),
  celMethod(name, timestampType, [CelScalar.STRING], CelScalar.INT, function (zone) {
    return BigInt(Math.floor(field(wallClock(this.message, zone))));
  }),
]);

/** startOfYear is January 1 of the date's year (Date.UTC would read years below 100 as 19xx). */
function startOfYear(date: Date): number {
  const start = new Date(0);
  start.setUTCFullYear(date.getUTCFullYear(), 0, 1);
  return start.getTime();
}

/** wallClock returns a Date whose UTC fields read as the wall-clock time in the zone. */
function wallClock(timestamp: Timestamp, zone: string): Date {
  const instant = Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6);
  return new Date(instant + offsetMillis(instant, zone));
}

function offsetMillis(instant: number, zone: string): number {
  if (zone === "UTC") {
    return 0;
  }
  const fixed = /^([+-]?)(\d\d):(\d\d)$/.exec(zone);
  if (fixed !== null) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3]);
    return (fixed[1] === "-" ? -minutes : minutes) * 60_000;
  }
  const parts = zoneFormat(zone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = new Date(0);
  wall.setUTCFullYear(part("year"), part("month") - 1, part("day"));
  wall.setUTCHours(part("hour"), part("minute"), part("second"));
  return wall.getTime() - Math.floor(instant / 1000) * 1000;
}

/** zoneFormat caches one formatter per IANA zone; an unknown zone throws an evaluation error. */
function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(zone, format);
  }
  return format;
}
