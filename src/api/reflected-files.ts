// What server reflection serves: each .proto file as it was compiled, imports and all.

import { type DescFile, toBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { PackageDefinition } from "@grpc/proto-loader";

/**
 * reflectedFiles is a package definition (one entry, under name) for @grpc/reflection that holds files, the only part of
 * one it reads. Loaded through proto-loader instead, a package's files come back merged into one
 * with relative type names and without their imports, which strict clients (k6, Go's protodesc)
 * refuse; these are the compiled descriptors, each file with its imports.
 */
export function reflectedFiles(
  name: string,
  files: readonly FileDescriptorProto[],
): PackageDefinition {
  const fileDescriptorProtos = files.map((file) =>
    Buffer.from(toBinary(FileDescriptorProtoSchema, file)),
  );
  // The reflection service reads fileDescriptorProtos from every entry and nothing else.
  // (name keeps the definitions of several APIs apart when they are spread into one.)
  return { [name]: { fileDescriptorProtos } } as unknown as PackageDefinition;
}

/** compiledFiles are the descriptors of the files that define services, and of all they import. */
export function compiledFiles(
  services: readonly { readonly file: DescFile }[],
): FileDescriptorProto[] {
  const files = new Map<string, FileDescriptorProto>();
  const add = (file: DescFile): void => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file.proto);
    for (const imported of file.dependencies) add(imported);
  };
  for (const service of services) add(service.file);
  return [...files.values()];
}
