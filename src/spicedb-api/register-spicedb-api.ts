// Serves SpiceDB's API (authzed.api.v1) on Latch's grpc-js server, beside latch.v1.

import { v1 } from "@authzed/authzed-node";
import type { DescMethod } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import {
  type AnyHandler,
  addGrpcMethods,
  encodeOnce,
  type GrpcMethod,
} from "../api/grpc-adapter.js";
import type { LiveCalls } from "../api/grpc-call-context.js";
import { type GuardOptions, guardMethod } from "../api/guard-service.js";
import { reflectedFiles } from "../api/reflected-files.js";
import { RequestError } from "../api/request-error.js";
import { traceMethod } from "../api/trace-service.js";
import { PermissionService } from "../gen/latch/v1/permission_service_pb.js";
import { RelationshipService } from "../gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../gen/latch/v1/schema_service_pb.js";
import { createPermissionsService, type LatchServices } from "./permissions-service.js";
import { spiceDbFileDescriptors } from "./reflected-descriptors.js";
import { createSchemaService } from "./schema-service.js";
import { createWatchService } from "./watch-service.js";

/** SpiceServiceType is a protobuf-ts service descriptor, as @authzed/authzed-node exports them. */
type SpiceServiceType = typeof v1.PermissionsService;
type SpiceMethodInfo = SpiceServiceType["methods"][number];

/** The SpiceDB services Latch serves (some of their methods only). */
const SERVICES: readonly SpiceServiceType[] = [
  v1.PermissionsService,
  v1.SchemaService,
  v1.WatchService,
  v1.ExperimentalService,
];

/** SPICEDB_SERVICES names the SpiceDB services Latch serves, for health. */
export const SPICEDB_SERVICES: readonly string[] = SERVICES.map((service) => service.typeName);

/**
 * spiceDbReflection is SpiceDB's API as a package definition for @grpc/reflection: its file
 * descriptors (see spiceDbFileDescriptors), each with its imports.
 */
export function spiceDbReflection(): PackageDefinition {
  return reflectedFiles("authzed.api.v1", spiceDbFileDescriptors(SERVICES));
}

/** SpiceDbBackends are the Latch services (unguarded) that answer the SpiceDB API. */
export type SpiceDbBackends = LatchServices;

/**
 * addSpiceDbApi registers SpiceDB's PermissionsService, SchemaService, WatchService and
 * ExperimentalService's bulk import and export and schema reflection on server: each method decoded
 * and encoded with the message types @authzed/authzed-node publishes, guarded like Latch's own
 * methods (its `authorization: Bearer` key and scope from METHOD_SCOPES, its metrics), traced
 * like them when traced is true (a server span per call), and answered by the Latch service
 * underneath. Methods not listed answer UNIMPLEMENTED.
 */
