// The one RFC 3339 parser, for expirations and caveat values: CEL's timestamp() as the reference,
// the edges of the range, and what RFC 3339 does not allow.

import { run } from "@bufbuild/cel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRfc3339, parseTimestamp } from "../../src/tuple/timestamp.js";

describe("parseRfc3339", () => {
  it("agrees with CEL's timestamp() on instants from year 1 to 9999, at nanosecond precision", () => {
    const instant = fc.record({
      date: fc.date({
        min: new Date("0001-01-01T00:00:00Z"),
        max: new Date("9999-12-31T23:59:59Z"),
        noInvalidDate: true,
      }),
      nanos: fc.integer({ min: 0, max: 999_999 }),
    });
    fc.assert(
      fc.property(instant, ({ date, nanos }) => {
        const text = date.toISOString().replace("Z", `${String(nanos).padStart(6, "0")}Z`);
        const parsed = parseRfc3339(text);
        if ("problem" in parsed) throw new Error(`${text}: ${parsed.problem}`);
        const whole = `${date.toISOString().slice(0, 19)}Z`;
        const reference = `int(timestamp('${text}')) == ${parsed.seconds} && timestamp('${text}') - timestamp('${whole}') == duration('${parsed.nanos}ns')`;
        expect(run(reference)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("applies offsets and keeps nanoseconds, truncating finer fractions", () => {
    expect(parseRfc3339("2024-01-01T05:30:00.5+05:30")).toEqual({
      seconds: 1_704_067_200n,
      nanos: 500_000_000,
    });
    expect(parseRfc3339("2024-01-01T00:00:00.1234567899Z")).toEqual({
      seconds: 1_704_067_200n,
      nanos: 123_456_789,
    });
  });

  it("accepts the first and last instants a protobuf Timestamp holds, and nothing outside", () => {
    expect(parseRfc3339("0001-01-01T00:00:00Z")).toEqual({ seconds: -62_135_596_800n, nanos: 0 });
    expect(parseRfc3339("9999-12-31T23:59:59.999999999Z")).toEqual({
      seconds: 253_402_300_799n,
      nanos: 999_999_999,
    });
    const outside = {
      index: 0,
      problem: "must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z",
    };
    expect(parseRfc3339("0000-12-31T23:59:59Z")).toEqual(outside);
    expect(parseRfc3339("0001-01-01T00:30:00+01:00")).toEqual(outside);
    expect(parseRfc3339("9999-12-31T23:00:00-01:00")).toEqual(outside);
  });

  it.each([
    ["2024-01-01T00:00:00,5Z", 19, "expected 'Z' or an offset like +02:00, found ','"],
    ["2024-01-01t00:00:00Z", 10, "expected 'T', found 't'"],
    ["2024-01-01T00:00:00z", 19, "expected 'Z' or an offset like +02:00, found 'z'"],
    ["2024-01-01T00:00:60Z", 17, "second must be 00 to 59"],
    ["2023-02-29T00:00:00Z", 8, "day must be 01 to 28 in 2023-02"],
    ["2024-01-01T00:00:00+24:00", 20, "offset hours must be 00 to 23"],
    ["2024-01-01", 10, "expected 'T', found end of timestamp"],
  ])("refuses %s at index %i: %s", (text, index, problem) => {
    expect(parseRfc3339(text)).toEqual({ index, problem });
  });
});

describe("parseTimestamp", () => {
  it("is parseRfc3339 as a Date, to the millisecond", () => {
    expect(parseTimestamp("2026-12-01T01:30:00.123999999+01:30")).toEqual(
      new Date("2026-12-01T00:00:00.123Z"),
    );
    expect(parseTimestamp("0001-01-01T00:00:00Z")).toEqual(new Date("0001-01-01T00:00:00Z"));
    expect(parseTimestamp("10000-01-01T00:00:00Z")).toEqual({
      index: 4,
      problem: "expected '-', found '0'",
    });
  });
});
