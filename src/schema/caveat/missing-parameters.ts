// Which absent parameters a caveat's undecided result depends on, as SpiceDB reports them.
//
// CEL evaluates `a || b` with both unknown to "unknown: a, b", and `(a || true) && c` to
// "unknown: c"; an unknown outweighs an error, so `(1 / 0 == 1) && a` is "unknown: a". The library
// merges such errors but drops the causes of a merged first error, so nested `&&`/`||` would lose
// names, and it lets an error outweigh an unknown below the top. This walks the expression's `&&`,
// `||` and `!` structure and evaluates each remaining subexpression with the library, combining
// outcomes the way CEL does. A subexpression left unknown (a macro, a `?:`, a call) depends on
// every absent parameter it names, as far as this walk can tell: inside it the library may have
// dropped some, and naming one too many only asks a caller for a value that was not needed.

import type { CelEnv } from "@bufbuild/cel";
import { isCelError } from "@bufbuild/cel";
import { type Bindings, type Program, planProgram, unknownsIn } from "./cel-program.js";
import { subexpressions } from "./expression-depth.js";
import type { Expr } from "./parsed-expr.js";

type Outcome = boolean | "error" | ReadonlySet<string>;

type Node =
  | { readonly kind: "and" | "or"; readonly children: readonly Node[] }
  | { readonly kind: "not"; readonly child: Node }
  | { readonly kind: "leaf"; readonly program: Program; readonly names: readonly string[] };

/** MissingParameters lists the absent parameters an undecided result depends on. */
export type MissingParameters = (bindings: Bindings) => ReadonlySet<string>;

/** createMissingParameters prepares the walk for one expression; `names` are the parameters. */
export function createMissingParameters(
  env: CelEnv,
  expr: Expr,
  names: readonly string[],
): MissingParameters {
  const root = structure(env, expr, new Set(names));
  return (bindings) => {
    const outcome = evaluate(root, bindings, names);
    return typeof outcome === "object" ? outcome : new Set();
  };
}

function structure(env: CelEnv, expr: Expr, parameters: ReadonlySet<string>): Node {
  const kind = expr.exprKind;
  if (kind.case === "callExpr" && kind.value.target === undefined) {
    const { function: name, args } = kind.value;
    if (name === "_&&_" || name === "_||_") {
      return {
        kind: name === "_&&_" ? "and" : "or",
        children: args.map((a) => structure(env, a, parameters)),
      };
    }
    const [operand] = args;
    if (name === "!_" && args.length === 1 && operand !== undefined) {
      return { kind: "not", child: structure(env, operand, parameters) };
    }
  }
  return { kind: "leaf", program: planProgram(env, expr), names: namedIn(expr, parameters) };
}

/** namedIn lists the parameters an expression names (a macro's variable may shadow one: then too). */
function namedIn(expr: Expr, parameters: ReadonlySet<string>): string[] {
  const named = new Set<string>();
  const pending = [expr];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const kind = node.exprKind;
    if (kind.case === "identExpr" && parameters.has(kind.value.name)) named.add(kind.value.name);
    pending.push(...subexpressions(node));
  }
  return [...named];
}

function evaluate(node: Node, bindings: Bindings, names: readonly string[]): Outcome {
  switch (node.kind) {
    case "leaf": {
      const result = node.program(bindings);
      if (typeof result === "boolean") {
        return result;
      }
      const unknown = isCelError(result) ? unknownsIn(result, names) : new Set<string>();
      if (unknown.size === 0) return "error";
      for (const name of node.names) if (isCelError(bindings[name])) unknown.add(name);
      return unknown;
    }
    case "not": {
      const outcome = evaluate(node.child, bindings, names);
      return typeof outcome === "boolean" ? !outcome : outcome;
    }
    default: {
      const outcomes = node.children.map((child) => evaluate(child, bindings, names));
      const absorbing = node.kind === "or";
      if (outcomes.includes(absorbing)) {
        return absorbing;
      }
      const unknown = new Set(outcomes.flatMap((o) => (typeof o === "object" ? [...o] : [])));
      if (unknown.size > 0) {
        return unknown;
      }
      return outcomes.includes("error") ? "error" : !absorbing;
    }
  }
}
