// CEL's type conversions as SpiceDB's cel-go makes them, where the CEL library's differ.
//
// Each differed in a way a caveat could turn into a wrong answer: int("") was 0, double(" 1")
// was 1 and duration("") was 0s (cel-go: errors); bool("T") was an error (cel-go: true);
// int(duration("1.9s")) was 1 (cel-go: its nanoseconds); timestamp(1748764800) read
// milliseconds (cel-go: seconds, so a comparison with a date came out the other way); and
// string() of a double, duration or timestamp wrote other text than cel-go ("1000000" for
// "1e+06").

import { type CelFunc, CelScalar, celFunc, celUint, objectType } from "@bufbuild/cel";
import { create } from "@bufbuild/protobuf";
import {
  type Duration,
  DurationSchema,
  type Timestamp,
  TimestampSchema,
} from "@bufbuild/protobuf/wkt";
import { parseGoDuration } from "./go-duration.js";
import { formatGoFloat, parseGoFloat, parseGoInt, parseGoUint } from "./go-strconv.js";

const { BOOL, DOUBLE, INT, STRING, UINT } = CelScalar;
const TIMESTAMP = objectType(TimestampSchema);
const DURATION = objectType(DurationSchema);

/** The range of a CEL timestamp, in Unix seconds: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;

/** A CEL value of a message type, as the library passes it to a function. */
interface MessageValue<T> {
  readonly message: T;
}

/** goConversions replaces the library's conversions that differ from cel-go's. */
export const goConversions: readonly CelFunc[] = [
  celFunc("int", [STRING], INT, (text: string) => parsed(parseGoInt(text), "string", "int")),
  celFunc("uint", [STRING], UINT, (text: string) =>
    celUint(parsed(parseGoUint(text), "string", "uint")),
  ),
  celFunc("double", [STRING], DOUBLE, (text: string) =>
    parsed(parseGoFloat(text), "string", "double"),
  ),
  celFunc(
    "int",
    [DURATION],
    INT,
    ({ message }: MessageValue<Duration>) =>
      // A Go duration is its nanoseconds; seconds and nanos share their sign.
      message.seconds * 1_000_000_000n + BigInt(message.nanos),
  ),
  celFunc("bool", [STRING], BOOL, (text: string) => parsed(GO_BOOLS.get(text), "string", "bool")),
  celFunc("duration", [STRING], DURATION, (text: string) => {
    const duration = parseGoDuration(text);
    if (typeof duration === "string") throw new Error(`invalid duration '${text}': ${duration}`);
    return duration;
  }),
  celFunc("timestamp", [INT], TIMESTAMP, (seconds: bigint) => {
    if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) {
      throw new Error("timestamp out of range");
    }
    return create(TimestampSchema, { seconds });
  }),
  celFunc("string", [DOUBLE], STRING, (value: number) => formatGoFloat(value, "g")),
  celFunc("string", [DURATION], STRING, ({ message }: MessageValue<Duration>) => {
    // Go's Duration.Seconds(): whole seconds plus the nanoseconds, as float64s.
    const seconds = Number(message.seconds) + message.nanos / 1e9;
    return `${formatGoFloat(seconds, "f")}s`;
  }),
  celFunc("string", [TIMESTAMP], STRING, ({ message }: MessageValue<Timestamp>) =>
    rfc3339Nano(message),
  ),
];

/** GO_BOOLS are the strings Go's ParseBool reads (the library lacked "T" and "F"). */
const GO_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ...["1", "t", "T", "TRUE", "true", "True"].map((text) => [text, true] as const),
  ...["0", "f", "F", "FALSE", "false", "False"].map((text) => [text, false] as const),
]);

/** parsed is a parsed value, or the conversion error cel-go reports when there is none. */
function parsed<T>(value: T | undefined, from: string, to: string): T {
  if (value === undefined) throw new Error(`type conversion error from '${from}' to '${to}'`);
  return value;
}

/**
 * rfc3339Nano writes a timestamp in UTC as Go's time.RFC3339Nano does: the fraction of a second
 * without its trailing zeros, and none when it is zero.
 */
function rfc3339Nano(timestamp: Timestamp): string {
  const whole = new Date(Number(timestamp.seconds) * 1000).toISOString().slice(0, 19);
  const fraction = String(timestamp.nanos).padStart(9, "0").replace(/0+$/, "");
  return `${whole}${fraction === "" ? "" : `.${fraction}`}Z`;
}
