// Descriptors made by protobufjs (which @grpc/proto-loader, and so @grpc/reflection, use) name
// field and method types as the .proto wrote them, relative to their scope ("SubjectRef"), where
// protoc writes full names (".latch.v1.SubjectRef"), and they merge a package's files into one
// that declares no imports, and they write an empty JSON name for every field. Go's protodesc, which k6 uses, resolves names by protobuf's scoping
// rules; protobuf-es requires full names, each file to import those it uses, and takes the JSON
// names as written. qualifyNames rewrites them as protoc would have written them.

import type { DescriptorProto, FileDescriptorProto } from "@bufbuild/protobuf/wkt";

/**
 * qualifyNames rewrites every relative type name in files to its full name, gives each field its
 * JSON name, and adds to each file's imports the files that define the types it uses, in place.
 */
export function qualifyNames(files: FileDescriptorProto[]): void {
  /** The file that defines each type, by full name. */
  const known = new Map<string, string>();
  const collect = (
    file: string,
    scope: string,
    messages: DescriptorProto[],
    enums: { name: string }[],
  ) => {
    for (const e of enums) known.set(`${scope}.${e.name}`, file);
    for (const m of messages) {
      const name = `${scope}.${m.name}`;
      known.set(name, file);
      collect(file, name, m.nestedType, m.enumType);
    }
  };
  for (const file of files) {
    collect(
      file.name,
      file.package === "" ? "" : `.${file.package}`,
      file.messageType,
      file.enumType,
    );
  }
  const resolve = (scope: string, name: string): string => {
    if (name === "" || name.startsWith(".")) return name;
    // From the innermost scope outwards: scope.name, then its parent's, up to the root.
    for (let at = scope; ; at = at.slice(0, Math.max(0, at.lastIndexOf(".")))) {
      const candidate = `${at}.${name}`;
      if (known.has(candidate)) return candidate;
      if (at === "") return name;
    }
  };
  const qualifyMessages = (scope: string, messages: DescriptorProto[]) => {
    for (const m of messages) {
      const name = `${scope}.${m.name}`;
      for (const field of m.field) {
        field.typeName = resolve(name, field.typeName);
        if (field.jsonName === "") field.jsonName = jsonName(field.name);
      }
      qualifyMessages(name, m.nestedType);
    }
  };
  for (const file of files) {
    const scope = file.package === "" ? "" : `.${file.package}`;
    qualifyMessages(scope, file.messageType);
    const used: string[] = [];
    const visit = (messages: DescriptorProto[]) => {
      for (const m of messages) {
        for (const field of m.field) used.push(field.typeName);
        visit(m.nestedType);
      }
    };
    visit(file.messageType);
    for (const service of file.service) {
      for (const method of service.method) {
        method.inputType = resolve(scope, method.inputType);
        method.outputType = resolve(scope, method.outputType);
        used.push(method.inputType, method.outputType);
      }
    }
    const imports = new Set(file.dependency);
    for (const name of used) {
      const home = known.get(name);
      if (home !== undefined && home !== file.name) imports.add(home);
    }
    file.dependency = [...imports];
  }
}

/** jsonName is protoc's JSON name of a field: lowerCamelCase of its snake_case name. */
function jsonName(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
