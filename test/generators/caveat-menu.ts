// The fixed menu of caveats generated schemas draw from, and arbitraries of well-typed parameter values.

import fc from "fast-check";
import type { CaveatType } from "../../src/schema/caveat/caveat-type.js";

/** MenuCaveat is a caveat declaration, ready to paste into a schema. */
export interface MenuCaveat {
  readonly name: string;
  readonly declaration: string;
}

/**
 * CAVEAT_MENU lists the caveats a generated schema may declare. Their parameter names are all
 * distinct, their expressions never fail on well-typed values, and `vip_or_tier` decides without
 * `tier` when `vip` is true, so partial contexts give both decided and undecided results.
 * `office_hours` reads `now`, which the engine fills with the server's time when no context gives
 * it: at 12:00, the hour of `fixedNow`, it holds for `opens` up to 3.
 */
export const CAVEAT_MENU: readonly MenuCaveat[] = [
  {
    name: "within_limit",
    declaration: "caveat within_limit(limit int, amount int) {\n  amount < limit\n}",
  },
  {
    name: "has_tag",
    declaration: "caveat has_tag(tag string, tags list<string>) {\n  tag in tags\n}",
  },
  { name: "flag_on", declaration: "caveat flag_on(flag bool) {\n  flag\n}" },
  {
    name: "vip_or_tier",
    declaration: "caveat vip_or_tier(vip bool, tier int) {\n  vip || tier > 2\n}",
  },
  {
    name: "office_hours",
    declaration:
      "caveat office_hours(now timestamp, opens int) {\n  now.getHours() >= 9 + opens && now.getHours() < 17\n}",
  },
];

/** Times on both sides of the hours `office_hours` reads, on the day of `fixedNow`. */
const TIMES = [
  "2025-06-01T08:59:59Z",
  "2025-06-01T09:00:00Z",
  "2025-06-01T16:59:59.999Z",
  "2025-06-01T17:00:00Z",
];

const WORDS = ["red", "green", "blue"];

/**
 * caveatValue generates JSON values of a parameter type, from small domains so that comparisons
 * and membership tests come out both ways. It supports the types the menu uses, plus the other
 * plain JSON ones, and throws on the rest.
 */
export function caveatValue(type: CaveatType): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case "int":
    case "uint":
      return fc.integer({ min: 0, max: 5 });
    case "double":
      return fc.constantFrom(0, 0.5, 2.5);
    case "bool":
      return fc.boolean();
    case "string":
      return fc.constantFrom(...WORDS);
    case "timestamp":
      return fc.constantFrom(...TIMES);
    case "list":
      return fc.array(caveatValue(type.element), { maxLength: 3 });
    case "map":
      return fc.dictionary(fc.constantFrom(...WORDS), caveatValue(type.value), { maxKeys: 3 });
    default:
      throw new Error(`caveatValue: no generator for parameter type '${type.kind}'`);
  }
}

/**
 * caveatContext generates contexts over the given parameters: empty, partial or full, each value
 * of its parameter's type.
 */
export function caveatContext(
  parameters: ReadonlyMap<string, CaveatType>,
): fc.Arbitrary<Record<string, unknown>> {
  const values = Object.fromEntries(
    [...parameters].map(([name, type]) => [name, caveatValue(type)] as const),
  );
  return fc.oneof(
    fc.constant({}),
    fc.record(values, { requiredKeys: [] }),
    fc.record(values),
  ) as fc.Arbitrary<Record<string, unknown>>;
}
