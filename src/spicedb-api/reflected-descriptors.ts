// File descriptors of SpiceDB's API for server reflection, built from the protobuf-ts reflection
// information @authzed/authzed-node publishes (it ships no .proto files or descriptors).

import type { v1 } from "@authzed/authzed-node";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type DescriptorProtoSchema,
  type EnumDescriptorProtoSchema,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  type FieldDescriptorProtoSchema,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  type ServiceDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";

type SpiceServiceType = typeof v1.PermissionsService;
type MessageInfo = SpiceServiceType["methods"][number]["I"];
type FieldInfo = MessageInfo["fields"][number];
type Message = MessageInitShape<typeof DescriptorProtoSchema>;
type Enum = MessageInitShape<typeof EnumDescriptorProtoSchema>;
type Field = MessageInitShape<typeof FieldDescriptorProtoSchema>;

/** The file each package's types are described in; SpiceDB's own in one file, as proto-loader combines a package. */
const FILES: Readonly<Record<string, string>> = {
  "authzed.api.v1": "authzed/api/v1/spicedb.proto",
  "google.rpc": "google/rpc/status.proto",
};

/** The files of Google's well-known types, by type (Latch's own descriptors hold some already). */
const WELL_KNOWN: Readonly<Record<string, string>> = {
  "google.protobuf.Struct": "google/protobuf/struct.proto",
  "google.protobuf.Value": "google/protobuf/struct.proto",
  "google.protobuf.ListValue": "google/protobuf/struct.proto",
  "google.protobuf.NullValue": "google/protobuf/struct.proto",
  "google.protobuf.Timestamp": "google/protobuf/timestamp.proto",
  "google.protobuf.Duration": "google/protobuf/duration.proto",
  "google.protobuf.Any": "google/protobuf/any.proto",
};

/**
 * spiceDbFileDescriptors is the FileDescriptorProtos of the services Latch serves of
 * SpiceDB's API and every type they reach: what grpcurl and k6 read through reflection to call
 * them with no .proto files. Validation options and comments are not carried.
 */
export function spiceDbFileDescriptors(
  services: readonly SpiceServiceType[],
): FileDescriptorProto[] {
  const files = new Map<string, FileBuilder>();
  const fileOf = (typeName: string) => {
    const name = WELL_KNOWN[typeName] ?? FILES[packageOf(typeName)];
    if (name === undefined) throw new Error(`no file for ${typeName}`);
    let file = files.get(name);
    if (file === undefined) {
      file = new FileBuilder(name, packageOf(typeName));
      files.set(name, file);
    }
    return file;
  };
  const seen = new Set<string>();
  const visitMessage = (type: MessageInfo) => {
    if (seen.has(type.typeName)) return;
    seen.add(type.typeName);
    const file = fileOf(type.typeName);
    file.addMessage(type, (dependency) => {
      if (dependency.kind === "message") visitMessage(dependency.type);
      else fileOf(dependency.typeName).addEnum(dependency.typeName, dependency.values);
      const other = fileOf(
        dependency.kind === "message" ? dependency.type.typeName : dependency.typeName,
      );
      if (other !== file) file.dependencies.add(other.name);
    });
  };
  for (const service of services) {
    const file = fileOf(service.typeName);
    for (const method of service.methods) {
      visitMessage(method.I);
      visitMessage(method.O);
    }
    file.services.push({
      name: service.typeName.slice(service.typeName.lastIndexOf(".") + 1),
      method: service.methods.map((method) => ({
        name: method.name,
        inputType: `.${method.I.typeName}`,
        outputType: `.${method.O.typeName}`,
        clientStreaming: method.clientStreaming,
        serverStreaming: method.serverStreaming,
      })),
    });
  }
  return [...files.values()].map((file) => file.build());
}

/** Dependency is a type a field refers to. */
type Dependency =
  | { readonly kind: "message"; readonly type: MessageInfo }
  | {
      readonly kind: "enum";
      readonly typeName: string;
      readonly values: readonly [string, number][];
    };

/** Nesting is where a scope's messages and enums are listed: a message's, or the file's. */
interface Nesting {
  readonly messages: Message[];
  readonly enums: Enum[];
}

/** Added is a message or an enum added to a file. */
type Added =
  | { readonly kind: "message"; readonly typeName: string; readonly message: Message }
  | { readonly kind: "enum"; readonly typeName: string; readonly described: Enum };

/** FileBuilder collects one file's messages (nested by name), enums and services. */
class FileBuilder {
  readonly dependencies = new Set<string>();
  readonly services: MessageInitShape<typeof ServiceDescriptorProtoSchema>[] = [];
  /** Each message, with the lists its nested messages and enums go in. */
  private readonly messages = new Map<string, Nesting>();
  private readonly enums = new Set<string>();
  /** The messages and enums in the order they were added, placed by their names when built. */
  private readonly added: Added[] = [];

  constructor(
    readonly name: string,
    private readonly packageName: string,
  ) {}

