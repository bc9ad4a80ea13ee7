// Checks a caveat declaration: parameter names and types, and its CEL, with errors placed in the schema.

import type { CaveatAst, CaveatTypeAst } from "./ast.js";
import { type CaveatType, resolveCaveatType } from "./caveat/caveat-type.js";
import { compileCaveat } from "./caveat/compile-caveat.js";
import type { CompiledCaveat } from "./caveat/compiled-caveat.js";
import type { Diagnostic } from "./diagnostic.js";
import type { Position, Span } from "./source-span.js";

/** PARAMETER_NAME is the form of a caveat parameter's name: letters, digits and '_', no digit first. */
export const PARAMETER_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** CaveatCheckResult holds a caveat's diagnostics and, when it has none, the compiled caveat. */
export interface CaveatCheckResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly caveat?: CompiledCaveat;
}

/** checkCaveat type-checks one caveat declaration and compiles its expression. */
export function checkCaveat(caveat: CaveatAst): CaveatCheckResult {
  const diagnostics: Diagnostic[] = [];
  const parameters: { name: string; type: CaveatType }[] = [];
  const seen = new Map<string, Span>();
  for (const parameter of caveat.parameters) {
    const name = parameter.name.value;
    const earlier = seen.get(name);
    if (earlier) {
      diagnostics.push({
        code: "duplicate-name",
        message: `parameter '${name}' of caveat '${caveat.name.value}' is already declared at ${earlier.start.line}:${earlier.start.column}; rename or remove one`,
        span: parameter.name.span,
      });
      continue;
    }
    seen.set(name, parameter.name.span);
    if (!PARAMETER_NAME.test(name)) {
      diagnostics.push({
        code: "invalid-name",
        message: `invalid parameter name '${name}' in caveat '${caveat.name.value}': use letters, digits and '_', not starting with a digit`,
        span: parameter.name.span,
      });
    }
    const type = resolveType(parameter.type, diagnostics);
    if (type) parameters.push({ name, type });
  }
  if (diagnostics.length > 0) return { diagnostics };

  const { text, span } = caveat.expressionSource;
  const compiled = compileCaveat(caveat.name.value, parameters, text);
  if (compiled.ok) return { diagnostics, caveat: compiled.caveat };
  for (const error of compiled.errors) {
    const start = positionInBody(text, span.start, error.line, error.column);
    diagnostics.push({
      code: "caveat-expression",
      message: `in caveat '${caveat.name.value}': ${error.message}`,
      span: { start, end: start },
    });
  }
  return { diagnostics };
}

function resolveType(type: CaveatTypeAst, diagnostics: Diagnostic[]): CaveatType | undefined {
  const args: CaveatType[] = [];
  for (const argument of type.arguments) {
    const resolved = resolveType(argument, diagnostics);
    if (!resolved) return undefined;
    args.push(resolved);
  }
  const resolved = resolveCaveatType(type.name.value, args);
  if (typeof resolved === "string") {
    diagnostics.push({ code: "caveat-type", message: resolved, span: type.span });
    return undefined;
  }
  return resolved;
}

/** positionInBody maps a 1-based line and column inside the CEL text to a position in the schema. */
function positionInBody(body: string, bodyStart: Position, line: number, column: number): Position {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const newline = body.indexOf("\n", offset);
    if (newline < 0) break;
    offset = newline + 1;
  }
  offset = Math.min(body.length, offset + column - 1);
  const before = body.slice(0, offset);
  const lines = before.split("\n");
  const lastLine = lines.at(-1) ?? "";
  return {
    line: bodyStart.line + lines.length - 1,
    column: lines.length === 1 ? bodyStart.column + lastLine.length : lastLine.length + 1,
    offset: bodyStart.offset + offset,
  };
}
