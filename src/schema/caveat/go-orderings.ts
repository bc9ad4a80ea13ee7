// The orderings (<, <=, >, >=) that SpiceDB's cel-go gives and the CEL library does not.
//
// Strings: the library compares them with JavaScript's `<`, which orders UTF-16 code units: a
// character above U+FFFF (a surrogate pair, 0xD800–0xDFFF) then sorts below U+E000–U+FFFF, so
// `"\uffff" > "😀"` was true where SpiceDB says false. cel-go orders code points.
// NaN: the library answers false to every ordering with NaN, so `!(x < 1.0)` was true for a NaN
// x; cel-go refuses to order NaN, an evaluation error.

import { type CelFunc, CelScalar, type CelUint, celFunc } from "@bufbuild/cel";

/**
 * compareCodePoints orders two strings by their code points: negative when a sorts first, zero
 * when equal, positive when b does.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const left = a.charCodeAt(i);
    const right = b.charCodeAt(i);
    if (left !== right) return codePointRank(left) - codePointRank(right);
  }
  return a.length - b.length;
}

/**
 * codePointRank moves surrogates (which only encode code points above U+FFFF) above the code
 * units U+E000–U+FFFF, so that the first differing code units of two strings order them as
 * their code points do.
 */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

const { BOOL, DOUBLE, INT, STRING, UINT } = CelScalar;

/** The orderings, each as the test of a comparison's sign. */
const ORDERINGS: readonly [string, (sign: number) => boolean][] = [
  ["_<_", (sign) => sign < 0],
  ["_<=_", (sign) => sign <= 0],
  ["_>_", (sign) => sign > 0],
  ["_>=_", (sign) => sign >= 0],
];

/** The pairs of number types with a double on either side, which the library orders as numbers. */
const WITH_DOUBLE = [
  [DOUBLE, DOUBLE],
  [INT, DOUBLE],
  [DOUBLE, INT],
  [UINT, DOUBLE],
  [DOUBLE, UINT],
] as const;

type NumberValue = number | bigint | CelUint;

/**
 * compareWithDouble compares two numbers, one of them a double, as the library does (as
 * doubles), but throws when either is NaN: an evaluation error, as cel-go's.
 */
function compareWithDouble(left: NumberValue, right: NumberValue): number {
  const l = asDouble(left);
  const r = asDouble(right);
  if (Number.isNaN(l) || Number.isNaN(r)) throw new Error("NaN values cannot be ordered");
  return l < r ? -1 : l > r ? 1 : 0;
}

function asDouble(value: NumberValue): number {
  return typeof value === "object" ? Number(value.value) : Number(value);
}

/** goOrderings replaces the library's orderings of two strings and of numbers with a double. */
export const goOrderings: readonly CelFunc[] = ORDERINGS.flatMap(([operator, holds]) => [
  celFunc(operator, [STRING, STRING], BOOL, (l: string, r: string) =>
    holds(compareCodePoints(l, r)),
  ),
  ...WITH_DOUBLE.map(([left, right]) =>
    celFunc(operator, [left, right], BOOL, (l: NumberValue, r: NumberValue) =>
      holds(compareWithDouble(l, r)),
    ),
  ),
]);
