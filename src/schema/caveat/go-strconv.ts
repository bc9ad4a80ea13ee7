// Numbers read from and written as text the way Go's strconv does, which is what SpiceDB's CEL
// conversions (int(s), double(s), string(d), ...) use. JavaScript's own readers are laxer (BigInt
// and Number take "", " 1" and "0x10") and its writer differs (1e21 against Go's "1e+21").

/** MIN_INT and MAX_INT bound a CEL int (Go's int64); MAX_UINT bounds a uint (uint64). */
export const MIN_INT = -(2n ** 63n);
export const MAX_INT = 2n ** 63n - 1n;
export const MAX_UINT = 2n ** 64n - 1n;

/** parseGoInt reads a base-10 int64 with an optional sign (Go's ParseInt(s, 10, 64)), or undefined. */
export function parseGoInt(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < MIN_INT || value > MAX_INT ? undefined : value;
}

/** parseGoUint reads a base-10 uint64, no sign (Go's ParseUint(s, 10, 64)), or undefined. */
export function parseGoUint(text: string): bigint | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value > MAX_UINT ? undefined : value;
}

/** Digits with single underscores between them (Go allows them as separators in a float). */
const DIGITS = "[0-9](?:_?[0-9])*";
const HEX_DIGITS = "[0-9a-fA-F](?:_?[0-9a-fA-F])*";
const DECIMAL = new RegExp(
  `^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`,
);
/** A hexadecimal float: 0x, hex digits (an underscore may follow the prefix), a binary exponent. */
const HEX = new RegExp(
  `^([+-]?)0[xX]_?(?:(${HEX_DIGITS})(?:\\.(${HEX_DIGITS})?)?|\\.(${HEX_DIGITS}))[pP]([+-]?${DIGITS})$`,
);
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/**
 * parseGoFloat reads a float64 as Go's ParseFloat(s, 64) does: decimal or hexadecimal (with a
 * `p` exponent), underscores between digits, "inf"/"infinity" (signed) and "nan" in any case.
 * It returns undefined for anything else, and for a finite number too large for a float64.
 */
export function parseGoFloat(text: string): number | undefined {
  if (/^nan$/i.test(text)) return Number.NaN;
  const infinite = INFINITY.exec(text);
  if (infinite !== null) return infinite[1] === "-" ? -Infinity : Infinity;
  let value: number;
  if (DECIMAL.test(text)) {
    value = Number(text.replaceAll("_", ""));
  } else {
    const hex = HEX.exec(text);
    if (hex === null) return undefined;
    value = hexFloat(hex);
  }
  return Number.isFinite(value) ? value : undefined;
}

/** hexFloat is the value of a hexadecimal float HEX matched: its mantissa scaled by 2^exponent. */
function hexFloat(match: RegExpExecArray): number {
  const [, sign, whole, fraction = "", bare, exponent = "0"] = match;
  const fractionDigits = (bare ?? fraction).replaceAll("_", "");
  const mantissa = BigInt(`0x${(whole ?? "").replaceAll("_", "")}${fractionDigits}`);
  const scale = Number(exponent.replaceAll("_", "")) - 4 * fractionDigits.length;
  const magnitude = Number(mantissa) * 2 ** scale;
  return sign === "-" ? -magnitude : magnitude;
}

/**
 * formatGoFloat writes value as Go's FormatFloat(value, format, -1, 64) does: the fewest digits
 * that read back as the same float64; "f" in plain decimal, "g" in plain decimal unless its
 * exponent is below -4 or at least 6 (then "1.5e+06", the exponent of two digits at least).
 * NaN and the infinities are "NaN", "+Inf" and "-Inf".
 */
export function formatGoFloat(value: number, format: "f" | "g"): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  // toExponential() gives the shortest digits that read back as value: "d.ddde±x".
  const [mantissa = "", exponentText = "0"] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  if (format === "g" && (exponent < -4 || exponent >= 6)) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const power = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? "-" : "+"}${power}`;
  }
  return sign + plainDecimal(digits, exponent + 1);
}

/** plainDecimal writes digits with the decimal point after the first `point` of them. */
function plainDecimal(digits: string, point: number): string {
  if (point <= 0) return `0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + "0".repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
