// Kleene three-valued truth for the reference evaluator: true, false, or unknown awaiting caveat parameters.

/**
 * Truth is a three-valued answer. `unknown` carries the caveat parameters it awaits: the union of
 * the missing names of every unknown operand that the result still depends on. `false` says
 * whether a caveat that evaluated false decided it (`byCondition`): a false caveat is so; a
 * disjunction is when one of its terms is; a conjunction when all of its false terms are; a
 * negation never is.
 */
export type Truth =
  | { readonly kind: "true" }
  | { readonly kind: "false"; readonly byCondition: boolean }
  | { readonly kind: "unknown"; readonly missing: ReadonlySet<string> };

/** TRUE is the decided true value. */
export const TRUE: Truth = { kind: "true" };

/** FALSE is the decided false value, for want of anything that grants. */
export const FALSE: Truth = { kind: "false", byCondition: false };

/** FALSE_BY_CONDITION is the value of a caveat that evaluated false. */
export const FALSE_BY_CONDITION: Truth = { kind: "false", byCondition: true };

/** unknown makes the undecided value awaiting the given parameter names. */
export function unknown(missing: Iterable<string>): Truth {
  return { kind: "unknown", missing: new Set(missing) };
}

/** or is Kleene disjunction: true if any term is true, else unknown if any is, else false. */
export function or(terms: readonly Truth[]): Truth {
  if (terms.some((t) => t.kind === "true")) return TRUE;
  return undecidedOr(terms, terms.some(isByCondition) ? FALSE_BY_CONDITION : FALSE);
}

/** and is Kleene conjunction: false if any term is false, else unknown if any is, else true. */
export function and(terms: readonly Truth[]): Truth {
  const falses = terms.filter((t) => t.kind === "false");
  if (falses.length > 0) return falses.every(isByCondition) ? FALSE_BY_CONDITION : FALSE;
  return undecidedOr(terms, TRUE);
}

/** not is Kleene negation: it swaps true and false and keeps unknown as it is. */
export function not(term: Truth): Truth {
  if (term.kind === "unknown") return term;
  return term.kind === "true" ? FALSE : TRUE;
}

/** sameTruth says whether two values are equal, missing names and false's cause included. */
export function sameTruth(a: Truth, b: Truth): boolean {
  if (a.kind === "false" && b.kind === "false") return a.byCondition === b.byCondition;
  if (a.kind !== "unknown" || b.kind !== "unknown") return a.kind === b.kind;
  return a.missing.size === b.missing.size && [...a.missing].every((m) => b.missing.has(m));
}

/** Unknown (with every unknown term's missing names) when some term is unknown, else `decided`. */
function undecidedOr(terms: readonly Truth[], decided: Truth): Truth {
  const unknowns = terms.flatMap((t) => (t.kind === "unknown" ? [t] : []));
  if (unknowns.length === 0) return decided;
  return unknown(unknowns.flatMap((t) => [...t.missing]));
}

function isByCondition(term: Truth): boolean {
  return term.kind === "false" && term.byCondition;
}
