// Which absent parameters a caveat's undecided result depends on, as SpiceDB reports them.
//
// CEL evaluates `a || b` with both unknown to "unknown: a, b", and `(a || true) && c` to
// "unknown: c". The library merges such errors but drops the causes of a merged first error, so
// nested `&&`/`||` would lose names. This walks the expression's `&&`, `||` and `!` structure and
// evaluates each remaining subexpression with the library, combining outcomes the way CEL does.

import type { CelEnv } from "@bufbuild/cel";
import { isCelError } from "@bufbuild/cel";
import { type Bindings, type Program, planProgram, unknownsIn } from "./cel-program.js";
import type { Expr } from "./parsed-expr.js";

type Outcome = boolean | "error" | ReadonlySet<string>;

type Node =
  | { readonly kind: "and" | "or"; readonly children: readonly Node[] }
  | { readonly kind: "not"; readonly child: Node }
  | { readonly kind: "leaf"; readonly program: Program };

/** MissingParameters lists the absent parameters an undecided result depends on. */
export type MissingParameters = (bindings: Bindings) => ReadonlySet<string>;

/** createMissingParameters prepares the walk for one expression; `names` are the parameters. */
export function createMissingParameters(
  env: CelEnv,
  expr: Expr,
  names: readonly string[],
): MissingParameters {
  const root = structure(env, expr);
  return (bindings) => {
    const outcome = evaluate(root, bindings, names);
    return typeof outcome === "object" ? outcome : new Set();
  };
}

function structure(env: CelEnv, expr: Expr): Node {
  const kind = expr.exprKind;
  if (kind.case === "callExpr" && kind.value.target === undefined) {
    const { function: name, args } = kind.value;
    if (name === "_&&_" || name === "_||_") {
      return { kind: name === "_&&_" ? "and" : "or", children: args.map((a) => structure(env, a)) };
    }
    const [operand] = args;
    if (name === "!_" && args.length === 1 && operand !== undefined) {
      return { kind: "not", child: structure(env, operand) };
    }
  }
  return { kind: "leaf", program: planProgram(env, expr) };
}

function evaluate(node: Node, bindings: Bindings, names: readonly string[]): Outcome {
  switch (node.kind) {
    case "leaf": {
      const result = node.program(bindings);
      if (typeof result === "boolean") {
        return result;
      }
      const unknown = isCelError(result) ? unknownsIn(result, names) : new Set<string>();
      return unknown.size > 0 ? unknown : "error";
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
