// Caveat parameter types, as SpiceDB's schema language names them.

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
