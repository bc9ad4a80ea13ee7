// Caveat parameter types as CEL types, and CEL types named the way caveat authors write them.

import { CelScalar, type CelType, listType, mapType, objectType } from "@bufbuild/cel";
import { DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import type { CaveatType } from "./caveat-type.js";
import { ipAddressCelType } from "./ip-address-type.js";

/** timestampCelType is CEL's `google.protobuf.Timestamp`. */
export const timestampCelType = objectType(TimestampSchema);

/** durationCelType is CEL's `google.protobuf.Duration`. */
export const durationCelType = objectType(DurationSchema);

/** celTypeOf maps a caveat parameter type to the CEL type the expression sees. */
export function celTypeOf(type: CaveatType): CelType {
  switch (type.kind) {
    case "int":
      return CelScalar.INT;
    case "uint":
      return CelScalar.UINT;
    case "double":
      return CelScalar.DOUBLE;
    case "bool":
      return CelScalar.BOOL;
    case "string":
      return CelScalar.STRING;
    case "bytes":
      return CelScalar.BYTES;
    case "duration":
      return durationCelType;
    case "timestamp":
      return timestampCelType;
    case "ipaddress":
      return ipAddressCelType;
    case "any":
      return CelScalar.DYN;
    case "list":
      return listType(celTypeOf(type.element));
    case "map":
      return mapType(CelScalar.STRING, celTypeOf(type.value));
  }
}

/** describeCelType names a CEL type in caveat terms: `timestamp`, `list<int>`, `any`. */
export function describeCelType(type: CelType): string {
  switch (type.kind) {
    case "list":
      return `list<${describeCelType(type.element)}>`;
    case "map":
      return type.key.name === "string"
        ? `map<${describeCelType(type.value)}>`
        : `map<${describeCelType(type.key)}, ${describeCelType(type.value)}>`;
    case "object":
      return objectNames[type.name] ?? type.name;
    case "scalar":
      return scalarNames[type.name] ?? type.name;
  }
}

const objectNames: Readonly<Record<string, string>> = {
  [timestampCelType.name]: "timestamp",
  [durationCelType.name]: "duration",
  [ipAddressCelType.name]: "ipaddress",
};

const scalarNames: Readonly<Record<string, string>> = { dyn: "any", null_type: "null" };
