import { describe, expect, it } from "vitest";
import { formatCaveatType, resolveCaveatType } from "../../../src/schema/caveat/caveat-type.js";
import { typeOf } from "./caveat-helpers.js";

describe("resolveCaveatType", () => {
  it.each([
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "duration",
    "timestamp",
    "ipaddress",
    "any",
  ])("resolves the scalar %s", (name) => {
    expect(resolveCaveatType(name, [])).toEqual({ kind: name });
  });

  it("resolves list and map with one type argument", () => {
    const int = { kind: "int" } as const;
    expect(resolveCaveatType("list", [int])).toEqual({ kind: "list", element: int });
    expect(resolveCaveatType("map", [int])).toEqual({ kind: "map", value: int });
  });

  it("rejects an unknown name, listing the types and suggesting the closest", () => {
    const message = resolveCaveatType("strng", []);
    expect(message).toBe(
      "unknown caveat parameter type 'strng'; expected one of int, uint, double, bool, string, " +
        "bytes, duration, timestamp, ipaddress, any, list<T>, map<T>; did you mean 'string'?",
    );
    expect(resolveCaveatType("Int64", [])).not.toContain("did you mean");
  });

  it("rejects a wrong number of type arguments", () => {
    expect(resolveCaveatType("list", [])).toBe(
      "list takes exactly one type argument, e.g. list<string>",
    );
    expect(resolveCaveatType("map", [{ kind: "string" }, { kind: "int" }])).toContain(
      "map takes exactly one type argument (the value type; map keys are always strings)",
    );
    expect(resolveCaveatType("int", [{ kind: "int" }])).toBe(
      "int takes no type arguments; write 'int' alone",
    );
  });
});

describe("formatCaveatType", () => {
  it.each(["int", "ipaddress", "list<string>", "map<int>", "list<map<string>>", "map<list<any>>"])(
    "prints %s as written",
    (text) => {
      expect(formatCaveatType(typeOf(text))).toBe(text);
    },
  );
});
