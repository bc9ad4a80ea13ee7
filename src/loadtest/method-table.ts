// The methods a registry of descriptors defines, by the name k6 scripts call them
// (`package.Service/Method`, with or without a leading slash), each with the JSON codecs of its
// messages.

import {
  type DescMessage,
  type FileRegistry,
  fromBinary,
  fromJson,
  type JsonValue,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { LoadTestError } from "./load-test-error.js";

/** MethodCodec codes one method's request from JSON and its responses to JSON. */
export interface MethodCodec {
  /** path is the HTTP/2 path: `/package.Service/Method`. */
  readonly path: string;
  readonly streaming: boolean;
  encode(request: object): Uint8Array;
  decode(bytes: Uint8Array): object;
}

/** MethodTable finds a method's codec by name. */
export interface MethodTable {
  method(name: string): MethodCodec;
}

/** methodTable lists every method of every service in registry. */
export function methodTable(registry: FileRegistry): MethodTable {
  const methods = new Map<string, MethodCodec>();
  for (const file of registry.files) {
    for (const service of file.services) {
      for (const method of service.methods) {
        const path = `/${service.typeName}/${method.name}`;
        methods.set(
          path,
          codec(path, method.methodKind !== "unary", method.input, method.output, registry),
        );
      }
    }
  }
  return {
    method(name) {
      const found = methods.get(name.startsWith("/") ? name : `/${name}`);
      if (found === undefined) {
        throw new LoadTestError(
          "method",
          `method ${JSON.stringify(name)} not found in the descriptors: name it package.Service/Method`,
        );
      }
      return found;
    },
  };
}

function codec(
  path: string,
  streaming: boolean,
  input: DescMessage,
  output: DescMessage,
  registry: FileRegistry,
): MethodCodec {
  return {
    path,
    streaming,
    encode: (request) => toBinary(input, fromJson(input, request as JsonValue, { registry })),
    decode: (bytes) =>
      toJson(output, fromBinary(output, bytes), { alwaysEmitImplicit: true, registry }) as object,
  };
}
