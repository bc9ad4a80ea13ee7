import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatGoFloat,
  parseGoFloat,
  parseGoInt,
  parseGoUint,
} from "../../../src/schema/caveat/go-strconv.js";

describe("Go's strconv", () => {
  it("reads base-10 ints with an optional sign, and nothing laxer", () => {
    expect(parseGoInt("42")).toBe(42n);
    expect(parseGoInt("+1")).toBe(1n);
    expect(parseGoInt("-007")).toBe(-7n);
    expect(parseGoInt("9223372036854775807")).toBe(2n ** 63n - 1n);
    expect(parseGoInt("-9223372036854775808")).toBe(-(2n ** 63n));
    for (const text of ["", " 1", "1 ", "0x10", "1_0", "1e3", "9223372036854775808", "--1"]) {
      expect(parseGoInt(text), text).toBeUndefined();
    }
  });

  it("reads base-10 uints without a sign", () => {
    expect(parseGoUint("18446744073709551615")).toBe(2n ** 64n - 1n);
    for (const text of ["+1", "-0", "", "18446744073709551616", "0x1"]) {
      expect(parseGoUint(text), text).toBeUndefined();
    }
  });

  it("reads floats in Go's syntax: underscores between digits, hex with an exponent, inf and nan", () => {
    const read: [string, number][] = [
      ["1e3", 1000],
      ["1.", 1],
      [".5", 0.5],
      ["-.5e-3", -0.0005],
      ["1_000.5", 1000.5],
      ["1e1_0", 1e10],
      ["0x1p-2", 0.25],
      ["0x_1.8p1", 3],
      ["-0X.8P0", -0.5],
      ["inf", Infinity],
      ["-Infinity", -Infinity],
      ["+INF", Infinity],
      ["1e-400", 0],
    ];
    for (const [text, value] of read) expect(parseGoFloat(text), text).toBe(value);
    expect(parseGoFloat("NaN")).toBeNaN();
    const refused = ["", " 1", "1 ", "0x10", "0x1.8", "1__0", "_1", "1_", "1_.5", "1._5", "+nan"];
    for (const text of [...refused, "infin", "1e400", "e5", ".", "1e", "Infinityx"]) {
      expect(parseGoFloat(text), text).toBeUndefined();
    }
  });

  it("writes floats as Go's %g and %f with the fewest digits", () => {
    const written: [number, string, string][] = [
      [1e6, "1e+06", "1000000"],
      [123456, "123456", "123456"],
      [1234567, "1.234567e+06", "1234567"],
      [1e20, "1e+20", "100000000000000000000"],
      [1e21, "1e+21", "1000000000000000000000"],
      [1e-5, "1e-05", "0.00001"],
      [0.0001, "0.0001", "0.0001"],
      [1.5, "1.5", "1.5"],
      [-2.5e-7, "-2.5e-07", "-0.00000025"],
      [1e100, "1e+100", `1${"0".repeat(100)}`],
      [0, "0", "0"],
      [-0, "-0", "-0"],
      [Number.NaN, "NaN", "NaN"],
      [Infinity, "+Inf", "+Inf"],
      [-Infinity, "-Inf", "-Inf"],
    ];
    for (const [value, g, f] of written) {
      expect(formatGoFloat(value, "g"), `${value} %g`).toBe(g);
      expect(formatGoFloat(value, "f"), `${value} %f`).toBe(f);
    }
  });

  it("writes every float as text that reads back as the same float", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        for (const format of ["g", "f"] as const) {
          expect(Object.is(parseGoFloat(formatGoFloat(value, format)), value)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
