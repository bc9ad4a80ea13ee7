// Planned CEL programs over caveat bindings, where an absent parameter is bound to an "unknown".

import {
  type CelEnv,
  type CelError,
  type CelInput,
  type CelResult,
  celError,
  isCelError,
  plan,
} from "@bufbuild/cel";
import type { Expr } from "./parsed-expr.js";

/** Bindings maps each parameter to its value, or to the unknown marker when it is absent. */
export type Bindings = Readonly<Record<string, CelInput | CelError>>;

/** Program evaluates a planned expression against bindings. */
export type Program = (bindings: Bindings) => CelResult;

/**
 * planProgram plans an expression. Bound errors propagate like any CEL error, so `||` and `&&`
 * absorb them when the other side decides the result. The library's activation accepts error
 * values, though the declared binding type leaves them out; hence the cast.
 */
export function planProgram(env: CelEnv, expr: Expr): Program {
  return plan(env, expr) as unknown as Program;
}

/**
 * unknownMarker is the value bound to the absent parameter at `index`. Its expression id is
 * negative, which no parsed expression uses, so it is recognizable after propagation.
 */
export function unknownMarker(index: number, name: string): CelError {
  return celError(`no value for parameter '${name}'`, -(index + 1));
}

/**
 * unknownsIn lists the absent parameters an error result stems from. Merged errors keep the first
 * error's id and the others as their cause; a merge of merges loses some, which callers recover.
 */
export function unknownsIn(
  error: CelError,
  names: readonly string[],
  into = new Set<string>(),
): Set<string> {
  const id = error.exprId;
  const name = id !== undefined && id < 0n ? names[Number(-id) - 1] : undefined;
  if (name !== undefined) {
    into.add(name);
  }
  if (Array.isArray(error.cause)) {
    for (const cause of error.cause) {
      if (isCelError(cause)) {
        unknownsIn(cause, names, into);
      }
    }
  }
  return into;
}
