// Values checked at the API edge over every transport: ids in filters, cursors, timestamps, caveat contexts.

import type { JsonObject } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { beforeAll, describe, expect, it } from "vitest";
import { PermissionService } from "../../src/gen/latch/v1/permission_service_pb.js";
import {
  RelationshipService,
  RelationshipUpdate_Operation,
} from "../../src/gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../../src/gen/latch/v1/schema_service_pb.js";
import { useTestServer } from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";
import {
  ALL_TRANSPORTS,
  BINARY_TRANSPORTS,
  clientOf,
  drain,
  expectRefusal,
  type TransportName,
} from "./transports.js";

const test = useTestServer();

const relationships = (name: TransportName) => clientOf(test(), name, RelationshipService);
const permissions = (name: TransportName) => clientOf(test(), name, PermissionService);

const viewer = (id: string, extra: object = {}) => ({
  resource: { type: "document", id },
  relation: "viewer",
  subject: { object: { type: "user", id: "alice" } },
  ...extra,
});
const touch = (relationship: object) => ({
  operation: RelationshipUpdate_Operation.TOUCH,
  relationship,
});
const aliceViews = {
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: { object: { type: "user", id: "alice" } },
};

/** nested is a context `{a: {a: ... {region: "eu"}}}` that nests depth levels in all. */
function nested(depth: number): JsonObject {
  let context: JsonObject = { region: "eu" };
  for (let level = 1; level < depth; level++) context = { a: context };
  return context;
}

beforeAll(async () => {
  await clientOf(test(), "grpc", SchemaService).writeSchema({ schema: TEST_SCHEMA });
  await relationships("grpc").writeRelationships({ updates: [touch(viewer("plan"))] });
});

describe.each(ALL_TRANSPORTS)("over %s", (name) => {
  it("refuses a NUL character in a filter's ids, writing nothing", async () => {
    const nul = "a\u0000b";
    await expectRefusal(
      test(),
      () =>
        relationships(name).deleteRelationships({
          filter: { resourceType: "document", resourceIds: ["plan", nul] },
        }),
      Code.InvalidArgument,
      `invalid filter.resource_ids[1] "a\\u0000b" at position 2: U+0000 is not allowed`,
    );
    await expectRefusal(
      test(),
      () => drain(relationships(name).readRelationships({ filter: { subjectIds: [nul] } })),
      Code.InvalidArgument,
      "invalid filter.subject_ids[0]",
      "U+0000",
    );
    await expectRefusal(
      test(),
      () =>
        relationships(name).writeRelationships({
          updates: [touch(viewer("pre"))],
          preconditions: [
            { operation: 1, filter: { resourceType: "document", resourceIds: [nul] } },
          ],
        }),
      Code.InvalidArgument,
      "invalid preconditions[0].filter.resource_ids[0]",
    );
  });

  it("refuses a cursor Latch did not return: a NUL, a 1 MiB one, a lookup's", async () => {
    for (const cursor of ["document:plan\u0000", "x".repeat(1 << 20), "not a key"]) {
      await expectRefusal(
        test(),
        () => drain(relationships(name).readRelationships({ filter: {}, cursor })),
        Code.InvalidArgument,
        "cursor: not a cursor Latch returned (an after_cursor is a relationship's key)",
      );
    }
    await expectRefusal(
      test(),
      () =>
        drain(
          relationships(name).exportRelationships({ cursor: "document:plan#viewer@user:a[abc]" }),
        ),
      Code.InvalidArgument,
      "cursor: not a cursor Latch returned",
      "it holds more than a relationship's key",
    );
    const lookup = { resourceType: "document", permission: "view", subject: aliceViews.subject };
    await expectRefusal(
      test(),
      () => drain(permissions(name).lookupResources({ ...lookup, cursor: "x".repeat(1 << 20) })),
      Code.InvalidArgument,
      "cursor: malformed lookup cursor: 1048576 characters, more than any this lookup returns",
    );
    // A cursor Latch returned still resumes.
    const [first] = await drain(relationships(name).readRelationships({ filter: {}, limit: 1 }));
    expect(first?.afterCursor).toBe("document:plan#viewer@user:alice");
    const rest = relationships(name).readRelationships({ filter: {}, cursor: first!.afterCursor });
    expect(await drain(rest)).toEqual([]);
  });

  it("refuses a caveat context nested deeper than 32 levels, anywhere it is taken", async () => {
    const context = nested(40);
    const deep = "context.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a";
    const message = `${deep}: nests deeper than 32 levels of objects and lists`;
    await expectRefusal(
      test(),
      () => permissions(name).check({ ...aliceViews, context }),
      Code.InvalidArgument,
      message,
    );
    await expectRefusal(
      test(),
      () =>
        drain(
          permissions(name).lookupResources({
            resourceType: "document",
            permission: "view",
            subject: aliceViews.subject,
            context,
          }),
        ),
      Code.InvalidArgument,
      message,
    );
    await expectRefusal(
      test(),
      () =>
        relationships(name).writeRelationships({
          updates: [touch(viewer("deep", { caveat: { name: "in_region", context } }))],
        }),
      Code.InvalidArgument,
      `updates[0].relationship.caveat.${message}`,
    );
    const bulk = await permissions(name).checkBulk({
      items: [aliceViews, { ...aliceViews, context }],
    });
    expect(bulk.pairs.map((pair) => pair.response.case)).toEqual(["item", "error"]);
    expect(bulk.pairs[1]?.response.value).toMatchObject({
      code: Code.InvalidArgument,
      message: `items[1].${message}`,
    });
    // 32 levels are taken.
    const answer = await permissions(name).check({ ...aliceViews, context: nested(32) });
    expect(answer.checkedAt).toMatch(/^lt1_/);
  });

  it("refuses a context string holding U+0000, and a context longer than 64 KiB", async () => {
    await expectRefusal(
      test(),
      () =>
        relationships(name).writeRelationships({
          updates: [
            touch(
              viewer("nul", { caveat: { name: "in_region", context: { region: "e\u0000u" } } }),
            ),
          ],
        }),
      Code.InvalidArgument,
      "updates[0].relationship.caveat.context.region: a string holds U+0000 at position 2, which JSON stores refuse",
    );
    await expectRefusal(
      test(),
      () => permissions(name).check({ ...aliceViews, context: { region: "x".repeat(70_000) } }),
      Code.InvalidArgument,
      "context: is 70013 characters long as JSON, more than the limit of 65536",
    );
  });
});

