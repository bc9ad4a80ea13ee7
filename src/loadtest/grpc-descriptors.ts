// The descriptors a load script's gRPC client codes messages with: asked of the server by gRPC
// server reflection (v1), or read from .proto files. Either way they end as one protobuf-es
// registry, which codes the JSON objects k6 scripts use (protobuf's JSON mapping) to and from
// the binary wire format.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { create, createFileRegistry, type FileRegistry, fromBinary } from "@bufbuild/protobuf";
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { LoadTestError } from "./load-test-error.js";
import { qualifyNames } from "./qualified-names.js";

const require = createRequire(import.meta.url);
/** The reflection protocol's own definition, as @grpc/reflection ships it. */
const REFLECTION_PROTO = join(
  dirname(require.resolve("@grpc/reflection")),
  "../proto/grpc/reflection/v1/reflection.proto",
);
/** How long reflection may take before the connection is refused. */
const REFLECTION_DEADLINE_MS = 10_000;

interface ReflectionResponse {
  errorResponse?: { errorCode: number; errorMessage: string };
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
}

interface ReflectionStream extends grpc.ClientDuplexStream<object, ReflectionResponse> {}

type ReflectionClient = grpc.Client & {
  ServerReflectionInfo(metadata: grpc.Metadata, options: grpc.CallOptions): ReflectionStream;
};

let reflectionClass:
  | (new (
      address: string,
      credentials: grpc.ChannelCredentials,
    ) => ReflectionClient)
  | undefined;

function reflectionClient(address: string): ReflectionClient {
  if (reflectionClass === undefined) {
    const definition = grpc.loadPackageDefinition(loadSync(REFLECTION_PROTO, { keepCase: false }));
    const v1 = (definition.grpc as grpc.GrpcObject).reflection as grpc.GrpcObject;
    reflectionClass = (v1.v1 as grpc.GrpcObject)
      .ServerReflection as unknown as typeof reflectionClass;
  }
  return new reflectionClass!(address, grpc.credentials.createInsecure());
}

/**
 * reflectDescriptors asks the server at address for its services and the files that define them
 * (with every file they import), and returns them as one registry.
 */
export async function reflectDescriptors(
  address: string,
  metadata: grpc.Metadata,
): Promise<FileRegistry> {
  const client = reflectionClient(address);
  const stream = client.ServerReflectionInfo(metadata, {
    deadline: Date.now() + REFLECTION_DEADLINE_MS,
  });
  const pending: ((response: ReflectionResponse) => void)[] = [];
  let failure: Error | undefined;
  const failed = new Promise<never>((_, reject) => {
    stream.on("error", (error: grpc.ServiceError) => {
      failure = new LoadTestError(
        "reflection",
        `server reflection at ${address} failed: ${error.details || error.message}`,
      );
      reject(failure);
    });
  });
  failed.catch(() => undefined);
  stream.on("data", (response: ReflectionResponse) => pending.shift()?.(response));
  const ask = (request: object): Promise<ReflectionResponse> => {
    if (failure !== undefined) return Promise.reject(failure);
    const answered = new Promise<ReflectionResponse>((resolve) => pending.push(resolve));
    stream.write(request);
    return Promise.race([answered, failed]);
  };
  try {
    const listed = await ask({ listServices: "" });
    const services = listed.listServicesResponse?.service.map((s) => s.name) ?? [];
    const files = new Map<string, Uint8Array>();
    // gRPC's own services (health, reflection) are left out: no script calls them, and servers
    // built with proto-loader describe them with relative type names that do not resolve.
    const wanted: object[] = services
      .filter((name) => !name.startsWith("grpc."))
      .map((name) => ({ fileContainingSymbol: name }));
    while (wanted.length > 0) {
      const response = await ask(wanted.pop()!);
      if (response.errorResponse !== undefined) {
        throw new LoadTestError(
          "reflection",
          `server reflection at ${address}: ${response.errorResponse.errorMessage}`,
        );
      }
      for (const bytes of response.fileDescriptorResponse?.fileDescriptorProto ?? []) {
        const file = fromBinary(FileDescriptorProtoSchema, bytes);
        if (files.has(file.name)) continue;
        files.set(file.name, bytes);
        for (const dependency of file.dependency) {
          if (!files.has(dependency)) wanted.push({ fileByFilename: dependency });
        }
      }
    }
    try {
      return registryOf([...files.values()]);
    } catch (error) {
      throw new LoadTestError(
        "reflection",
        `server reflection at ${address}: ${(error as Error).message}`,
      );
    }
  } finally {
    stream.end();
    client.close();
  }
}

/** loadDescriptors reads .proto files (found in importPaths) as k6's `client.load` does. */
export function loadDescriptors(importPaths: string[], files: string[]): FileRegistry {
  const definition = loadSync(files, { includeDirs: importPaths });
  const typed = Object.values(definition).find((value) => "fileDescriptorProtos" in value);
  if (typed === undefined) {
    throw new LoadTestError("load", `no message types in ${files.join(", ")}`);
  }
  try {
    return registryOf((typed as { fileDescriptorProtos: Buffer[] }).fileDescriptorProtos);
  } catch (error) {
    throw new LoadTestError("load", `${files.join(", ")}: ${(error as Error).message}`);
  }
}

/** registryOf builds a registry of serialized FileDescriptorProtos, dependencies first or not. */
function registryOf(files: Uint8Array[]): FileRegistry {
  const decoded = files.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
  qualifyNames(decoded);
  // The registry reads a set in order: each file after those it imports.
  const byName = new Map(decoded.map((file) => [file.name, file]));
  const ordered: FileDescriptorProto[] = [];
  const placed = new Set<string>();
  const place = (file: FileDescriptorProto) => {
    if (placed.has(file.name)) return;
    placed.add(file.name);
    for (const dependency of file.dependency) {
      const imported = byName.get(dependency);
      if (imported !== undefined) place(imported);
    }
    ordered.push(file);
  };
  for (const file of decoded) place(file);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
}
