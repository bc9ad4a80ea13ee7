// How deep a parsed CEL expression nests, measured without recursion: every later pass recurses.

import type { Expr } from "./parsed-expr.js";

/**
 * MAX_CEL_DEPTH bounds the nesting of a caveat's expression tree, as cel-go's parser bounds its
 * recursion (250 by default). `a + b + c` nests two deep: operators associate to the left.
 */
export const MAX_CEL_DEPTH = 250;

/** firstTooDeep returns the first node nested deeper than {@link MAX_CEL_DEPTH}, if any. */
export function firstTooDeep(root: Expr): Expr | undefined {
  const pending: { node: Expr; depth: number }[] = [{ node: root, depth: 1 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (item.depth > MAX_CEL_DEPTH) return item.node;
    for (const child of subexpressions(item.node))
      pending.push({ node: child, depth: item.depth + 1 });
  }
  return undefined;
}

/** subexpressions lists the expressions a node applies to: its operands, arguments and parts. */
export function subexpressions(node: Expr): Expr[] {
  const kind = node.exprKind;
  const present = (...nodes: (Expr | undefined)[]) => nodes.filter((n) => n !== undefined);
  switch (kind.case) {
    case "selectExpr":
      return present(kind.value.operand);
    case "callExpr":
      return present(kind.value.target, ...kind.value.args);
    case "listExpr":
      return kind.value.elements;
    case "structExpr":
      return kind.value.entries.flatMap((entry) =>
        present(entry.keyKind.case === "mapKey" ? entry.keyKind.value : undefined, entry.value),
      );
    case "comprehensionExpr": {
      const c = kind.value;
      return present(c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result);
    }
    default:
      return [];
  }
}
