// Evaluation of a compiled caveat: context values converted by type, absent parameters unknown.

import { type CelEnv, type CelError, type CelInput, celType, isCelError } from "@bufbuild/cel";
import { describeCelType } from "./caveat-cel-type.js";
import type { CaveatType } from "./caveat-type.js";
import { convertCaveatValue } from "./caveat-value.js";
import { planProgram, unknownMarker, unknownsIn } from "./cel-program.js";
import type { CaveatContext, CaveatEvaluation, CompiledCaveat } from "./compiled-caveat.js";
import { createMissingParameters } from "./missing-parameters.js";
import type { Expr } from "./parsed-expr.js";

const decidedTrue: CaveatEvaluation = { kind: "true" };
const decidedFalse: CaveatEvaluation = { kind: "false" };

/**
 * createCompiledCaveat plans a type-checked expression and wraps it as a CompiledCaveat. Planning
 * happens once; each evaluation only converts the context and runs the plan.
 */
export function createCompiledCaveat(
  name: string,
  parameters: ReadonlyMap<string, CaveatType>,
  expression: string,
  env: CelEnv,
  expr: Expr,
): CompiledCaveat {
  const program = planProgram(env, expr);
  const names = [...parameters.keys()];
  const slots = [...parameters].map(([parameter, type], index) => ({
    parameter,
    type,
    unknown: unknownMarker(index, parameter),
  }));
  const missingParameters = createMissingParameters(env, expr, names);

  function evaluate(context: CaveatContext): CaveatEvaluation {
    const bindings: Record<string, CelInput | CelError> = Object.create(null);
    for (const { parameter, type, unknown } of slots) {
      const value = Object.hasOwn(context, parameter) ? context[parameter] : undefined;
      if (value === undefined) {
        bindings[parameter] = unknown;
        continue;
      }
      const converted = convertCaveatValue(type, value, `parameter '${parameter}'`);
      if (!converted.ok) {
        return { kind: "error", parameter, message: converted.message };
      }
      bindings[parameter] = converted.value;
    }
    const result = program(bindings);
    if (typeof result === "boolean") {
      return result ? decidedTrue : decidedFalse;
    }
    if (!isCelError(result)) {
      return {
        kind: "error",
        message: `caveat '${name}' produced ${describeCelType(celType(result))}, not bool`,
      };
    }
    // The library may drop names, or let an error outweigh an unknown, below the top: the
    // walk recovers both.
    const missing = unknownsIn(result, names);
    for (const parameter of missingParameters(bindings)) missing.add(parameter);
    if (missing.size > 0) return { kind: "missing", missing: [...missing].sort() };
    return { kind: "error", message: `caveat '${name}' failed to evaluate: ${result.message}` };
  }

  return { name, parameters, expression, evaluate };
}
