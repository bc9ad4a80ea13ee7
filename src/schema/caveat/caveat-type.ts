// Caveat parameter types, as SpiceDB's schema language names them.

import { suggestName } from "../suggest.js";

/** ScalarCaveatTypeName lists the caveat parameter types that take no type argument. */
export type ScalarCaveatTypeName =
  | "int"
  | "uint"
  | "double"
  | "bool"
  | "string"
  | "bytes"
  | "duration"
  | "timestamp"
  | "ipaddress"
  | "any";

/** CaveatType is the type of a caveat parameter: a scalar, `list<T>` or `map<T>` (string keys). */
export type CaveatType =
  | { readonly kind: ScalarCaveatTypeName }
  | { readonly kind: "list"; readonly element: CaveatType }
  | { readonly kind: "map"; readonly value: CaveatType };

/** SCALAR_CAVEAT_TYPES lists the parameter types that take no type argument. */
export const SCALAR_CAVEAT_TYPES: readonly ScalarCaveatTypeName[] = [
  "int",
  "uint",
  "double",
  "bool",
  "string",
  "bytes",
  "duration",
  "timestamp",
  "ipaddress",
  "any",
];

/**
 * resolveCaveatType builds the type a schema names, such as `list<string>` (name "list", one
 * argument). It returns an error message instead when the name is unknown or takes a different
 * number of type arguments.
 */
export function resolveCaveatType(name: string, args: readonly CaveatType[]): CaveatType | string {
  const element = args[0];
  if (name === "list" || name === "map") {
    if (args.length !== 1 || element === undefined) {
      const keys = name === "map" ? " (the value type; map keys are always strings)" : "";
      return `${name} takes exactly one type argument${keys}, e.g. ${name}<string>`;
    }
    return name === "list" ? { kind: "list", element } : { kind: "map", value: element };
  }
  const scalar = SCALAR_CAVEAT_TYPES.find((s) => s === name);
  if (scalar === undefined) {
    const expected = [...SCALAR_CAVEAT_TYPES, "list<T>", "map<T>"].join(", ");
    const suggestion = suggestName(name, [...SCALAR_CAVEAT_TYPES, "list", "map"]);
    const hint = suggestion === undefined ? "" : `; did you mean '${suggestion}'?`;
    return `unknown caveat parameter type '${name}'; expected one of ${expected}${hint}`;
  }
  if (args.length > 0) {
    return `${name} takes no type arguments; write '${name}' alone`;
  }
  return { kind: scalar };
}

/** formatCaveatType prints a type the way a schema writes it, e.g. `list<map<string>>`. */
export function formatCaveatType(type: CaveatType): string {
  switch (type.kind) {
    case "list":
      return `list<${formatCaveatType(type.element)}>`;
    case "map":
      return `map<${formatCaveatType(type.value)}>`;
    default:
      return type.kind;
  }
}
