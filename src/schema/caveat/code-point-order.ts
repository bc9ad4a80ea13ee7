// String ordering by Unicode code points, as CEL (and SpiceDB's cel-go) orders strings.
//
// The CEL library compares strings with JavaScript's `<`, which orders UTF-16 code units: a
// character above U+FFFF (a surrogate pair, 0xD800–0xDFFF) then sorts below U+E000–U+FFFF, so
// `"\uffff" > "😀"` was true where SpiceDB says false, and a caveat's comparison could allow
// what SpiceDB denies.

import { type CelFunc, CelScalar, celFunc } from "@bufbuild/cel";

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

const { BOOL, STRING } = CelScalar;

/** codePointComparisons replaces the library's `<`, `<=`, `>`, `>=` on two strings. */
export const codePointComparisons: readonly CelFunc[] = [
  celFunc("_<_", [STRING, STRING], BOOL, (l: string, r: string) => compareCodePoints(l, r) < 0),
  celFunc("_<=_", [STRING, STRING], BOOL, (l: string, r: string) => compareCodePoints(l, r) <= 0),
  celFunc("_>_", [STRING, STRING], BOOL, (l: string, r: string) => compareCodePoints(l, r) > 0),
  celFunc("_>=_", [STRING, STRING], BOOL, (l: string, r: string) => compareCodePoints(l, r) >= 0),
];
