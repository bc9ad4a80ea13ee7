import { describe, expect, it } from "vitest";
import { compileCaveat } from "../../../src/schema/caveat/compile-caveat.js";
import { caveat, compile, compileErrors } from "./caveat-helpers.js";

describe("compileCaveat", () => {
  it("returns the caveat with its name, parameters in order, and expression", () => {
    const result = compileCaveat(
      "on_network",
      [
        { name: "user_ip", type: { kind: "ipaddress" } },
        { name: "cidr", type: { kind: "string" } },
      ],
      "user_ip.in_cidr(cidr)",
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.caveat.name).toBe("on_network");
      expect([...result.caveat.parameters.keys()]).toEqual(["user_ip", "cidr"]);
      expect(result.caveat.expression).toBe("user_ip.in_cidr(cidr)");
    }
  });

  it.each([
    ["now < expires", { now: "timestamp", expires: "timestamp" }],
    [
      "now - duration('1h') < expires && expires - now < duration('24h')",
      { now: "timestamp", expires: "timestamp" },
    ],
    ["timestamp('2024-01-01T00:00:00Z') < now", { now: "timestamp" }],
    ["now.getHours() >= 9 && now.getHours() < 17", { now: "timestamp" }],
    ["now.getDayOfWeek() > 0 && now.getHours('America/New_York') < 18", { now: "timestamp" }],
    ["region in allowed_regions", { region: "string", allowed_regions: "list<string>" }],
    [
      "name.startsWith('svc-') && name.endsWith('-prod') && name.contains('db')",
      { name: "string" },
    ],
    ["name.matches('^[a-z]+$') && size(name) < 10 && name.size() > 0", { name: "string" }],
    [
      "tags.exists(t, t == 'admin') && tags.all(t, t != '') && tags.exists_one(t, t == 'x')",
      { tags: "list<string>" },
    ],
    ["tags.map(t, t + '!').filter(t, t.size() > 2).size() > 0", { tags: "list<string>" }],
    ["'k' in limits && limits['k'] > 3 && limits.k < 10 && has(limits.k)", { limits: "map<int>" }],
    ["attrs.nested.flag == true && attrs['n'] > 1", { attrs: "any" }],
    ["u > 5 && u == 7 && u + 1u > 2u && count % 2 == 0", { u: "uint", count: "int" }],
    ["ratio * 2.0 >= 1.0 && ratio > 0", { ratio: "double" }],
    ["b == b'abc' && size(b) == 3", { b: "bytes" }],
    ["ip.in_cidr('10.0.0.0/8') || ip.in_cidr('2001:db8::/32')", { ip: "ipaddress" }],
    ["flag ? count > 1 : count < 1", { flag: "bool", count: "int" }],
    ["type(count) == int && string(count) == '1' && int('2') == 2", { count: "int" }],
    ["[1, 2, 3].all(x, x > 0) && {'a': 1}['a'] == 1", {}],
  ])("accepts %s", (expression, parameters) => {
    expect(compile(expression, parameters).ok).toBe(true);
  });

  describe("reports syntax errors", () => {
    it("at the position where parsing stopped, with a hint", () => {
      expect(compileErrors("a &&", { a: "bool" })).toEqual([
        {
          message:
            "syntax error: cannot parse '&&'; look for a missing operand, an unclosed '(', '[' or quote, or a misspelled operator here",
          line: 1,
          column: 3,
        },
      ]);
    });

    it("for an unclosed parenthesis, saying what was expected", () => {
      expect(compileErrors("(a || b", { a: "bool", b: "bool" })).toEqual([
        {
          message: "syntax error: the expression ends too early; expected ')'",
          line: 1,
          column: 8,
        },
      ]);
    });

    it("for '=' used to compare", () => {
      const [error] = compileErrors("a = b", { a: "int", b: "int" });
      expect(error?.message).toContain("use '==' to compare");
      expect(error).toMatchObject({ line: 1, column: 3 });
    });

    it("on a later line, relative to the expression", () => {
      expect(
        compileErrors("a &&\n  b ||| c", { a: "bool", b: "bool", c: "bool" })[0],
      ).toMatchObject({
        message:
          "syntax error: cannot parse '||| c'; look for a missing operand, an unclosed '(', '[' or quote, or a misspelled operator here",
        line: 2,
        column: 5,
      });
      expect(compileErrors("(a ||\n  b", { a: "bool", b: "bool" })[0]).toMatchObject({
        message: "syntax error: the expression ends too early; expected ')'",
        line: 2,
        column: 4,
      });
    });

    it("for an empty expression", () => {
      expect(compileErrors("")).toEqual([
        {
          message: "syntax error: the expression ends too early; expected an expression",
          line: 1,
          column: 1,
        },
      ]);
    });
  });

  it("requires a bool result", () => {
    expect(compileErrors("count + 1", { count: "int" })).toEqual([
      {
        message:
          "caveat expression must return bool, but returns int; make it a condition, such as a comparison (x > 0) or a bool parameter",
        line: 1,
        column: 1,
      },
    ]);
    expect(compileErrors("attrs", { attrs: "any" })[0]?.message).toContain("returns any");
    expect(compileErrors("tags", { tags: "list<string>" })[0]?.message).toContain(
      "returns list<string>",
    );
  });

  describe("reports unknown names", () => {
    it("suggesting to declare them", () => {
      expect(compileErrors("region == 'eu'", { count: "int" })).toEqual([
        {
          message:
            "unknown name 'region': caveat expressions can only use the caveat's parameters; declare it as a parameter, e.g. 'region string'",
          line: 1,
          column: 1,
        },
      ]);
    });

    it("suggesting a parameter with a similar name", () => {
      expect(compileErrors("cont > 1", { count: "int" })[0]?.message).toContain(
        "unknown name 'cont' (did you mean 'count'?)",
      );
    });

    it("all of them, each at its own position", () => {
      const errors = compileErrors("a > 1 &&\n  b < 2", {});
      expect(errors.map((e) => [e.line, e.column])).toEqual([
        [1, 1],
        [2, 3],
      ]);
    });

    it("but not macro variables, which are in scope inside the macro only", () => {
      expect(compile("tags.all(t, t != '')", { tags: "list<string>" }).ok).toBe(true);
      expect(
        compileErrors("tags.all(t, t != '') && t == ''", { tags: "list<string>" })[0]?.message,
      ).toContain("unknown name 't'");
    });
  });

  describe("reports ill-typed operations", () => {
    it("naming the parameter and what the operator accepts", () => {
      expect(compileErrors('count > "x"', { count: "int" })).toEqual([
        {
          message:
            "'>' cannot be applied to int (parameter 'count') and string; with int on the left, the right side must be int, uint or double",
          line: 1,
          column: 7,
        },
      ]);
    });

    it("suggesting literal suffixes and conversions for mixed numbers", () => {
      expect(compileErrors("u + 1 > 2u", { u: "uint" })[0]?.message).toBe(
        "'+' cannot be applied to uint (parameter 'u') and int; with uint on the left, the right side must be uint (write 1u for a uint literal and 1.0 for a double, or convert with int(), uint() or double())",
      );
    });

    it("for timestamps and durations", () => {
      expect(compileErrors("now + now > now", { now: "timestamp" })[0]?.message).toContain(
        "with timestamp on the left, the right side must be duration",
      );
      expect(compileErrors("now == duration('1h')", { now: "timestamp" })[0]?.message).toBe(
        "'==' cannot compare timestamp (parameter 'now') with duration; compare values of the same type",
      );
    });

    it("for a method argument of the wrong type", () => {
      expect(compileErrors("name.startsWith(1)", { name: "string" })).toEqual([
        {
          message: "string.startsWith(int) is not defined; use string.startsWith(string)",
          line: 1,
          column: 5,
        },
      ]);
    });

    it("for a method on the wrong type", () => {
      expect(compileErrors("name.in_cidr('10.0.0.0/8')", { name: "string" })[0]?.message).toBe(
        "string (parameter 'name') has no method 'in_cidr'; it is defined on ipaddress",
      );
    });

    it("for unknown functions and methods, with suggestions", () => {
      expect(compileErrors("ip.in_cidrr('10.0.0.0/8')", { ip: "ipaddress" })[0]?.message).toBe(
        "unknown method 'in_cidrr' on ipaddress (parameter 'ip'); did you mean 'in_cidr'?",
      );
      expect(compileErrors("now() > t", { t: "timestamp" })[0]?.message).toBe(
        "unknown function 'now'",
      );
    });

    it("for methods called as functions", () => {
      expect(compileErrors("startsWith(name, 'a')", { name: "string" })[0]?.message).toBe(
        "'startsWith' is a method: call it on a value, as in string.startsWith(string)",
      );
    });

    it("for field selection on a value without fields", () => {
      expect(compileErrors("now.hours > 9", { now: "timestamp" })[0]?.message).toBe(
        "timestamp (parameter 'now') has no field 'hours': only maps have fields (methods need parentheses, e.g. now.getHours())",
      );
    });

    it("for 'in' with mismatched element type", () => {
      expect(compileErrors("1 in regions", { regions: "list<string>" })[0]?.message).toBe(
        "'in' cannot look for int in list<string> (parameter 'regions')",
      );
    });

    it("for indexing", () => {
      expect(compileErrors("limits[1] > 0", { limits: "map<int>" })[0]?.message).toBe(
        "the keys of map<int> (parameter 'limits') are string, but the index is int",
      );
      expect(compileErrors("tags['a'] == 'b'", { tags: "list<string>" })[0]?.message).toBe(
        "a list index must be an int, but it is string",
      );
    });

    it("for non-bool operands of logical operators and macro conditions", () => {
      expect(compileErrors("count && flag", { count: "int", flag: "bool" })[0]?.message).toBe(
        "'&&' needs bool operands, but the left operand is int (parameter 'count')",
      );
      expect(compileErrors("tags.all(t, t)", { tags: "list<string>" })[0]?.message).toBe(
        "the condition of all() or exists() must be bool, but it is string",
      );
      expect(compileErrors("flag ? 1 : 'a'", { flag: "bool" })[0]?.message).toBe(
        "the branches of '?:' must have the same type, but they are int and string",
      );
    });

    it("once, not again in every enclosing expression", () => {
      expect(compileErrors("(count > 'x') && (count > 1)", { count: "int" })).toHaveLength(1);
    });
  });

  it("rejects number literals out of their type's range, as SpiceDB does", () => {
    expect(compileErrors("n < 9223372036854775808", { n: "int" })[0]).toEqual({
      message:
        "int literal 9223372036854775808 is out of range: an int is 64 bits (-9223372036854775808 to 9223372036854775807)",
      line: 1,
      column: 5,
    });
    expect(compileErrors("n > -9223372036854775809", { n: "int" })).toHaveLength(1);
    expect(compileErrors("n < 0x8000000000000000", { n: "int" })).toHaveLength(1);
    expect(compileErrors("n < 18446744073709551616u", { n: "uint" })[0]?.message).toContain(
      "uint literal 18446744073709551616u is out of range",
    );
    expect(compileErrors("d < 1e400", { d: "double" })[0]?.message).toContain(
      "double literal is out of range",
    );
    // The limits themselves are literals of their types.
    expect(compile("n > -9223372036854775808 && n < 9223372036854775807", { n: "int" }).ok).toBe(
      true,
    );
    expect(
      compile("n <= 18446744073709551615u && d < 1.7e308", { n: "uint", d: "double" }).ok,
    ).toBe(true);
  });

  it("rejects a parameter declared twice", () => {
    const result = compileCaveat(
      "c",
      [
        { name: "a", type: { kind: "int" } },
        { name: "a", type: { kind: "string" } },
      ],
      "a > 1",
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        { message: "parameter 'a' is declared twice; rename or remove one", line: 1, column: 1 },
      ],
    });
  });

  it("compiles the same caveat twice independently", () => {
    const a = caveat("x > 1", { x: "int" });
    const b = caveat("x > 1", { x: "double" });
    expect(a.evaluate({ x: 2 })).toEqual({ kind: "true" });
    expect(b.evaluate({ x: 1.5 })).toEqual({ kind: "true" });
  });
});
