import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caveat } from "./caveat-helpers.js";

// A reference for CEL's logic over unknowns (as cel-go's partial evaluation computes it): a value is
// true, false, or the set of absent parameters it depends on; && and || are commutative and an
// absent operand is absorbed when the other one decides the result.

type Formula =
  | { readonly kind: "bool"; readonly name: string }
  | { readonly kind: "more"; readonly limit: number }
  | { readonly kind: "not"; readonly operand: Formula }
  | { readonly kind: "and" | "or"; readonly left: Formula; readonly right: Formula };

type Value = boolean | ReadonlySet<string>;

interface Context {
  readonly a?: boolean;
  readonly b?: boolean;
  readonly c?: boolean;
  readonly n?: number;
}

const formula = fc.letrec<{ formula: Formula }>((tie) => ({
  formula: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ kind: fc.constant("bool" as const), name: fc.constantFrom("a", "b", "c") }),
    fc.record({ kind: fc.constant("more" as const), limit: fc.integer({ min: -2, max: 2 }) }),
    fc.record({ kind: fc.constant("not" as const), operand: tie("formula") }),
    fc.record({
      kind: fc.constantFrom("and" as const, "or" as const),
      left: tie("formula"),
      right: tie("formula"),
    }),
  ),
})).formula;

const context = fc.record(
  { a: fc.boolean(), b: fc.boolean(), c: fc.boolean(), n: fc.integer({ min: -3, max: 3 }) },
  { requiredKeys: [] },
);

function render(f: Formula): string {
  switch (f.kind) {
    case "bool":
      return f.name;
    case "more":
      return `n > ${f.limit}`;
    case "not":
      return `!(${render(f.operand)})`;
    default:
      return `(${render(f.left)} ${f.kind === "and" ? "&&" : "||"} ${render(f.right)})`;
  }
}

function reference(f: Formula, ctx: Context): Value {
  switch (f.kind) {
    case "bool":
      return ctx[f.name as "a" | "b" | "c"] ?? new Set([f.name]);
    case "more":
      return ctx.n === undefined ? new Set(["n"]) : ctx.n > f.limit;
    case "not": {
      const value = reference(f.operand, ctx);
      return typeof value === "boolean" ? !value : value;
    }
    default: {
      const absorbing = f.kind === "or";
      const values = [reference(f.left, ctx), reference(f.right, ctx)];
      if (values.includes(absorbing)) {
        return absorbing;
      }
      const unknown = values.flatMap((v) => (typeof v === "boolean" ? [] : [...v]));
      return unknown.length > 0 ? new Set(unknown) : !absorbing;
    }
  }
}

describe("evaluation with absent parameters", () => {
  it("agrees with CEL's three-valued logic, listing exactly the parameters that matter", () => {
    const parameters = { a: "bool", b: "bool", c: "bool", n: "int" };
    fc.assert(
      fc.property(formula, context, (f, ctx) => {
        const expected = reference(f, ctx);
        const actual = caveat(render(f), parameters).evaluate(ctx);
        if (typeof expected === "boolean") {
          expect(actual).toEqual({ kind: String(expected) });
        } else {
          expect(actual).toEqual({ kind: "missing", missing: [...expected].sort() });
        }
      }),
      { numRuns: 300 },
    );
  });
});
