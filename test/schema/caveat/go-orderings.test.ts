import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareCodePoints } from "../../../src/schema/caveat/go-orderings.js";
import { caveat } from "./caveat-helpers.js";

/** byCodePoints is the plain definition: the strings as arrays of code points, compared in order. */
function byCodePoints(a: string, b: string): number {
  const left = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const right = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return (left[i] ?? 0) - (right[i] ?? 0);
  }
  return left.length - right.length;
}

describe("orderings as cel-go orders", () => {
  it("puts characters above U+FFFF after U+E000–U+FFFF, where UTF-16 order puts them before", () => {
    expect(compareCodePoints("\uffff", "😀")).toBeLessThan(0);
    expect(compareCodePoints("😀", "\ue000")).toBeGreaterThan(0);
    expect(compareCodePoints("a😀", "a😁")).toBeLessThan(0);
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
    expect(compareCodePoints("é", "é")).toBe(0);
  });

  it("agrees with comparing the strings' code points", () => {
    const text = fc.string({ unit: "binary", maxLength: 6 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(byCodePoints(a, b)));
      }),
      { numRuns: 2000 },
    );
  });

  it("orders a caveat's string comparisons", () => {
    const params = { a: "string", b: "string" };
    const context = { a: "\uffff", b: "😀" };
    expect(caveat("a < b && a <= b", params).evaluate(context)).toEqual({ kind: "true" });
    expect(caveat("a > b || a >= b", params).evaluate(context)).toEqual({ kind: "false" });
  });

  it("refuses to order NaN, as cel-go does, and still compares it for equality", () => {
    const params = { x: "double", n: "int" };
    const nan = { x: 0, n: 1 };
    for (const expression of [
      "x / 0.0 < 1.0",
      "!(x / 0.0 >= 1.0)",
      "x / 0.0 > n",
      "dyn(n) <= x / 0.0",
    ]) {
      expect(caveat(expression, params).evaluate(nan), expression).toEqual({
        kind: "error",
        message: "caveat 'test_caveat' failed to evaluate: NaN values cannot be ordered",
      });
    }
    expect(caveat("x / 0.0 != x / 0.0", params).evaluate(nan)).toEqual({ kind: "true" });
    expect(caveat("x < 1.5 && x >= 0.0", params).evaluate(nan)).toEqual({ kind: "true" });
  });
});
