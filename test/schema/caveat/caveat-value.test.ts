import { describe, expect, it } from "vitest";
import type { CaveatEvaluation } from "../../../src/schema/caveat/compiled-caveat.js";
import { caveat } from "./caveat-helpers.js";

/** holds evaluates `expression` with parameter `p` of `type` set to `value`. */
function holds(type: string, expression: string, value: unknown): CaveatEvaluation {
  return caveat(expression, { p: type }).evaluate({ p: value });
}

const yes = { kind: "true" };

/** wrongType is the error for parameter p holding `given` where `expected` was required. */
function wrongType(expected: string, given: string, reason?: string): CaveatEvaluation {
  const suffix = reason === undefined ? "" : `: ${reason}`;
  return {
    kind: "error",
    parameter: "p",
    message: `parameter 'p' must be ${expected}, but got ${given}${suffix}`,
  };
}

describe("context values", () => {
  describe("int", () => {
    const expected = 'an int (a whole number, or a decimal string such as "42")';

    it.each([
      [42, "p == 42"],
      [-7, "p == -7"],
      ["9223372036854775807", "p == 9223372036854775807"],
      ["-9223372036854775808", "p == -9223372036854775808"],
      ["+12", "p == 12"],
      [3.0, "p == 3 && type(p) == int"],
    ])("converts %j", (value, expression) => {
      expect(holds("int", expression, value)).toEqual(yes);
    });

    it("rejects values that are not whole numbers", () => {
      expect(holds("int", "p > 0", "abc")).toEqual(wrongType(expected, 'string "abc"'));
      expect(holds("int", "p > 0", 1.5)).toEqual(
        wrongType(expected, "number 1.5", "it is not a whole number"),
      );
      expect(holds("int", "p > 0", "1.5")).toEqual(wrongType(expected, 'string "1.5"'));
      expect(holds("int", "p > 0", true)).toEqual(wrongType(expected, "boolean true"));
      expect(holds("int", "p > 0", null)).toEqual(wrongType(expected, "null"));
      expect(holds("int", "p > 0", [1])).toEqual(wrongType(expected, "an array"));
    });

    it("rejects values out of range", () => {
      expect(holds("int", "p > 0", "9223372036854775808")).toEqual(
        wrongType(
          expected,
          'string "9223372036854775808"',
          "it is outside the int range -9223372036854775808 to 9223372036854775807",
        ),
      );
    });
  });

  describe("uint", () => {
    it.each([
      [0, "p == 0u"],
      [7, "p == 7u && p > 5"],
      ["18446744073709551615", "p == 18446744073709551615u"],
    ])("converts %j", (value, expression) => {
      expect(holds("uint", expression, value)).toEqual(yes);
    });

    it("rejects negative numbers and non-numbers", () => {
      const expected = 'a uint (a whole number, or a decimal string such as "42")';
      expect(holds("uint", "p > 0u", -1)).toEqual(
        wrongType(expected, "number -1", "it is outside the uint range 0 to 18446744073709551615"),
      );
      expect(holds("uint", "p > 0u", "x")).toEqual(wrongType(expected, 'string "x"'));
    });
  });

  describe("double", () => {
    it.each([
      [1.5, "p == 1.5"],
      [2, "p == 2.0"],
      ["2.5e3", "p == 2500.0"],
    ])("converts %j", (value, expression) => {
      expect(holds("double", expression, value)).toEqual(yes);
    });

    it("rejects non-numbers", () => {
      expect(holds("double", "p > 0.0", "fast")).toEqual(
        wrongType("a double (a number)", 'string "fast"'),
      );
      expect(holds("double", "p > 0.0", false)).toEqual(
        wrongType("a double (a number)", "boolean false"),
      );
    });
  });

  describe("bool", () => {
    it("converts true and false", () => {
      expect(holds("bool", "p", true)).toEqual(yes);
      expect(holds("bool", "p", false)).toEqual({ kind: "false" });
    });

    it("rejects strings and numbers", () => {
      expect(holds("bool", "p", "true")).toEqual(
        wrongType("a bool (true or false)", 'string "true"'),
      );
      expect(holds("bool", "p", 1)).toEqual(wrongType("a bool (true or false)", "number 1"));
    });
  });

  describe("string", () => {
    it("converts strings", () => {
      expect(holds("string", "p == 'héllo'", "héllo")).toEqual(yes);
    });

    it("rejects other values, shortening long ones", () => {
      expect(holds("string", "p == ''", 5)).toEqual(wrongType("a string", "number 5"));
      expect(holds("string", "p == ''", { a: 1 })).toEqual(wrongType("a string", "an object"));
    });
  });

  describe("bytes", () => {
    it("decodes base64", () => {
      expect(holds("bytes", "p == b'\\x01\\x02\\xff'", "AQL/")).toEqual(yes);
      expect(holds("bytes", "p == b'hi'", "aGk=")).toEqual(yes);
      expect(holds("bytes", "size(p) == 0", "")).toEqual(yes);
    });

    it("rejects text that is not base64", () => {
      const expected = "bytes (a base64-encoded string)";
      expect(holds("bytes", "size(p) > 0", "not base64!")).toEqual(
        wrongType(expected, 'string "not base64!"'),
      );
      expect(holds("bytes", "size(p) > 0", "aGk")).toEqual(wrongType(expected, 'string "aGk"'));
      expect(holds("bytes", "size(p) > 0", [1, 2])).toEqual(wrongType(expected, "an array"));
    });
  });

  describe("duration", () => {
    it.each([
      ["1h30m", "p == duration('5400s')"],
      ["90s", "p == duration('1m30s')"],
      ["1.5h", "p.getMinutes() == 90"],
      ["-2m", "p < duration('0s')"],
      ["300ms", "p.getMilliseconds() == 300"],
      ["1us", "p == duration('1000ns')"],
      ["1µs", "p == duration('1000ns')"],
      ["0", "p == duration('0s')"],
      [".5s", "p.getMilliseconds() == 500"],
    ])("converts Go syntax %s", (value, expression) => {
      expect(holds("duration", expression, value)).toEqual(yes);
    });

    it("rejects other syntax, saying why", () => {
      const expected = 'a duration (a string such as "1h30m" or "90s")';
      expect(holds("duration", "p > duration('0s')", "5")).toEqual(
        wrongType(
          expected,
          'string "5"',
          "expected a sequence of numbers with units, such as 1h30m or 90s",
        ),
      );
      expect(holds("duration", "p > duration('0s')", "1d")).toEqual(
        wrongType(expected, 'string "1d"', "unknown unit 'd'; use ns, us, ms, s, m or h"),
      );
      expect(holds("duration", "p > duration('0s')", "PT1H")).toMatchObject({
        kind: "error",
        parameter: "p",
      });
      expect(holds("duration", "p > duration('0s')", "3000000h")).toMatchObject({
        kind: "error",
        message: expect.stringContaining("out of range"),
      });
      expect(holds("duration", "p > duration('0s')", 60)).toEqual(wrongType(expected, "number 60"));
    });
  });

  describe("timestamp", () => {
    it.each([
      ["2024-01-01T00:00:00Z", "p == timestamp('2024-01-01T00:00:00Z')"],
      ["2024-01-01T02:00:00+02:00", "p == timestamp('2024-01-01T00:00:00Z')"],
      ["2023-12-31T19:00:00-05:00", "p == timestamp('2024-01-01T00:00:00Z')"],
      ["2024-01-01T00:00:00.123456789Z", "p.getMilliseconds() == 123"],
      ["2024-02-29T12:00:00Z", "p.getDate() == 29"],
      ["0001-01-01T00:00:00Z", "p.getFullYear() == 1"],
    ])("converts RFC 3339 %s", (value, expression) => {
      expect(holds("timestamp", expression, value)).toEqual(yes);
    });

    it.each([
      ["2024-01-01", "at position 11: expected 'T', found end of timestamp"],
      ["2024-01-01 00:00:00Z", "at position 11: expected 'T', found ' '"],
      ["2023-02-29T00:00:00Z", "at position 9: day must be 01 to 28 in 2023-02"],
      ["2024-01-01T24:00:00Z", "at position 12: hour must be 00 to 23"],
      ["2024-01-01T00:00:00+25:00", "at position 21: offset hours must be 00 to 23"],
      [
        "0000-06-01T00:00:00Z",
        "at position 1: must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z",
      ],
    ])("rejects %s, saying why", (value, reason) => {
      expect(holds("timestamp", "p > timestamp('2000-01-01T00:00:00Z')", value)).toEqual(
        wrongType(
          'a timestamp (an RFC 3339 string such as "2024-01-01T00:00:00Z")',
          `string ${JSON.stringify(value)}`,
          reason,
        ),
      );
    });
  });

  describe("ipaddress", () => {
    it("converts IPv4 and IPv6 addresses", () => {
      expect(holds("ipaddress", "p.in_cidr('192.168.0.0/16')", "192.168.1.1")).toEqual(yes);
      expect(holds("ipaddress", "p.in_cidr('fe80::/10')", "fe80::1")).toEqual(yes);
    });

    it("rejects text that is not an address", () => {
      const expected = 'an ipaddress (a string such as "10.0.0.1" or "2001:db8::1")';
      expect(holds("ipaddress", "p.in_cidr('10.0.0.0/8')", "10.0.0.256")).toEqual(
        wrongType(expected, 'string "10.0.0.256"'),
      );
      expect(holds("ipaddress", "p.in_cidr('10.0.0.0/8')", "10.0.0.0/8")).toEqual(
        wrongType(expected, 'string "10.0.0.0/8"'),
      );
      expect(holds("ipaddress", "p.in_cidr('10.0.0.0/8')", 167772161)).toEqual(
        wrongType(expected, "number 167772161"),
      );
    });
  });

  describe("list", () => {
    it("converts each item by the element type", () => {
      expect(holds("list<int>", "p == [1, 2, 3]", [1, "2", 3])).toEqual(yes);
      expect(
        holds("list<timestamp>", "p[0] < p[1]", ["2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z"]),
      ).toEqual(yes);
      expect(holds("list<list<string>>", "p[1][0] == 'b'", [["a"], ["b"]])).toEqual(yes);
      expect(holds("list<string>", "size(p) == 0", [])).toEqual(yes);
    });

    it("names the item that has the wrong type", () => {
      expect(
        holds("list<ipaddress>", "p.exists(a, a.in_cidr('10.0.0.0/8'))", ["10.0.0.1", "nope"]),
      ).toEqual({
        kind: "error",
        parameter: "p",
        message:
          'item 1 of parameter \'p\' must be an ipaddress (a string such as "10.0.0.1" or "2001:db8::1"), but got string "nope"',
      });
      expect(holds("list<int>", "size(p) > 0", { 0: 1 })).toEqual(
        wrongType("a list<int> (a JSON array)", "an object"),
      );
    });
  });

  describe("map", () => {
    it("converts each value by the value type, with string keys", () => {
      expect(holds("map<int>", "p['a'] == 1 && p.b == 2", { a: 1, b: "2" })).toEqual(yes);
      expect(holds("map<list<string>>", "'x' in p.k", { k: ["x"] })).toEqual(yes);
      expect(holds("map<duration>", "p.t > duration('1m')", { t: "2m" })).toEqual(yes);
    });

    it("names the key whose value has the wrong type", () => {
      expect(holds("map<list<int>>", "size(p) > 0", { good: [1], bad: [1, "x"] })).toEqual({
        kind: "error",
        parameter: "p",
        message:
          "item 1 of key 'bad' of parameter 'p' must be an int (a whole number, or a decimal string such as \"42\"), but got string \"x\"",
      });
      expect(holds("map<int>", "size(p) > 0", [1])).toEqual(
        wrongType("a map<int> (a JSON object)", "an array"),
      );
    });
  });

  describe("any", () => {
    it("keeps JSON as it is", () => {
      expect(
        holds("any", "p.a[1].b == 'x' && p.n == 2 && p.f == false && p.z == null", {
          a: [0, { b: "x" }],
          n: 2,
          f: false,
          z: null,
        }),
      ).toEqual(yes);
      expect(holds("any", "p == 'text'", "text")).toEqual(yes);
      expect(holds("any", "type(p) == double", 3)).toEqual(yes);
    });

    it("rejects values that are not JSON", () => {
      expect(holds("any", "p == 1", { f: () => 1 })).toEqual({
        kind: "error",
        parameter: "p",
        message: "key 'f' of parameter 'p' must be a JSON value, but got function",
      });
    });
  });

  it("ignores context keys that are not parameters", () => {
    expect(caveat("a", { a: "bool" }).evaluate({ a: true, unrelated: "x" })).toEqual(yes);
  });

  it("reports the first parameter with a wrong value", () => {
    const c = caveat("a > 1 && b > 1", { a: "int", b: "int" });
    expect(c.evaluate({ a: "x", b: "y" })).toMatchObject({ kind: "error", parameter: "a" });
  });
});
