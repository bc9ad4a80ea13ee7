// Context values arrive as JSON; each is converted to the CEL value its parameter's type calls for.

import { type CelInput, celUint } from "@bufbuild/cel";
import { create } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { parseRfc3339 } from "../../tuple/timestamp.js";
import { type CaveatType, formatCaveatType } from "./caveat-type.js";
import { parseGoDuration } from "./go-duration.js";
import { MAX_INT, MAX_UINT, MIN_INT } from "./go-strconv.js";
import { parseIpAddress } from "./ip-address.js";
import { ipAddressCelValue } from "./ip-address-type.js";

/** CaveatValueResult is a converted value, or a message saying what is wrong with the JSON value. */
export type CaveatValueResult =
  | { readonly ok: true; readonly value: CelInput }
  | { readonly ok: false; readonly message: string };

const intRange = { min: MIN_INT, max: MAX_INT };
const uintRange = { min: 0n, max: MAX_UINT };
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * convertCaveatValue converts a JSON value to a CEL value of the given type. `subject` names the
 * value in messages, e.g. "parameter 'count'"; a message names the expected type and what was given.
 */
export function convertCaveatValue(
  type: CaveatType,
  value: unknown,
  subject: string,
): CaveatValueResult {
  const ok = (converted: CelInput): CaveatValueResult => ({ ok: true, value: converted });
  const wrong = (reason = ""): CaveatValueResult => ({
    ok: false,
    message: `${subject} must be ${expectation(type)}, but got ${describeJson(value)}${reason && `: ${reason}`}`,
  });
  switch (type.kind) {
    case "int":
    case "uint": {
      const range = type.kind === "int" ? intRange : uintRange;
      const integer = toInteger(value);
      if (typeof integer === "string") {
        return wrong(integer);
      }
      if (integer < range.min || integer > range.max) {
        return wrong(`it is outside the ${type.kind} range ${range.min} to ${range.max}`);
      }
      return ok(type.kind === "int" ? integer : celUint(integer));
    }
    case "double":
      if (typeof value === "string" && decimal.test(value)) {
        return ok(Number(value));
      }
      return typeof value === "number" ? ok(value) : wrong();
    case "bool":
      return typeof value === "boolean" ? ok(value) : wrong();
    case "string":
      return typeof value === "string" ? ok(value) : wrong();
    case "bytes":
      if (typeof value !== "string" || !base64.test(value.replace(/[\r\n]/g, ""))) {
        return wrong();
      }
      return ok(new Uint8Array(Buffer.from(value, "base64")));
    case "duration": {
      const parsed = typeof value === "string" ? parseGoDuration(value) : "";
      return typeof parsed === "string" ? wrong(parsed) : ok(reflect(DurationSchema, parsed));
    }
    case "timestamp": {
      if (typeof value !== "string") return wrong();
      const parsed = parseRfc3339(value);
      if ("problem" in parsed) return wrong(`at position ${parsed.index + 1}: ${parsed.problem}`);
      return ok(reflect(TimestampSchema, create(TimestampSchema, parsed)));
    }
    case "ipaddress": {
      const address = typeof value === "string" ? parseIpAddress(value) : undefined;
      return address === undefined ? wrong() : ok(ipAddressCelValue(address));
    }
    case "list":
      return Array.isArray(value) ? convertList(type.element, value, subject) : wrong();
    case "map":
      return isJsonObject(value) ? convertMap(type.value, value, subject) : wrong();
    case "any":
      return convertAny(value, subject);
  }
}

function convertList(
  element: CaveatType,
  items: readonly unknown[],
  subject: string,
): CaveatValueResult {
  const converted: CelInput[] = [];
  for (const [index, item] of items.entries()) {
    const result = convertCaveatValue(element, item, `item ${index} of ${subject}`);
    if (!result.ok) {
      return result;
    }
    converted.push(result.value);
  }
  return { ok: true, value: converted };
}

function convertMap(
  valueType: CaveatType,
  object: Readonly<Record<string, unknown>>,
  subject: string,
): CaveatValueResult {
  const converted = new Map<string, CelInput>();
  for (const [key, item] of Object.entries(object)) {
    const result = convertCaveatValue(valueType, item, `key '${key}' of ${subject}`);
    if (!result.ok) {
      return result;
    }
    converted.set(key, result.value);
  }
  return { ok: true, value: converted };
}

/** convertAny keeps JSON as it is: numbers are doubles, arrays lists and objects maps. */
function convertAny(value: unknown, subject: string): CaveatValueResult {
  if (
    value === null ||
    typeof value === "boolean" ||
    typeof value === "number" ||
    typeof value === "string" ||
    typeof value === "bigint"
  ) {
    return { ok: true, value };
  }
  if (Array.isArray(value)) {
    return convertList({ kind: "any" }, value, subject);
  }
  if (isJsonObject(value)) {
    return convertMap({ kind: "any" }, value, subject);
  }
  return { ok: false, message: `${subject} must be a JSON value, but got ${describeJson(value)}` };
}

/** toInteger reads a whole number (JSON number, decimal string or bigint), or says why it cannot. */
function toInteger(value: unknown): bigint | string {
  if (typeof value === "bigint") {
    return value;
  }
  if (typeof value === "number") {
    return Number.isInteger(value) ? BigInt(value) : "it is not a whole number";
  }
  if (typeof value === "string" && /^[+-]?\d+$/.test(value)) {
    return BigInt(value);
  }
  return "";
}

function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectation(type: CaveatType): string {
  const name = formatCaveatType(type);
  switch (type.kind) {
    case "int":
    case "uint":
      return `${type.kind === "int" ? "an int" : "a uint"} (a whole number, or a decimal string such as "42")`;
    case "double":
      return "a double (a number)";
    case "bool":
      return "a bool (true or false)";
    case "string":
      return "a string";
    case "bytes":
      return "bytes (a base64-encoded string)";
    case "duration":
      return 'a duration (a string such as "1h30m" or "90s")';
    case "timestamp":
      return 'a timestamp (an RFC 3339 string such as "2024-01-01T00:00:00Z")';
    case "ipaddress":
      return 'an ipaddress (a string such as "10.0.0.1" or "2001:db8::1")';
    case "list":
      return `a ${name} (a JSON array)`;
    case "map":
      return `a ${name} (a JSON object)`;
    case "any":
      return "a JSON value";
  }
}

/** describeJson names a JSON value's kind and, for scalars, shows it (long strings shortened). */
export function describeJson(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  switch (typeof value) {
    case "string": {
      const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case "number":
    case "bigint":
    case "boolean":
      return `${typeof value === "boolean" ? "boolean" : "number"} ${String(value)}`;
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}
