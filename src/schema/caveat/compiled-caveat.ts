// The compiled form of a caveat: what the engine evaluates on each relationship that carries it.

import type { CaveatType } from "./caveat-type.js";

/** CaveatContext holds parameter values as JSON values (from a request's Struct or a relationship). */
export type CaveatContext = Readonly<Record<string, unknown>>;

/** CaveatEvaluation is the outcome of evaluating a caveat against a context. */
export type CaveatEvaluation =
  | { readonly kind: "true" }
  | { readonly kind: "false" }
  /** The result depends on parameters the context lacks; `missing` lists them, sorted. */
  | { readonly kind: "missing"; readonly missing: readonly string[] }
  /** A context value has the wrong type, or the expression failed at run time. */
  | { readonly kind: "error"; readonly parameter?: string; readonly message: string };

/** CompiledCaveat is a type-checked caveat, ready to evaluate. */
export interface CompiledCaveat {
  readonly name: string;
  /** Parameters in declaration order. */
  readonly parameters: ReadonlyMap<string, CaveatType>;
  /** The CEL source, as written in the schema. */
  readonly expression: string;
  /** evaluate runs the expression with the context; absent parameters are unknown, not defaults. */
  evaluate(context: CaveatContext): CaveatEvaluation;
}
