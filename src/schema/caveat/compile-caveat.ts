// Compiling a caveat: parse its CEL, type-check it against the parameters, and plan its evaluation.

import { parse } from "@bufbuild/cel";
import { MAX_DIAGNOSTICS } from "../schema-limits.js";
import { positionAt } from "../source-span.js";
import { celTypeOf, describeCelType } from "./caveat-cel-type.js";
import { createCaveatEnv } from "./caveat-env.js";
import type { CaveatType } from "./caveat-type.js";
import { checkExpression } from "./check-expression.js";
import type { CompiledCaveat } from "./compiled-caveat.js";
import { createCompiledCaveat } from "./create-compiled-caveat.js";
import { firstTooDeep, MAX_CEL_DEPTH } from "./expression-depth.js";
import type { ParsedExpr } from "./parsed-expr.js";
import { describeSyntaxError } from "./syntax-error.js";

/** CaveatParameter is one declared parameter of a caveat. */
export interface CaveatParameter {
  readonly name: string;
  readonly type: CaveatType;
}

/**
 * CaveatCompileError is one problem with a caveat expression. Line and column are 1-based and
 * relative to the start of the expression text (column counts UTF-16 units).
 */
export interface CaveatCompileError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** CaveatCompileResult is the compiled caveat, or every error found in its expression. */
export type CaveatCompileResult =
  | { readonly ok: true; readonly caveat: CompiledCaveat }
  | { readonly ok: false; readonly errors: readonly CaveatCompileError[] };

// SpiceDB rejects longer expressions; so do we, so that schemas stay portable.
const maxExpressionLength = 100_000;
const LEADING_SPACE = /\s*/y;

/**
 * compileCaveat compiles a caveat's CEL expression against its parameters. It reports syntax
 * errors, unknown names, ill-typed operations and a result other than bool.
 */
export function compileCaveat(
  name: string,
  parameters: readonly CaveatParameter[],
  expression: string,
): CaveatCompileResult {
  // The parser places an operator node at the whitespace before the operator; point past it.
  const at = (offset: number, message: string): CaveatCompileError => {
    LEADING_SPACE.lastIndex = offset;
    const start = offset + (LEADING_SPACE.exec(expression)?.[0].length ?? 0);
    const { line, column } = positionAt(expression, Math.min(start, expression.length));
    return { message, line, column };
  };
  const failure = (...errors: CaveatCompileError[]): CaveatCompileResult => ({ ok: false, errors });

  if (expression.trim().length > maxExpressionLength) {
    return failure(
      at(0, `caveat expression is longer than ${maxExpressionLength} characters; shorten it`),
    );
  }
  const declared = new Map<string, CaveatType>();
  for (const parameter of parameters) {
    if (declared.has(parameter.name)) {
      return failure(
        at(0, `parameter '${parameter.name}' is declared twice; rename or remove one`),
      );
    }
    declared.set(parameter.name, parameter.type);
  }
  let parsed: ParsedExpr;
  try {
    parsed = parse(expression);
  } catch (error) {
    const problem = describeSyntaxError(error, expression);
    return failure(at(problem.offset, problem.message));
  }

  const tooDeep = firstTooDeep(parsed.expr);
  if (tooDeep !== undefined) {
    const offset = parsed.sourceInfo?.positions[tooDeep.id.toString()] ?? 0;
    return failure(
      at(
        offset,
        `caveat expression nests more than ${MAX_CEL_DEPTH} levels deep (each operator applied to another's result is a level); split it, or use a list and 'in'`,
      ),
    );
  }
  const env = createCaveatEnv(declared);
  const variables = new Map([...declared].map(([parameter, type]) => [parameter, celTypeOf(type)]));
  const { type, issues } = checkExpression(env, parsed.expr, variables);
  if (issues.length > 0) {
    const positions = parsed.sourceInfo?.positions ?? {};
    const errors = issues
      .map((issue) => ({ offset: positions[issue.exprId.toString()] ?? 0, message: issue.message }))
      .sort((a, b) => a.offset - b.offset)
      // One more than a schema reports, so that the report says it stopped; each costs a scan.
      .slice(0, MAX_DIAGNOSTICS + 1)
      .map((issue) => at(issue.offset, issue.message));
    return failure(...errors);
  }
  if (type.kind !== "scalar" || type.name !== "bool") {
    return failure(
      at(
        0,
        `caveat expression must return bool, but returns ${describeCelType(type)}; ` +
          "make it a condition, such as a comparison (x > 0) or a bool parameter",
      ),
    );
  }
  return { ok: true, caveat: createCompiledCaveat(name, declared, expression, env, parsed.expr) };
}
