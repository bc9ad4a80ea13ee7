// Test helpers: declare caveat parameters the way a schema writes them ("list<int>").

import { type CaveatType, resolveCaveatType } from "../../../src/schema/caveat/caveat-type.js";
import {
  type CaveatCompileResult,
  compileCaveat,
} from "../../../src/schema/caveat/compile-caveat.js";
import type { CompiledCaveat } from "../../../src/schema/caveat/compiled-caveat.js";

/** typeOf parses a schema type such as `map<list<int>>`, throwing on an invalid one. */
export function typeOf(text: string): CaveatType {
  const match = /^(\w+)(?:<(.*)>)?$/.exec(text.trim());
  if (match === null) {
    throw new Error(`bad type ${text}`);
  }
  const [, name = "", argument] = match;
  const resolved = resolveCaveatType(name, argument === undefined ? [] : [typeOf(argument)]);
  if (typeof resolved === "string") {
    throw new Error(resolved);
  }
  return resolved;
}

/** compile compiles an expression with parameters given as `{ name: "type" }`. */
export function compile(
  expression: string,
  parameters: Record<string, string> = {},
): CaveatCompileResult {
  const declared = Object.entries(parameters).map(([name, type]) => ({ name, type: typeOf(type) }));
  return compileCaveat("test_caveat", declared, expression);
}

/** caveat compiles an expression that must be valid. */
export function caveat(
  expression: string,
  parameters: Record<string, string> = {},
): CompiledCaveat {
  const result = compile(expression, parameters);
  if (!result.ok) {
    throw new Error(result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join("\n"));
  }
  return result.caveat;
}

/** compileErrors compiles an expression that must be invalid, and returns its errors. */
export function compileErrors(expression: string, parameters: Record<string, string> = {}) {
  const result = compile(expression, parameters);
  if (result.ok) {
    throw new Error(`expected '${expression}' not to compile`);
  }
  return result.errors;
}
