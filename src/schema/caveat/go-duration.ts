// Duration strings in Go's time.ParseDuration syntax ("1h30m", "90s", "-1.5h"), as SpiceDB accepts.

import { create } from "@bufbuild/protobuf";
import { type Duration, DurationSchema } from "@bufbuild/protobuf/wkt";

const nanosPerUnit: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n,
  "\u03bcs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const segment = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;
const maxNanos = 2n ** 63n - 1n;

/** parseGoDuration parses a Go duration string, or returns a message saying why it is not one. */
export function parseGoDuration(text: string): Duration | string {
  const negative = text.startsWith("-");
  let rest = text.startsWith("-") || text.startsWith("+") ? text.slice(1) : text;
  if (rest === "0") {
    return create(DurationSchema, {});
  }
  if (rest === "") {
    return "it is empty";
  }
  let nanos = 0n;
  while (rest !== "") {
    const match = segment.exec(rest);
    if (match === null || (match[1] === "" && (match[2] ?? "") === "")) {
      return "expected a sequence of numbers with units, such as 1h30m or 90s";
    }
    const [whole, integer, fraction = "", unit = ""] = match;
    const factor = nanosPerUnit[unit];
    if (factor === undefined) {
      return `unknown unit '${unit}'; use ns, us, ms, s, m or h`;
    }
    nanos += BigInt(integer || "0") * factor;
    nanos += (BigInt(fraction || "0") * factor) / 10n ** BigInt(fraction.length);
    if (nanos > maxNanos + (negative ? 1n : 0n)) {
      return "it is out of range (at most about 292 years)";
    }
    rest = rest.slice(whole.length);
  }
  const signed = negative ? -nanos : nanos;
  return create(DurationSchema, {
    seconds: signed / 1_000_000_000n,
    nanos: Number(signed % 1_000_000_000n),
  });
}
