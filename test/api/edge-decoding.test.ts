// Request bodies that do not decode, and content types a method does not take, on both ports.

import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { CheckRequestSchema } from "../../src/gen/latch/v1/permission_service_pb.js";
import { ImportRelationshipsRequestSchema } from "../../src/gen/latch/v1/relationship_service_pb.js";
import { relationship, useTestServer, writeTestData } from "./api-harness.js";
import { envelope } from "./transports.js";

const test = useTestServer();

/** Bytes that are no message: a length-delimited field 1 whose length runs past the end. */
const TRUNCATED = Uint8Array.from([0x0a, 0xff, 0xff]);
const aliceViews = {
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: { object: { type: "user", id: "alice" } },
};
const CHECK = toBinary(CheckRequestSchema, create(CheckRequestSchema, aliceViews));

const post = (path: string, type: string, body: Uint8Array | string) =>
  fetch(`${test().httpUrl}/${path}`, {
    method: "POST",
    headers: { "content-type": type },
    body,
  });

beforeAll(async () => {
  await writeTestData(test().clients, [relationship("document:plan", "viewer", "user:alice")]);
});

/** grpcRaw calls path on the gRPC port with bytes as the request, resolving with its status. */
function grpcRaw(
  path: string,
  kind: "unary" | "server" | "client",
  requests: readonly Uint8Array[],
): Promise<grpc.StatusObject> {
  const client = new grpc.Client(
    `127.0.0.1:${test().server.grpcPort}`,
    grpc.credentials.createInsecure(),
  );
  const bytes = (b: Buffer) => b;
  return new Promise<grpc.StatusObject>((resolve) => {
    const done = (error: grpc.ServiceError | null) =>
      resolve(error ?? { code: grpc.status.OK, details: "", metadata: new grpc.Metadata() });
    if (kind === "unary") {
      client.makeUnaryRequest(path, bytes, bytes, Buffer.from(requests[0]!), done);
    } else if (kind === "server") {
      const call = client.makeServerStreamRequest(path, bytes, bytes, Buffer.from(requests[0]!));
      call.on("data", () => {});
      call.on("status", resolve);
      call.on("error", () => {});
    } else {
      const call = client.makeClientStreamRequest(path, bytes, bytes, done);
      for (const request of requests) call.write(Buffer.from(request));
      call.end();
    }
  }).finally(() => client.close());
}

describe("a request message that does not decode", () => {
  it("is INVALID_ARGUMENT over gRPC, naming the message, for every kind of method", async () => {
    const unary = await grpcRaw("/latch.v1.PermissionService/Check", "unary", [TRUNCATED]);
    expect(unary).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details:
        "cannot decode the request as a latch.v1.CheckRequest in protobuf's binary format: premature EOF",
    });
    const stream = await grpcRaw("/latch.v1.RelationshipService/ReadRelationships", "server", [
      TRUNCATED,
    ]);
    expect(stream).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringContaining("as a latch.v1.ReadRelationshipsRequest"),
    });
    const before = await test().store.headRevision();
    const valid = toBinary(
      ImportRelationshipsRequestSchema,
      create(ImportRelationshipsRequestSchema, {
        relationships: [
          {
            resource: { type: "document", id: "imported" },
            relation: "viewer",
            subject: { object: { type: "user", id: "bob" } },
          },
        ],
      }),
    );
    const imported = await grpcRaw("/latch.v1.RelationshipService/ImportRelationships", "client", [
      valid,
      TRUNCATED,
    ]);
    expect(imported).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringContaining("as a latch.v1.ImportRelationshipsRequest"),
    });
    expect(await test().store.headRevision()).toBe(before);
  });

  it("is 400 invalid_argument over Connect, JSON or protobuf, unary or streaming", async () => {
    const proto = await post("latch.v1.PermissionService/Check", "application/proto", TRUNCATED);
    expect(proto.status).toBe(400);
    expect(await proto.json()).toEqual({
      code: "invalid_argument",
      message:
        "cannot decode the request as a latch.v1.CheckRequest in protobuf's binary format: premature EOF",
    });
    const json = await post("latch.v1.PermissionService/Check", "application/json", "{nope");
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining("cannot decode message latch.v1.CheckRequest from JSON"),
    });
    const stream = await post(
      "latch.v1.RelationshipService/ReadRelationships",
      "application/connect+proto",
      envelope(TRUNCATED),
    );
    expect(stream.status).toBe(200);
    const body = new Uint8Array(await stream.arrayBuffer());
    expect(body[0]).toBe(2);
    expect(JSON.parse(new TextDecoder().decode(body.subarray(5)))).toEqual({
      error: {
        code: "invalid_argument",
        message:
          "cannot decode the request as a latch.v1.ReadRelationshipsRequest in protobuf's binary format: premature EOF",
      },
    });
  });

  it("is grpc-status 3 over gRPC-Web, and a valid frame still answers", async () => {
    const bad = await post(
      "latch.v1.PermissionService/Check",
      "application/grpc-web+proto",
      envelope(TRUNCATED),
    );
    expect(bad.status).toBe(200);
    const trailer = new TextDecoder().decode(new Uint8Array(await bad.arrayBuffer()).subarray(5));
    expect(trailer).toMatch(/grpc-status: ?3\r\n/);
    expect(decodeURIComponent(trailer)).toContain("as a latch.v1.CheckRequest");
    const unnamed = await post(
      "latch.v1.PermissionService/Check",
      "application/grpc-web+proto",
      envelope(CHECK, 1),
    );
    const refusal = decodeURIComponent(new TextDecoder().decode(await unnamed.arrayBuffer()));
    expect(refusal).toMatch(/grpc-status: ?3\r\n/);
    expect(refusal).toContain(
      "a request message is marked compressed, but the request names no compression: send the header grpc-encoding",
    );
    const good = await post(
      "latch.v1.PermissionService/Check",
      "application/grpc-web+proto",
      envelope(CHECK),
    );
    const answer = new Uint8Array(await good.arrayBuffer());
    expect(answer[0]).toBe(0);
    expect(new TextDecoder().decode(answer)).toMatch(/grpc-status: ?0/);
  });
});

