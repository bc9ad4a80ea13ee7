// Conversions answer as SpiceDB's cel-go does, where the CEL library's own differ.

import { describe, expect, it } from "vitest";
import type { CaveatEvaluation } from "../../../src/schema/caveat/compiled-caveat.js";
import { caveat } from "./caveat-helpers.js";

const yes = { kind: "true" };

/** converted evaluates expression with one string parameter s. */
function converted(expression: string, s: string): CaveatEvaluation {
  return caveat(expression, { s: "string" }).evaluate({ s });
}

describe("conversions and duration accessors as cel-go makes them", () => {
  it("refuse the numbers Go's strconv refuses, where JavaScript read them", () => {
    for (const s of ["", " 1", "0x10", "1_0"]) {
      expect(converted("int(s) >= 0", s), s).toMatchObject({
        kind: "error",
        message: expect.stringContaining("type conversion error from 'string' to 'int'"),
      });
    }
    expect(converted("uint(s) >= 0u", "+1")).toMatchObject({ kind: "error" });
    for (const s of ["", " 1", "0x10", "1e400"]) {
      expect(converted("double(s) >= 0.0", s), s).toMatchObject({ kind: "error" });
    }
  });

  it("read bools and durations as Go does", () => {
    expect(converted("bool(s)", "T")).toEqual(yes);
    expect(converted("!bool(s)", "F")).toEqual(yes);
    expect(converted("bool(s)", "yes")).toMatchObject({ kind: "error" });
    expect(converted("duration(s) >= duration('0s')", "")).toMatchObject({
      kind: "error",
      message: expect.stringContaining("invalid duration '': it is empty"),
    });
    expect(converted("duration(s) == duration('0s')", "-0")).toEqual(yes);
  });

  it("read the numbers Go's strconv reads", () => {
    expect(converted("int(s) == 1", "+1")).toEqual(yes);
    expect(converted("double(s) > 1e308", "inf")).toEqual(yes);
    expect(converted("double(s) == 1000.0", "1_000")).toEqual(yes);
    expect(converted("double(s) == 0.25", "0x1p-2")).toEqual(yes);
  });

  it("read timestamp(int) as Unix seconds", () => {
    const c = caveat("timestamp(n) == timestamp('2025-06-01T08:00:00Z')", { n: "int" });
    expect(c.evaluate({ n: 1_748_764_800 })).toEqual(yes);
    expect(c.evaluate({ n: 253_402_300_800 })).toMatchObject({ kind: "error" });
  });

  it("write doubles, durations and timestamps as Go does", () => {
    const d = caveat("string(d) == text", { d: "double", text: "string" });
    expect(d.evaluate({ d: 1e6, text: "1e+06" })).toEqual(yes);
    expect(d.evaluate({ d: 1e-5, text: "1e-05" })).toEqual(yes);
    expect(d.evaluate({ d: 123456, text: "123456" })).toEqual(yes);
    const span = caveat("string(span) == text", { span: "duration", text: "string" });
    expect(span.evaluate({ span: "500ms", text: "0.5s" })).toEqual(yes);
    expect(span.evaluate({ span: "1h30m", text: "5400s" })).toEqual(yes);
    expect(span.evaluate({ span: "1ns", text: "0.000000001s" })).toEqual(yes);
    const at = caveat("string(at) == text", { at: "timestamp", text: "string" });
    expect(at.evaluate({ at: "2025-06-01T08:00:00.500Z", text: "2025-06-01T08:00:00.5Z" })).toEqual(
      yes,
    );
    expect(at.evaluate({ at: "2025-06-01T08:00:00Z", text: "2025-06-01T08:00:00Z" })).toEqual(yes);
  });

  it("count a duration whole: int() in nanoseconds, getMilliseconds() in milliseconds", () => {
    const span = caveat("int(span) == n", { span: "duration", n: "int" });
    expect(span.evaluate({ span: "1.9s", n: 1_900_000_000 })).toEqual(yes);
    expect(span.evaluate({ span: "-1.9s", n: -1_900_000_000 })).toEqual(yes);
    const ms = caveat("span.getMilliseconds() == n", { span: "duration", n: "int" });
    expect(ms.evaluate({ span: "1.5s", n: 1500 })).toEqual(yes);
    expect(ms.evaluate({ span: "-1.5s", n: -1500 })).toEqual(yes);
  });
});
