// SchemaService, health and reflection over gRPC, probed as grpcurl and k6 would.

import { fromBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type * as grpc from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { rel } from "../store/store-test-helpers.js";
import { expectStatus, type JsonMessage, unary, useTestServer } from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";
import { REFUSAL_HEADING } from "./schema-refusal.js";

const test = useTestServer();

describe("SchemaService", () => {
  it("refuses reads before a schema is written, then reads back what was written", async () => {
    const { clients } = test();
    await expectStatus(
      unary(clients.schema, "ReadSchema", {}),
      status.FAILED_PRECONDITION,
      "no schema",
    );
    const written = await unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA });
    const read = await unary(clients.schema, "ReadSchema", {});
    expect(read.schema).toBe(TEST_SCHEMA);
    expect(read.readAt).toBe(written.writtenAt);
  });

  it("validates a schema with positioned diagnostics, and refuses to write one with errors", async () => {
    const { clients } = test();
    const bad = "definition document {\n  relation viewer: usr\n}";
    const validated = await unary(clients.schema, "ValidateSchema", { schema: bad });
    expect(validated.diagnostics).toEqual([
      expect.objectContaining({ line: 2, column: 20, message: expect.stringContaining("usr") }),
    ]);
    await expectStatus(
      unary(clients.schema, "WriteSchema", { schema: bad }),
      status.INVALID_ARGUMENT,
      "schema:2:20",
    );
  });

  it("refuses a schema that relationships in the store no longer fit, saying which and how to delete them", async () => {
    const { clients, store } = test();
    await unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA });
    await store.importRelationships([
      ...["eng", "hr", "ops", "qa"].map((id) => rel(`group:${id}#member@user:ann`)),
      ...Array.from({ length: 1001 }, (_, i) => rel(`document:o${i}#owner@user:ann`)),
      rel("document:s1#viewer@user:*"),
      rel("document:s1#viewer@group:eng#member"),
      rel("document:s1#viewer@user:cat[expiration:2100-01-01T00:00:00Z]"),
      rel("document:s1#viewer@user:dan"),
      rel("document:s1#banned@user:ann"),
      rel("document:s2#banned@user:bob"),
    ]);
    const error = await expectStatus(
      unary(clients.schema, "WriteSchema", { schema: SHRUNK_SCHEMA }),
      status.FAILED_PRECONDITION,
    );
    expect(error.details).toBe(SHRUNK_REFUSAL);
    expect((await unary(clients.schema, "ReadSchema", {})).schema).toBe(TEST_SCHEMA);
  });
});

/** SHRUNK_SCHEMA takes from TEST_SCHEMA a definition, a relation, another made a permission, and three subjects of a relation. */
const SHRUNK_SCHEMA = `use expiration

caveat in_region(region string, allowed list<string>) {
  region in allowed
}

definition user {}

definition document {
  relation viewer: user | user with in_region
  permission owner = viewer
  permission edit = owner
  permission view = viewer + owner
}
`;

/** SHRUNK_REFUSAL is why SHRUNK_SCHEMA is refused over the test's relationships, word for word. */
const SHRUNK_REFUSAL = `${REFUSAL_HEADING}
- definition 'group' is removed: 4 relationships, e.g. group:eng#member@user:ann, group:hr#member@user:ann, group:ops#member@user:ann
  delete them: latch rel delete --filter 'group'
- 'document#owner' becomes a permission: at least 1000 relationships, e.g. document:o0#owner@user:ann, document:o1#owner@user:ann, document:o10#owner@user:ann
  delete them: latch rel delete --filter 'document#owner'
- document#viewer no longer allows user:*: 1 relationship: document:s1#viewer@user:*
  delete it: latch rel delete --filter 'document#viewer@user:*'
- document#viewer no longer allows group#member: 1 relationship: document:s1#viewer@group:eng#member
  delete it: latch rel delete --filter 'document#viewer@group#member'
- document#viewer no longer allows user with expiration: 1 relationship: document:s1#viewer@user:cat[expiration:2100-01-01T00:00:00Z]
  delete it: latch rel delete 'document:s1#viewer@user:cat'
- relation 'document#banned' is removed: 2 relationships: document:s1#banned@user:ann, document:s2#banned@user:bob
  delete them: latch rel delete --filter 'document#banned'`;