describe("a content type the method does not take", () => {
  it("answers 415 with a body that says how to call a streaming method over HTTP", async () => {
    const response = await post(
      "latch.v1.RelationshipService/ReadRelationships",
      "application/json",
      JSON.stringify({ filter: {} }),
    );
    expect(response.status).toBe(415);
    expect(response.headers.get("accept-post")).toBe(
      "application/connect+json, application/connect+proto",
    );
    expect(await response.json()).toEqual({
      code: "invalid_argument",
      message:
        'latch.v1.RelationshipService/ReadRelationships is a server-streaming method: over HTTP, send content-type application/connect+json (or application/connect+proto) and each request message in an envelope: a flags byte 0, the message\'s length in bytes as 4 bytes big-endian, then the message; responses come in the same envelopes, and the last one, flags byte 2, holds {} or {"error":{...}}',
    });
    const unary = await post("latch.v1.PermissionService/Check", "text/plain", "{}");
    expect(unary.status).toBe(415);
    expect(((await unary.json()) as { message: string }).message).toBe(
      "latch.v1.PermissionService/Check is a unary method: send content-type application/json (or application/proto), the request message as the body",
    );
  });

  it("serves the streaming method in Connect's envelopes, and unary JSON as before", async () => {
    const request = new TextEncoder().encode(
      JSON.stringify({ filter: { resourceType: "document" } }),
    );
    const response = await post(
      "latch.v1.RelationshipService/ReadRelationships",
      "application/connect+json",
      envelope(request),
    );
    expect(response.status).toBe(200);
    const body = new Uint8Array(await response.arrayBuffer());
    const frames: [number, unknown][] = [];
    for (let at = 0; at < body.length; ) {
      const length = new DataView(body.buffer, at + 1, 4).getUint32(0);
      const json = new TextDecoder().decode(body.subarray(at + 5, at + 5 + length));
      frames.push([body[at]!, JSON.parse(json)]);
      at += 5 + length;
    }
    expect(frames).toEqual([
      [
        0,
        expect.objectContaining({
          relationship: expect.objectContaining({ relation: "viewer" }),
        }),
      ],
      [2, {}],
    ]);
    const unary = await post(
      "latch.v1.PermissionService/Check",
      "application/json",
      JSON.stringify(aliceViews),
    );
    expect(unary.status).toBe(200);
    expect(await unary.json()).toMatchObject({ result: "CHECK_RESULT_ALLOWED" });
  });
});
