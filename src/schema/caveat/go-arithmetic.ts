// Integer division and remainder as SpiceDB's cel-go computes them, where the CEL library differs:
// its remainder of the least int by -1 was 0 (cel-go: an overflow error, as the quotient is), and
// its uint quotient had to fit an int (18446744073709551615u / 1u was an overflow error).

import { type CelFunc, CelScalar, type CelUint, celFunc, celUint } from "@bufbuild/cel";
import { MIN_INT } from "./go-strconv.js";

const { INT, UINT } = CelScalar;

/** goArithmetic replaces the library's int remainder and uint quotient. */
export const goArithmetic: readonly CelFunc[] = [
  celFunc("_%_", [INT, INT], INT, (l: bigint, r: bigint) => {
    if (r === 0n) throw new Error("modulus by zero");
    if (l === MIN_INT && r === -1n) throw new Error("integer overflow");
    return l % r;
  }),
  celFunc("_/_", [UINT, UINT], UINT, (l: CelUint, r: CelUint) => {
    if (r.value === 0n) throw new Error("divide by zero");
    return celUint(l.value / r.value);
  }),
];