  addMessage(type: MessageInfo, depend: (dependency: Dependency) => void): void {
    const oneofs: string[] = [];
    const nested: Message[] = [];
    const fields = type.fields.map((field) => this.field(type, field, oneofs, nested, depend));
    // proto3 `optional` fields each get a synthetic oneof, after the real ones.
    fields.forEach((field, i) => {
      const info = type.fields[i]!;
      if (info.opt && info.kind !== "message" && info.oneof === undefined) {
        field.proto3Optional = true;
        field.oneofIndex = oneofs.length;
        oneofs.push(`_${info.name}`);
      }
    });
    const enums: Enum[] = [];
    const message: Message = {
      name: lastName(type.typeName),
      field: fields,
      nestedType: nested,
      enumType: enums,
      oneofDecl: oneofs.map((name) => ({ name })),
    };
    this.messages.set(type.typeName, { messages: nested, enums });
    this.added.push({ kind: "message", typeName: type.typeName, message });
  }

  addEnum(typeName: string, values: readonly [string, number][]): void {
    if (this.enums.has(typeName)) return;
    this.enums.add(typeName);
    const described: Enum = {
      name: lastName(typeName),
      value: values.map(([name, number]) => ({ name, number })),
    };
    this.added.push({ kind: "enum", typeName, described });
  }

  build(): FileDescriptorProto {
    const top: Nesting = { messages: [], enums: [] };
    for (const added of this.added) {
      const parent = this.messages.get(added.typeName.slice(0, added.typeName.lastIndexOf(".")));
      const into = parent ?? top;
      if (added.kind === "message") into.messages.push(added.message);
      else into.enums.push(added.described);
    }
    return create(FileDescriptorProtoSchema, {
      name: this.name,
      package: this.packageName,
      dependency: [...this.dependencies],
      messageType: top.messages,
      enumType: top.enums,
      service: this.services,
      syntax: "proto3",
    });
  }

  private field(
    owner: MessageInfo,
    info: FieldInfo,
    oneofs: string[],
    nested: Message[],
    depend: (dependency: Dependency) => void,
  ): Field {
    const base: Field = {
      name: info.name,
      number: info.no,
      jsonName: info.jsonName,
      label: info.repeat
        ? FieldDescriptorProto_Label.REPEATED
        : FieldDescriptorProto_Label.OPTIONAL,
    };
    if (info.oneof !== undefined) {
      const oneof = snakeCase(info.oneof);
      if (!oneofs.includes(oneof)) oneofs.push(oneof);
      base.oneofIndex = oneofs.indexOf(oneof);
    }
    switch (info.kind) {
      case "scalar":
        return { ...base, type: info.T as number as FieldDescriptorProto_Type };
      case "enum": {
        const [typeName, values, prefix] = info.T();
        depend({ kind: "enum", typeName, values: enumValues(values, prefix) });
        return { ...base, type: FieldDescriptorProto_Type.ENUM, typeName: `.${typeName}` };
      }
      case "message": {
        const type = info.T();
        depend({ kind: "message", type });
        return { ...base, type: FieldDescriptorProto_Type.MESSAGE, typeName: `.${type.typeName}` };
      }
      case "map": {
        const entry = `${pascalCase(info.name)}Entry`;
        const value: Field = {
          name: "value",
          number: 2,
          label: FieldDescriptorProto_Label.OPTIONAL,
        };
        if (info.V.kind === "scalar") value.type = info.V.T as number as FieldDescriptorProto_Type;
        else if (info.V.kind === "enum") {
          const [typeName, values, prefix] = info.V.T();
          depend({ kind: "enum", typeName, values: enumValues(values, prefix) });
          value.type = FieldDescriptorProto_Type.ENUM;
          value.typeName = `.${typeName}`;
        } else {
          const type = info.V.T();
          depend({ kind: "message", type });
          value.type = FieldDescriptorProto_Type.MESSAGE;
          value.typeName = `.${type.typeName}`;
        }
        nested.push({
          name: entry,
          field: [
            {
              name: "key",
              number: 1,
              label: FieldDescriptorProto_Label.OPTIONAL,
              type: info.K as number as FieldDescriptorProto_Type,
            },
            value,
          ],
          options: { mapEntry: true },
        });
        return {
          ...base,
          label: FieldDescriptorProto_Label.REPEATED,
          type: FieldDescriptorProto_Type.MESSAGE,
          typeName: `.${owner.typeName}.${entry}`,
        };
      }
    }
  }
}

/** enumValues is an enum's values by their proto names (protobuf-ts drops a shared prefix). */
function enumValues(values: object, prefix: string | undefined): [string, number][] {
  return Object.entries(values)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .map(([name, number]) => [`${prefix ?? ""}${name}`, number]);
}

function packageOf(typeName: string): string {
  const parts = typeName.split(".");
  const first = parts.findIndex((part) => /^[A-Z]/.test(part));
  return parts.slice(0, first).join(".");
}

function lastName(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf(".") + 1);
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function pascalCase(name: string): string {
  return name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}
