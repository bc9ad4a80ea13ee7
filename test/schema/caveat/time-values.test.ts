import { run } from "@bufbuild/cel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGoDuration } from "../../../src/schema/caveat/go-duration.js";

// The library's own parser, reached through CEL's duration(), is the reference.
function celHolds(expression: string): boolean {
  const result = run(expression);
  if (typeof result !== "boolean") {
    throw new Error(`${expression}: ${String(result)}`);
  }
  return result;
}

describe("parseGoDuration", () => {
  it("agrees with CEL's duration() on Go-style strings", () => {
    const part = (unit: string) =>
      fc
        .option(fc.tuple(fc.nat({ max: 999 }), fc.option(fc.nat({ max: 999 }))), { nil: undefined })
        .map((p) => (p === undefined ? "" : `${p[0]}${p[1] === null ? "" : `.${p[1]}`}${unit}`));
    const text = fc
      .tuple(
        fc.constantFrom("", "-", "+"),
        part("h"),
        part("m"),
        part("s"),
        part("ms"),
        part("us"),
        part("ns"),
      )
      .map(([sign, ...parts]) => (parts.join("") === "" ? "" : sign + parts.join("")))
      .filter((t) => t !== "");
    fc.assert(
      fc.property(text, (t) => {
        const parsed = parseGoDuration(t);
        if (typeof parsed === "string") {
          throw new Error(`${t}: ${parsed}`);
        }
        const sum = `duration('${parsed.seconds}s') + duration('${parsed.nanos}ns')`;
        expect(celHolds(`duration('${t}') == ${sum}`)).toBe(true);
      }),
    );
  });

  it.each(["", "-", "1", "h", ".h", "1.2.3s", "1hh", "1 h", "P1D"])("rejects %j", (text) => {
    expect(typeof parseGoDuration(text)).toBe("string");
  });
});