export function addSpiceDbApi(
  server: grpc.Server,
  backends: SpiceDbBackends,
  guard: GuardOptions,
  live: LiveCalls,
  traced: boolean,
): void {
  const permissions = createPermissionsService(backends);
  const latch = {
    check: PermissionService.method.check,
    checkBulk: PermissionService.method.checkBulk,
    expand: PermissionService.method.expand,
    lookupResources: PermissionService.method.lookupResources,
    lookupSubjects: PermissionService.method.lookupSubjects,
    read: RelationshipService.method.readRelationships,
    write: RelationshipService.method.writeRelationships,
    delete: RelationshipService.method.deleteRelationships,
    import: RelationshipService.method.importRelationships,
    export: RelationshipService.method.exportRelationships,
    watch: RelationshipService.method.watch,
  };
  const add = (service: SpiceServiceType, served: Record<string, Served>) =>
    addGrpcMethods(server, spiceMethods(service, served, guard, traced), live);
  add(v1.PermissionsService, {
    checkPermission: [permissions.checkPermission, latch.check],
    checkBulkPermissions: [permissions.checkBulkPermissions, latch.checkBulk],
    expandPermissionTree: [permissions.expandPermissionTree, latch.expand],
    lookupResources: [permissions.lookupResources, latch.lookupResources],
    lookupSubjects: [permissions.lookupSubjects, latch.lookupSubjects],
    readRelationships: [permissions.readRelationships, latch.read],
    writeRelationships: [permissions.writeRelationships, latch.write],
    deleteRelationships: [permissions.deleteRelationships, latch.delete],
    importBulkRelationships: [permissions.importBulkRelationships, latch.import],
    exportBulkRelationships: [permissions.exportBulkRelationships, latch.export],
  });
  const schema = createSchemaService(backends.schema);
  const readSchema = SchemaService.method.readSchema;
  add(v1.SchemaService, {
    readSchema: [schema.readSchema, readSchema],
    writeSchema: [schema.writeSchema, SchemaService.method.writeSchema],
    reflectSchema: [schema.reflectSchema, readSchema],
    diffSchema: [schema.diffSchema, readSchema],
    dependentRelations: [schema.dependentRelations, readSchema],
    computablePermissions: [schema.computablePermissions, readSchema],
  });
  add(v1.WatchService, { watch: [createWatchService(backends.relationships).watch, latch.watch] });
  // Older clients import, export and reflect through ExperimentalService: the same messages, field for field.
  add(v1.ExperimentalService, {
    bulkImportRelationships: [permissions.importBulkRelationships, latch.import],
    bulkExportRelationships: [permissions.exportBulkRelationships, latch.export],
    experimentalReflectSchema: [schema.reflectSchema, readSchema],
    experimentalDiffSchema: [schema.diffSchema, readSchema],
    experimentalDependentRelations: [schema.dependentRelations, readSchema],
    experimentalComputablePermissions: [schema.computablePermissions, readSchema],
  });
}

/** Served is a SpiceDB method's handler and the Latch method whose call context it runs in. */
type Served = readonly [handler: unknown, contextMethod: DescMethod];

function spiceMethods(
  service: SpiceServiceType,
  served: Record<string, Served>,
  guard: GuardOptions,
  traced: boolean,
): Record<string, GrpcMethod> {
  const methods: Record<string, GrpcMethod> = {};
  for (const method of service.methods) {
    const entry = served[method.localName];
    if (entry === undefined) continue;
    const [handler, contextMethod] = entry;
    const path = `${service.typeName}/${method.name}`;
    const guarded = guardMethod(path, method.serverStreaming, handler as AnyHandler, guard);
    methods[method.localName] = {
      definition: methodDefinition(path, method),
      output: (message) => message,
      contextMethod,
      // The span is outside the guard, as on latch.v1: the guard's errors are statuses already.
      handler: traced
        ? traceMethod(service.typeName, method.name, method.serverStreaming, guarded)
        : guarded,
    };
  }
  return methods;
}

function methodDefinition(
  path: string,
  method: SpiceMethodInfo,
): grpc.MethodDefinition<unknown, unknown> {
  const { I: input, O: output } = method;
  return {
    path: `/${path}`,
    requestStream: method.clientStreaming,
    responseStream: method.serverStreaming,
    requestSerialize: (message) => Buffer.from(input.toBinary(message as never)),
    requestDeserialize: (bytes: Buffer) => decodeOrRefusal(method, bytes),
    responseSerialize: (message) =>
      encodeOnce(message, (m) => Buffer.from(output.toBinary(m as never))),
    responseDeserialize: (bytes: Buffer) => output.fromBinary(bytes),
    originalName: method.localName,
  };
}

/**
 * decodeOrRefusal decodes a request, or returns the RequestError saying why it cannot: the
 * adapter answers it INVALID_ARGUMENT (grpc-js would answer a throwing deserializer INTERNAL).
 */
function decodeOrRefusal(method: SpiceMethodInfo, bytes: Buffer): unknown {
  try {
    return method.I.fromBinary(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new RequestError(
      "request",
      `cannot decode the request as a ${method.I.typeName} in protobuf's binary format: ${reason}`,
    );
  }
}
