import { run } from "@bufbuild/cel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGoDuration } from "../../../src/schema/caveat/go-duration.js";
import { parseRfc3339 } from "../../../src/schema/caveat/rfc3339.js";

// The library's own parsers, reached through CEL's duration() and timestamp(), are the reference.
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

describe("parseRfc3339", () => {
  it("agrees with CEL's timestamp() on instants from year 1 to 9999", () => {
    const instant = fc.date({
      min: new Date("0001-01-01T00:00:00Z"),
      max: new Date("9999-12-31T23:59:59Z"),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(instant, (date) => {
        const text = date.toISOString();
        const parsed = parseRfc3339(text);
        expect(typeof parsed).not.toBe("string");
        if (typeof parsed !== "string") {
          expect(Number(parsed.seconds) * 1000 + parsed.nanos / 1e6).toBe(date.getTime());
        }
      }),
    );
  });

  it("applies offsets", () => {
    const parsed = parseRfc3339("2024-01-01T05:30:00.5+05:30");
    expect(typeof parsed === "string" ? parsed : [parsed.seconds, parsed.nanos]).toEqual([
      1704067200n,
      500_000_000,
    ]);
  });
});
