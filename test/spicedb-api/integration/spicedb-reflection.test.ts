// Server reflection lists SpiceDB's API beside Latch's, with descriptors a generic client calls it by.

import { v1 } from "@authzed/authzed-node";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { loadFileDescriptorSetFromBuffer } from "@grpc/proto-loader";
import { beforeAll, describe, expect, it } from "vitest";
import type { JsonMessage } from "../../api/api-harness.js";
import { TEST_SCHEMA } from "../../api/api-schema.js";
import { rel, touch, useSpiceTestServer } from "./spicedb-harness.js";

const test = useSpiceTestServer();

beforeAll(async () => {
  const { spice } = test();
  await spice.writeSchema(v1.WriteSchemaRequest.create({ schema: TEST_SCHEMA }));
  await spice.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: [touch(rel("document:plan#viewer@user:alice"))],
    }),
  );
});

/** ask sends one reflection request and resolves with its response. */
function ask(request: JsonMessage): Promise<JsonMessage> {
  const client = test().clients.reflection as unknown as Record<
    string,
    () => grpc.ClientDuplexStream<JsonMessage, JsonMessage>
  >;
  return new Promise((resolve, reject) => {
    const call = client.serverReflectionInfo!();
    call.once("data", (response: JsonMessage) => {
      resolve(response);
      call.end();
    });
    call.once("error", reject);
    call.write(request);
  });
}

describe("reflection", () => {
  it("lists SpiceDB's services with Latch's", async () => {
    const listed = await ask({ listServices: "" });
    const names = listed.listServicesResponse.service.map((s: JsonMessage) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "latch.v1.PermissionService",
        "authzed.api.v1.PermissionsService",
        "authzed.api.v1.SchemaService",
        "authzed.api.v1.WatchService",
        "authzed.api.v1.ExperimentalService",
      ]),
    );
  });

  it("serves descriptors a client with no .proto files calls CheckPermission by, as grpcurl does", async () => {
    const files = await ask({ fileContainingSymbol: "authzed.api.v1.PermissionsService" });
    const protos = (files.fileDescriptorResponse.fileDescriptorProto as Buffer[]).map((bytes) =>
      fromBinary(FileDescriptorProtoSchema, bytes),
    );
    const set = create(FileDescriptorSetSchema, { file: protos });
    const loaded = grpc.loadPackageDefinition(
      loadFileDescriptorSetFromBuffer(Buffer.from(toBinary(FileDescriptorSetSchema, set)), {
        enums: String,
        defaults: true,
        oneofs: true,
      }),
    );
    const Service = (loaded.authzed as JsonMessage).api.v1.PermissionsService as new (
      address: string,
      credentials: grpc.ChannelCredentials,
    ) => grpc.Client;
    const client = new Service(
      `127.0.0.1:${test().server.grpcPort}`,
      grpc.credentials.createInsecure(),
    ) as unknown as Record<
      string,
      (request: JsonMessage, done: (error: Error | null, response: JsonMessage) => void) => void
    >;
    const answer = await new Promise<JsonMessage>((resolve, reject) =>
      client.CheckPermission!(
        {
          // Descriptors loaded by proto-loader keep the proto field names, as grpcurl's JSON does.
          resource: { object_type: "document", object_id: "plan" },
          permission: "view",
          subject: { object: { object_type: "user", object_id: "alice" } },
          consistency: { fully_consistent: true },
        },
        (error, response) => (error === null ? resolve(response) : reject(error)),
      ),
    );
    (client as unknown as grpc.Client).close();
    expect(answer.permissionship).toBe("PERMISSIONSHIP_HAS_PERMISSION");
    expect(answer.checked_at.token).toMatch(/^lt1_/);
  });
});