describe.each(BINARY_TRANSPORTS)("over %s (values JSON cannot write)", (name) => {
  it("refuses an expiry outside 0001-01-01 to 9999-12-31 or nanos outside 0 to 999,999,999", async () => {
    const cases: [object, string][] = [
      [
        { seconds: 2n ** 62n, nanos: 0 },
        "updates[0].relationship.expires_at.seconds: must be -62135596800 (0001-01-01T00:00:00Z) to 253402300799 (9999-12-31T23:59:59Z), got 4611686018427387904",
      ],
      [{ seconds: -62_135_596_801n, nanos: 0 }, "expires_at.seconds: must be"],
      [
        { seconds: 4_102_444_800n, nanos: -1 },
        "updates[0].relationship.expires_at.nanos: must be 0 to 999999999, got -1",
      ],
      [{ seconds: 4_102_444_800n, nanos: 1_000_000_000 }, "got 1000000000"],
    ];
    for (const [expiresAt, message] of cases) {
      await expectRefusal(
        test(),
        () =>
          relationships(name).writeRelationships({ updates: [touch(viewer("t", { expiresAt }))] }),
        Code.InvalidArgument,
        message,
      );
    }
  });

  it("refuses a context number that is not finite", async () => {
    await expectRefusal(
      test(),
      () => permissions(name).check({ ...aliceViews, context: { n: Number.NaN } }),
      Code.InvalidArgument,
      "context.n: NaN is not a JSON number",
    );
  });
});

describe("over connect-json (strings JSON can write and protobuf cannot)", () => {
  it("refuses an unpaired surrogate in a context string", async () => {
    const response = await fetch(`${test().httpUrl}/latch.v1.PermissionService/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...aliceViews, context: { region: "x\ud800" } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: "invalid_argument",
      message:
        "context.region: a string holds an unpaired surrogate U+D800 at position 2, which is not Unicode text",
    });
  });
});
