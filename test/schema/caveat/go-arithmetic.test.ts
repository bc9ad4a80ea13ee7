import { describe, expect, it } from "vitest";
import { caveat } from "./caveat-helpers.js";

describe("integer arithmetic as cel-go computes it", () => {
  it("refuses the remainder of the least int by -1, as it refuses the quotient", () => {
    const least = { a: "-9223372036854775808" };
    for (const expression of ["a % -1 == 0", "a / -1 == 0"]) {
      expect(caveat(expression, { a: "int" }).evaluate(least), expression).toMatchObject({
        kind: "error",
        message: expect.stringContaining("overflow"),
      });
    }
    expect(caveat("a % 0 == 0", { a: "int" }).evaluate({ a: 1 })).toMatchObject({ kind: "error" });
    expect(caveat("a % -3 == -2", { a: "int" }).evaluate({ a: -5 })).toEqual({ kind: "true" });
  });

  it("divides uints beyond the int range, and not by zero", () => {
    const quotient = caveat("uint(s) / d == 18446744073709551615u", { s: "string", d: "uint" });
    expect(quotient.evaluate({ s: "18446744073709551615", d: 1 })).toEqual({ kind: "true" });
    expect(quotient.evaluate({ s: "1", d: 0 })).toMatchObject({
      kind: "error",
      message: expect.stringContaining("divide by zero"),
    });
  });
});