describe("health", () => {
  it("answers grpc.health.v1.Health Check for the server and each service, and Watch", async () => {
    const { clients } = test();
    expect(await unary(clients.health, "Check", { service: "" })).toEqual({ status: "SERVING" });
    expect(await unary(clients.health, "Check", { service: "latch.v1.PermissionService" })).toEqual(
      {
        status: "SERVING",
      },
    );
    await expectStatus(unary(clients.health, "Check", { service: "nope" }), status.NOT_FOUND);
    const watch = (
      clients.health as unknown as Record<
        string,
        (r: JsonMessage) => grpc.ClientReadableStream<JsonMessage>
      >
    ).watch!({ service: "" });
    // Cancelling ends the call with CANCELLED, which is how a watch stops.
    watch.on("error", () => {});
    const first = await new Promise<JsonMessage>((resolve) => watch.once("data", resolve));
    watch.cancel();
    expect(first).toEqual({ status: "SERVING" });
  });

  it("answers /healthz and /readyz on the HTTP port", async () => {
    const { httpUrl } = test();
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", store: { ok: true } });
  });
});

describe("reflection", () => {
  for (const version of ["reflection", "reflectionAlpha"] as const) {
    it(`lists the services and serves their files (${version === "reflection" ? "v1" : "v1alpha"})`, async () => {
      const client = test().clients[version] as unknown as Record<
        string,
        () => grpc.ClientDuplexStream<JsonMessage, JsonMessage>
      >;
      const ask = (request: JsonMessage) =>
        new Promise<JsonMessage>((resolve, reject) => {
          const call = client.serverReflectionInfo!();
          call.once("data", (response: JsonMessage) => {
            resolve(response);
            call.end();
          });
          call.once("error", reject);
          call.write(request);
        });
      const listed = await ask({ listServices: "" });
      const names = listed.listServicesResponse.service.map((s: JsonMessage) => s.name);
      expect(names).toEqual(
        expect.arrayContaining([
          "latch.v1.PermissionService",
          "latch.v1.RelationshipService",
          "latch.v1.SchemaService",
          "grpc.health.v1.Health",
        ]),
      );
      const files = await ask({ fileContainingSymbol: "latch.v1.PermissionService" });
      expect(files.fileDescriptorResponse.fileDescriptorProto.length).toBeGreaterThan(0);
    });
  }
});

describe("reflection's files", () => {
  it("are the compiled files, each importing every file whose types it names", async () => {
    const client = test().clients.reflection as unknown as Record<
      string,
      () => grpc.ClientDuplexStream<JsonMessage, JsonMessage>
    >;
    const call = client.serverReflectionInfo!();
    const ask = (request: JsonMessage) =>
      new Promise<JsonMessage>((resolve, reject) => {
        call.once("data", resolve);
        call.once("error", reject);
        call.write(request);
      });
    const files = new Map<string, FileDescriptorProto>();
    const wanted: JsonMessage[] = [
      { fileContainingSymbol: "latch.v1.PermissionService" },
      { fileContainingSymbol: "latch.v1.AlertService" },
      { fileContainingSymbol: "authzed.api.v1.PermissionsService" },
    ];
    while (wanted.length > 0) {
      const response = await ask(wanted.pop()!);
      expect(response.errorResponse).toBeUndefined();
      for (const bytes of response.fileDescriptorResponse.fileDescriptorProto as Uint8Array[]) {
        const file = fromBinary(FileDescriptorProtoSchema, bytes);
        if (files.has(file.name)) continue;
        files.set(file.name, file);
        for (const name of file.dependency) wanted.push({ fileByFilename: name });
      }
    }
    call.end();
    expect([...files.keys()]).toEqual(
      expect.arrayContaining(["latch/v1/permission_service.proto", "google/protobuf/struct.proto"]),
    );
    // As Go's protodesc (k6, grpcurl) demands: a type named is defined in the file or an import.
    const defines = (file: FileDescriptorProto) => {
      const names = new Set<string>();
      const walk = (prefix: string, messages: FileDescriptorProto["messageType"]) => {
        for (const message of messages) {
          names.add(`${prefix}.${message.name}`);
          for (const nested of message.enumType)
            names.add(`${prefix}.${message.name}.${nested.name}`);
          walk(`${prefix}.${message.name}`, message.nestedType);
        }
      };
      walk(`.${file.package}`, file.messageType);
      for (const e of file.enumType) names.add(`.${file.package}.${e.name}`);
      return names;
    };
    for (const file of files.values()) {
      const visible = new Set(defines(file));
      for (const name of file.dependency) for (const t of defines(files.get(name)!)) visible.add(t);
      const named: string[] = [];
      const walk = (messages: FileDescriptorProto["messageType"]) => {
        for (const message of messages) {
          for (const field of message.field) if (field.typeName !== "") named.push(field.typeName);
          walk(message.nestedType);
        }
      };
      walk(file.messageType);
      for (const service of file.service) {
        for (const method of service.method) named.push(method.inputType, method.outputType);
      }
      expect(
        named.filter((name) => !visible.has(name)),
        file.name,
      ).toEqual([]);
    }
  });
});
