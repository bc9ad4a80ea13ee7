// Names for the parts of a parsed CEL expression, taken from the library's public `parse`.

import type { parse } from "@bufbuild/cel";

/** ParsedExpr is what `parse` returns: the expression tree and its source positions. */
export type ParsedExpr = ReturnType<typeof parse>;

/** Expr is one node of a parsed expression. */
export type Expr = ParsedExpr["expr"];

type Kind<C extends NonNullable<Expr["exprKind"]["case"]>> = Extract<
  Expr["exprKind"],
  { case: C }
>["value"];

/** Constant is a literal node's value. */
export type Constant = Kind<"constExpr">;

/** Select is a field selection `a.b`, or a presence test `has(a.b)`. */
export type Select = Kind<"selectExpr">;

/** Call is a function, method or operator call. */
export type Call = Kind<"callExpr">;

/** Struct is a map literal (or a message construction, which caveats do not support). */
export type Struct = Kind<"structExpr">;

/** Comprehension is the expansion of a macro such as `all`, `exists` or `map`. */
export type Comprehension = Kind<"comprehensionExpr">;
