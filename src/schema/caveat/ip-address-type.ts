// SpiceDB's `ipaddress` caveat type in CEL: a message type with the method `in_cidr(string) -> bool`.

import { CelScalar, celMethod, objectType } from "@bufbuild/cel";
import { create, createFileRegistry, type Message } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { type IpAddress, parseIpPrefix, prefixContains } from "./ip-address.js";

type IpAddressMessage = Message<"latch.caveat.IPAddress"> & { octets: Uint8Array; zone: string };

// CEL values other than scalars, lists and maps must be protobuf messages, so the address is one.
const file = create(FileDescriptorProtoSchema, {
  name: "latch/caveat/ipaddress.proto",
  package: "latch.caveat",
  syntax: "proto3",
  messageType: [
    {
      name: "IPAddress",
      field: [
        { name: "octets", jsonName: "octets", number: 1, type: FieldDescriptorProto_Type.BYTES },
        { name: "zone", jsonName: "zone", number: 2, type: FieldDescriptorProto_Type.STRING },
      ].map((field) => ({ ...field, label: FieldDescriptorProto_Label.OPTIONAL })),
    },
  ],
});

/** ipAddressRegistry holds the `latch.caveat.IPAddress` message type, for the CEL environment. */
export const ipAddressRegistry = createFileRegistry(file, () => undefined);

const schema = ipAddressRegistry.getMessage(
  "latch.caveat.IPAddress",
) as GenMessage<IpAddressMessage>;

/** ipAddressCelType is the CEL type of `ipaddress` values. */
export const ipAddressCelType = objectType(schema);

/** ipAddressCelValue wraps a parsed address as a CEL value of type `ipaddress`. */
export function ipAddressCelValue(address: IpAddress): ReflectMessage {
  return reflect(schema, create(schema, { octets: address.octets, zone: address.zone }));
}

/** inCidrMethod implements `ip.in_cidr('10.0.0.0/8')`; an invalid CIDR is an evaluation error. */
export const inCidrMethod = celMethod(
  "in_cidr",
  ipAddressCelType,
  [CelScalar.STRING],
  CelScalar.BOOL,
  function (cidr) {
    const prefix = parseIpPrefix(cidr);
    if (prefix === undefined) {
      throw new Error(
        `invalid CIDR '${cidr}'; expected an address and a prefix length, e.g. '10.0.0.0/8'`,
      );
    }
    return prefixContains(prefix, this.message);
  },
);
