// Writes at the API edge over every transport: what changes nothing commits nothing; limits; unknown types refused.

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
  clientOf,
  drain,
  expectRefusal,
  type TransportName,
} from "./transports.js";

const test = useTestServer();

const relationships = (name: TransportName) => clientOf(test(), name, RelationshipService);
const permissions = (name: TransportName) => clientOf(test(), name, PermissionService);

const viewer = (id: string, user = "alice") => ({
  resource: { type: "document", id },
  relation: "viewer",
  subject: { object: { type: "user", id: user } },
});
const update = (operation: RelationshipUpdate_Operation, relationship: object) => ({
  operation,
  relationship,
});
const { TOUCH, DELETE } = RelationshipUpdate_Operation;
const aliceViews = {
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: { object: { type: "user", id: "alice" } },
};

beforeAll(async () => {
  await clientOf(test(), "grpc", SchemaService).writeSchema({ schema: TEST_SCHEMA });
});

describe.each(ALL_TRANSPORTS)("over %s", (name) => {
  it("answers a write that changes nothing with the current token, committing no revision", async () => {
    const written = await relationships(name).writeRelationships({
      updates: [update(TOUCH, viewer(`noop-${name}`))],
    });
    const head = await test().store.headRevision();
    const absent = await relationships(name).writeRelationships({
      updates: [update(DELETE, viewer(`noop-${name}`, "nobody"))],
    });
    expect(absent).toMatchObject({ writtenAt: written.writtenAt, deletedCount: 0n });
    const none = await relationships(name).deleteRelationships({
      filter: { resourceType: "document", resourceIds: ["nothing-here"] },
    });
    expect(none).toMatchObject({ deletedAt: written.writtenAt, deletedCount: 0n });
    expect(await test().store.headRevision()).toBe(head);
    const deleted = await relationships(name).writeRelationships({
      updates: [
        update(DELETE, viewer(`noop-${name}`)),
        update(DELETE, viewer(`noop-${name}`, "nobody")),
      ],
    });
    expect(deleted.deletedCount).toBe(1n);
    expect(await test().store.headRevision()).toBe(head + 1);
  });

  it("refuses more than 1,000 preconditions or bulk items with RESOURCE_EXHAUSTED", async () => {
    const precondition = {
      operation: 2,
      filter: { resourceType: "document", resourceIds: ["never"] },
    };
    await expectRefusal(
      test(),
      () =>
        relationships(name).writeRelationships({
          updates: [update(TOUCH, viewer(`cap-${name}`))],
          preconditions: Array.from({ length: 1001 }, () => precondition),
        }),
      Code.ResourceExhausted,
      "a write may hold at most 1000 preconditions, but 1001 were given",
    );
    const written = await relationships(name).writeRelationships({
      updates: [update(TOUCH, viewer(`cap-${name}`))],
      preconditions: Array.from({ length: 1000 }, () => precondition),
    });
    expect(written.writtenAt).toMatch(/^lt1_/);
    await expectRefusal(
      test(),
      () => permissions(name).checkBulk({ items: Array.from({ length: 1001 }, () => aliceViews) }),
      Code.ResourceExhausted,
      "items: 1001 checks is more than the limit of 1000 per call",
    );
    await expectRefusal(
      test(),
      () =>
        relationships(name).writeRelationships({
          updates: Array.from({ length: 1001 }, (_, i) => update(TOUCH, viewer(`many-${i}`))),
        }),
      Code.ResourceExhausted,
      "a write may hold at most 1000 updates, but 1001 were given",
    );
  });

  it("refuses a filter or a watch naming what the schema does not define", async () => {
    await expectRefusal(
      test(),
      () => relationships(name).deleteRelationships({ filter: { resourceType: "documents" } }),
      Code.InvalidArgument,
      "filter.resource_type: the schema has no definition 'documents'",
    );
    await expectRefusal(
      test(),
      () =>
        relationships(name).deleteRelationships({
          filter: { resourceType: "document", relation: "view" },
        }),
      Code.InvalidArgument,
      "filter.relation: definition 'document' has no relation 'view'; 'view' is a permission, and relationships are stored only for relations",
    );
    await expectRefusal(
      test(),
      () => relationships(name).deleteRelationships({ filter: { relation: "viewers" } }),
      Code.InvalidArgument,
      "filter.relation: no definition has relation 'viewers'",
    );
    await expectRefusal(
      test(),
      () =>
        relationships(name).deleteRelationships({
          filter: { subjectType: "group", subjectRelation: "members" },
        }),
      Code.InvalidArgument,
      "filter.subject_relation: definition 'group' has no relation or permission 'members'",
    );
    await expectRefusal(
      test(),
      () => drain(relationships(name).readRelationships({ filter: { subjectType: "users" } })),
      Code.InvalidArgument,
      "filter.subject_type: the schema has no definition 'users'",
    );
    await expectRefusal(
      test(),
      () =>
        relationships(name).writeRelationships({
          updates: [],
          preconditions: [{ operation: 1, filter: { resourceType: "folder" } }],
        }),
      Code.InvalidArgument,
      "preconditions[0].filter.resource_type: the schema has no definition 'folder'",
    );
    await expectRefusal(
      test(),
      () => drain(relationships(name).watch({ resourceTypes: ["document", "folder"] })),
      Code.InvalidArgument,
      "resource_types[1]: the schema has no definition 'folder'",
    );
    await expectRefusal(
      test(),
      () => drain(relationships(name).watch({ resourceTypes: ["Document"] })),
      Code.InvalidArgument,
      `invalid resource_types[0] "Document" at position 1`,
    );
  });
});

describe.each(ALL_TRANSPORTS)("ImportRelationships over %s", (name) => {
  it("answers an import of no message with the current token, committing no revision", async () => {
    const { writtenAt } = await relationships(name).writeRelationships({
      updates: [update(TOUCH, viewer(`import-${name}`))],
    });
    const head = await test().store.headRevision();
    const imported = await relationships(name).importRelationships((async function* () {})());
    expect(imported).toMatchObject({ importedCount: 0n, writtenAt });
    const empty = await relationships(name).importRelationships(
      (async function* () {
        yield { relationships: [] };
      })(),
    );
    expect(empty).toMatchObject({ importedCount: 0n, writtenAt });
    expect(await test().store.headRevision()).toBe(head);
  });
});
