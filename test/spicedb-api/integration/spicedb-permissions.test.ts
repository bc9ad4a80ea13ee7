// SpiceDB's PermissionsService and SchemaService on Latch, through @authzed/authzed-node unchanged.

import { v1 } from "@authzed/authzed-node";
import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_SCHEMA } from "../../api/api-schema.js";
import { waitFor } from "../../support/wait-for.js";
import {
  consistentAt,
  create,
  expectSpiceError,
  FULLY_CONSISTENT,
  obj,
  rel,
  relText,
  remove,
  subj,
  touch,
  useSpiceTestServer,
} from "./spicedb-harness.js";

const test = useSpiceTestServer();
let written: v1.ZedToken | undefined;

const Permissionship = v1.CheckPermissionResponse_Permissionship;

beforeAll(async () => {
  const { spice } = test();
  await spice.writeSchema(v1.WriteSchemaRequest.create({ schema: TEST_SCHEMA }));
  const inRegion = v1.ContextualizedCaveat.create({
    caveatName: "in_region",
    context: v1.PbStruct.fromJson({ allowed: ["eu"] }),
  });
  const response = await spice.writeRelationships(
    v1.WriteRelationshipsRequest.create({
      updates: [
        touch(rel("document:plan#owner@user:olga")),
        touch(rel("document:plan#viewer@group:eng#member")),
        touch(rel("group:eng#member@user:alice")),
        touch(rel("group:eng#member@user:mallory")),
        touch(rel("document:plan#banned@user:mallory")),
        touch(rel("document:memo#viewer@user:carl", { optionalCaveat: inRegion })),
        touch(
          rel("document:memo#viewer@user:dana", {
            optionalExpiresAt: {
              seconds: String(Math.floor(Date.now() / 1000) + 3600),
              nanos: 0,
            },
          }),
        ),
      ],
    }),
  );
  written = response.writtenAt;
});

const check = (resource: string, permission: string, subject: string, context?: object) =>
  test().spice.checkPermission(
    v1.CheckPermissionRequest.create({
      resource: obj(resource),
      permission,
      subject: subj(subject),
      consistency: consistentAt(written),
      ...(context === undefined ? {} : { context: v1.PbStruct.fromJson(context as never) }),
    }),
  );

describe("schema", () => {
  it("reads back the schema written, with a ZedToken", async () => {
    const read = await test().spice.readSchema(v1.ReadSchemaRequest.create());
    expect(read.schemaText).toBe(TEST_SCHEMA);
    expect(read.readAt?.token).not.toBe("");
  });

  it("refuses a schema that does not parse, INVALID_ARGUMENT with SCHEMA_PARSE_ERROR", async () => {
    await expectSpiceError(
      test().spice.writeSchema(v1.WriteSchemaRequest.create({ schema: "definition {" })),
      status.INVALID_ARGUMENT,
      "ERROR_REASON_SCHEMA_PARSE_ERROR",
    );
  });
});

describe("CheckPermission", () => {
  it("answers through groups and exclusions at the written token", async () => {
    expect((await check("document:plan", "view", "user:alice")).permissionship).toBe(
      Permissionship.HAS_PERMISSION,
    );
    expect((await check("document:plan", "view", "user:mallory")).permissionship).toBe(
      Permissionship.NO_PERMISSION,
    );
    const answer = await check("document:plan", "edit", "user:olga");
    expect(answer.permissionship).toBe(Permissionship.HAS_PERMISSION);
    expect(answer.checkedAt?.token).not.toBe("");
  });

  it("is conditional with the missing context named, then decided by the context", async () => {
    const conditional = await check("document:memo", "view", "user:carl");
    expect(conditional.permissionship).toBe(Permissionship.CONDITIONAL_PERMISSION);
    expect(conditional.partialCaveatInfo?.missingRequiredContext).toEqual(["region"]);
    expect(
      (await check("document:memo", "view", "user:carl", { region: "eu" })).permissionship,
    ).toBe(Permissionship.HAS_PERMISSION);
    expect(
      (await check("document:memo", "view", "user:carl", { region: "us" })).permissionship,
    ).toBe(Permissionship.NO_PERMISSION);
  });

  it("grants through an expiring relationship and says when it expires", async () => {
    const answer = await check("document:memo", "view", "user:dana");
    expect(answer.permissionship).toBe(Permissionship.HAS_PERMISSION);
    expect(Number(answer.optionalExpiresAt?.seconds)).toBeGreaterThan(Date.now() / 1000);
  });

  it("stops granting once the relationship expires", async () => {
    const { spice } = test();
    const expiresAt = new Date(Date.now() + 1500);
    const seconds = Math.floor(expiresAt.getTime() / 1000);
    const nanos = (expiresAt.getTime() % 1000) * 1_000_000;
    const { writtenAt } = await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: [
          touch(
            rel("document:brief#viewer@user:erin", {
              optionalExpiresAt: { seconds: String(seconds), nanos },
            }),
          ),
        ],
      }),
    );
    written = writtenAt;
    expect((await check("document:brief", "view", "user:erin")).permissionship).toBe(
      Permissionship.HAS_PERMISSION,
    );
    await waitFor(
      "the expiry to end the grant",
      async () =>
        (await check("document:brief", "view", "user:erin")).permissionship ===
        Permissionship.NO_PERMISSION,
      10_000,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());
  });

  it("answers unknown definitions and relations FAILED_PRECONDITION with SpiceDB's reasons", async () => {
    await expectSpiceError(
      check("folder:x", "view", "user:alice"),
      status.FAILED_PRECONDITION,
      "ERROR_REASON_UNKNOWN_DEFINITION",
    );
    await expectSpiceError(
      check("document:plan", "nope", "user:alice"),
      status.FAILED_PRECONDITION,
      "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION",
    );
  });

  it("answers a malformed id INVALID_ARGUMENT, naming the field", async () => {
    const error = await expectSpiceError(
      check("document:a b", "view", "user:alice"),
      status.INVALID_ARGUMENT,
    );
    expect(error.details).toContain("resource");
  });
});

/** TracedCheck is a node of SpiceDB's debug trace, as a response carries it. */
type TracedCheck = NonNullable<NonNullable<v1.CheckPermissionResponse["debugTrace"]>["check"]>;

/**
 * traceLines renders a debug trace one check a line, indented by depth: `resource#permission
 * TYPE RESULT`, with the caveat's name and result when it has one.
 */
function traceLines(trace: TracedCheck | undefined, depth = 0): string[] {
  if (trace === undefined) return [];
  const types = ["UNSPECIFIED", "RELATION", "PERMISSION"];
  const results = ["UNSPECIFIED", "NO", "HAS", "CONDITIONAL"];
  const caveat = trace.caveatEvaluationInfo;
  const line = `${"  ".repeat(depth)}${trace.resource?.objectType}:${trace.resource?.objectId}#${trace.permission} ${types[trace.permissionType]} ${results[trace.result]}${caveat ? ` [${caveat.caveatName} ${caveat.result}]` : ""}`;
  const subs =
    trace.resolution.oneofKind === "subProblems" ? trace.resolution.subProblems.traces : [];
  return [line, ...subs.flatMap((sub) => traceLines(sub, depth + 1))];
}

describe("CheckPermission with_tracing", () => {
  const traced = (resource: string, permission: string, subject: string) =>
    test().spice.checkPermission(
      v1.CheckPermissionRequest.create({
        resource: obj(resource),
        permission,
        subject: subj(subject),
        consistency: consistentAt(written),
        withTracing: true,
      }),
    );

  it("answers with the proof as SpiceDB's trace: each check, its type, result and sub-problems", async () => {
    const answer = await traced("document:plan", "view", "user:alice");
    expect(answer.permissionship).toBe(Permissionship.HAS_PERMISSION);
    const trace = answer.debugTrace?.check;
    expect(answer.debugTrace?.schemaUsed).toBe(TEST_SCHEMA);
    expect(
      relText({
        resource: trace?.resource,
        relation: "",
        subject: trace?.subject,
      } as v1.Relationship),
    ).toBe("document:plan#@user:alice");
    const lines = traceLines(trace);
    expect(lines[0]).toBe("document:plan#view PERMISSION HAS");
    expect(lines).toContain("  document:plan#viewer RELATION HAS");
    expect(lines).toContain("    group:eng#member RELATION HAS");
    expect(lines.join("\n")).toMatch(/^ {2}document:plan#banned RELATION NO$/m);
  });

  it("names a caveat's evaluation and missing context on the relation that used it", async () => {
    const answer = await traced("document:memo", "view", "user:carl");
    expect(answer.permissionship).toBe(Permissionship.CONDITIONAL_PERMISSION);
    const lines = traceLines(answer.debugTrace?.check);
    expect(lines[0]).toBe("document:memo#view PERMISSION CONDITIONAL");
    expect(lines).toContain("  document:memo#viewer RELATION CONDITIONAL [in_region 4]");
    const find = (t: TracedCheck | undefined): TracedCheck | undefined =>
      t?.caveatEvaluationInfo !== undefined
        ? t
        : t?.resolution.oneofKind === "subProblems"
          ? t.resolution.subProblems.traces.map(find).find((x) => x !== undefined)
          : undefined;
    const info = find(answer.debugTrace?.check)?.caveatEvaluationInfo;
    expect(info?.partialCaveatInfo?.missingRequiredContext).toEqual(["region"]);
    expect(v1.PbStruct.toJson(info!.context!)).toEqual({ allowed: ["eu"] });
  });

  it("starts at the permission asked when it only names another", async () => {
    const lines = traceLines(
      (await traced("document:plan", "edit", "user:olga")).debugTrace?.check,
    );
    expect(lines.slice(0, 2)).toEqual([
      "document:plan#edit PERMISSION HAS",
      "  document:plan#owner RELATION HAS",
    ]);
  });

  it("sends no trace unless asked, and one per item of a bulk check asked with tracing", async () => {
    expect((await check("document:plan", "view", "user:alice")).debugTrace).toBeUndefined();
    const bulk = await test().spice.checkBulkPermissions(
      v1.CheckBulkPermissionsRequest.create({
        consistency: consistentAt(written),
        withTracing: true,
        items: [
          { resource: obj("document:plan"), permission: "view", subject: subj("user:mallory") },
        ],
      }),
    );
    const [pair] = bulk.pairs;
    const item = pair?.response.oneofKind === "item" ? pair.response.item : undefined;
    expect(item?.permissionship).toBe(Permissionship.NO_PERMISSION);
    const lines = traceLines(item?.debugTrace?.check);
    expect(lines[0]).toBe("document:plan#view PERMISSION NO");
    expect(lines).toContain("  document:plan#banned RELATION HAS");
  });
});

describe("CheckBulkPermissions", () => {
  it("answers each item in order, an error item among them", async () => {
    const item = (resource: string, permission: string, subject: string, context?: object) =>
      v1.CheckBulkPermissionsRequestItem.create({
        resource: obj(resource),
        permission,
        subject: subj(subject),
        ...(context === undefined ? {} : { context: v1.PbStruct.fromJson(context as never) }),
      });
    const answer = await test().spice.checkBulkPermissions(
      v1.CheckBulkPermissionsRequest.create({
        consistency: consistentAt(written),
        items: [
          item("document:plan", "view", "user:alice"),
          item("document:plan", "view", "user:mallory"),
          item("document:memo", "view", "user:carl"),
          item("document:memo", "view", "user:carl", { region: "eu" }),
          item("document:plan", "nope", "user:alice"),
        ],
      }),
    );
    expect(answer.checkedAt?.token).not.toBe("");
    const results = answer.pairs.map((pair) =>
      pair.response.oneofKind === "item"
        ? [
            pair.response.item.permissionship,
            pair.response.item.partialCaveatInfo?.missingRequiredContext,
          ]
        : ["error", pair.response.oneofKind === "error" ? pair.response.error.code : undefined],
    );
    expect(results).toEqual([
      [Permissionship.HAS_PERMISSION, undefined],
      [Permissionship.NO_PERMISSION, undefined],
      [Permissionship.CONDITIONAL_PERMISSION, ["region"]],
      [Permissionship.HAS_PERMISSION, undefined],
      ["error", status.INVALID_ARGUMENT],
    ]);
    expect(answer.pairs[0]?.request?.resource?.objectId).toBe("plan");
  });

  it("refuses more items than the limit, with TOO_MANY_CHECKS_IN_REQUEST", async () => {
    const items = Array.from({ length: 1001 }, () =>
      v1.CheckBulkPermissionsRequestItem.create({
        resource: obj("document:plan"),
        permission: "view",
        subject: subj("user:alice"),
      }),
    );
    await expectSpiceError(
      test().spice.checkBulkPermissions(v1.CheckBulkPermissionsRequest.create({ items })),
      status.INVALID_ARGUMENT,
      "ERROR_REASON_TOO_MANY_CHECKS_IN_REQUEST",
    );
  });
});

describe("lookups", () => {
  it("looks up resources page by page with cursors", async () => {
    const { spice } = test();
    await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: ["a", "b", "c", "d", "e"].map((id) =>
          touch(rel(`document:lr-${id}#viewer@user:lou`)),
        ),
      }),
    );
    const found: string[] = [];
    let cursor: v1.Cursor | undefined;
    for (let page = 0; page < 10; page++) {
      const answers = await spice.lookupResources(
        v1.LookupResourcesRequest.create({
          resourceObjectType: "document",
          permission: "view",
          subject: subj("user:lou"),
          consistency: FULLY_CONSISTENT,
          optionalLimit: 2,
          ...(cursor === undefined ? {} : { optionalCursor: cursor }),
        }),
      );
      expect(answers.length).toBeLessThanOrEqual(2);
      found.push(...answers.map((a) => a.resourceObjectId));
      if (answers.length < 2) break;
      cursor = answers.at(-1)?.afterResultCursor;
    }
    expect(found.sort()).toEqual(["lr-a", "lr-b", "lr-c", "lr-d", "lr-e"]);
  });

  it("looks up a conditional resource with its missing context", async () => {
    const answers = await test().spice.lookupResources(
      v1.LookupResourcesRequest.create({
        resourceObjectType: "document",
        permission: "view",
        subject: subj("user:carl"),
        consistency: consistentAt(written),
      }),
    );
    expect(
      answers.map((a) => [
        a.resourceObjectId,
        a.permissionship,
        a.partialCaveatInfo?.missingRequiredContext,
      ]),
    ).toEqual([["memo", v1.LookupPermissionship.CONDITIONAL_PERMISSION, ["region"]]]);
  });

  it("looks up subjects, excluding the banned", async () => {
    const answers = await test().spice.lookupSubjects(
      v1.LookupSubjectsRequest.create({
        resource: obj("document:plan"),
        permission: "view",
        subjectObjectType: "user",
        consistency: consistentAt(written),
      }),
    );
    expect(answers.map((a) => a.subjectObjectId).sort()).toEqual(["alice", "olga"]);
    expect(answers.every((a) => a.subject?.subjectObjectId === a.subjectObjectId)).toBe(true);
  });
});

describe("ExpandPermissionTree", () => {
  it("expands a permission into SpiceDB's tree", async () => {
    const answer = await test().spice.expandPermissionTree(
      v1.ExpandPermissionTreeRequest.create({
        resource: obj("document:plan"),
        permission: "view",
        consistency: consistentAt(written),
      }),
    );
    const root = answer.treeRoot;
    expect(root?.expandedRelation).toBe("view");
    expect(root?.treeType.oneofKind).toBe("intermediate");
    const leaves: string[] = [];
    const walk = (node: v1.PermissionRelationshipTree | undefined) => {
      if (node?.treeType.oneofKind === "leaf") {
        for (const s of node.treeType.leaf.subjects) {
          leaves.push(
            `${s.object?.objectType}:${s.object?.objectId}${s.optionalRelation ? `#${s.optionalRelation}` : ""}`,
          );
        }
      } else if (node?.treeType.oneofKind === "intermediate") {
        node.treeType.intermediate.children.forEach(walk);
      }
    };
    walk(root);
    expect(leaves.sort()).toEqual(["group:eng#member", "user:mallory", "user:olga"]);
  });
});

describe("writes", () => {
  it("CREATE of an existing relationship fails ALREADY_EXISTS; TOUCH succeeds; DELETE removes", async () => {
    const { spice } = test();
    const r = rel("document:w1#viewer@user:wes");
    const write = (update: v1.RelationshipUpdate) =>
      spice.writeRelationships(v1.WriteRelationshipsRequest.create({ updates: [update] }));
    await write(create(r));
    await expectSpiceError(
      write(create(r)),
      status.ALREADY_EXISTS,
      "ERROR_REASON_ATTEMPT_TO_RECREATE_RELATIONSHIP",
    );
    await write(touch(r));
    const removed = await write(remove(r));
    const after = await spice.checkPermission(
      v1.CheckPermissionRequest.create({
        resource: obj("document:w1"),
        permission: "view",
        subject: subj("user:wes"),
        consistency: consistentAt(removed.writtenAt),
      }),
    );
    expect(after.permissionship).toBe(Permissionship.NO_PERMISSION);
  });

  it("applies preconditions: a failed one writes nothing and says WRITE_OR_DELETE_PRECONDITION_FAILURE", async () => {
    const { spice } = test();
    const mustMatch = (filter: v1.RelationshipFilter, operation: v1.Precondition_Operation) =>
      v1.Precondition.create({ operation, filter });
    const ownerFilter = v1.RelationshipFilter.create({
      resourceType: "document",
      optionalResourceId: "plan",
      optionalRelation: "owner",
      optionalSubjectFilter: { subjectType: "user", optionalSubjectId: "olga" },
    });
    await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: [touch(rel("document:pre#viewer@user:pat"))],
        optionalPreconditions: [mustMatch(ownerFilter, v1.Precondition_Operation.MUST_MATCH)],
      }),
    );
    await expectSpiceError(
      spice.writeRelationships(
        v1.WriteRelationshipsRequest.create({
          updates: [touch(rel("document:pre#viewer@user:quinn"))],
          optionalPreconditions: [mustMatch(ownerFilter, v1.Precondition_Operation.MUST_NOT_MATCH)],
        }),
      ),
      status.FAILED_PRECONDITION,
      "ERROR_REASON_WRITE_OR_DELETE_PRECONDITION_FAILURE",
    );
    const read = await spice.readRelationships(
      v1.ReadRelationshipsRequest.create({
        consistency: FULLY_CONSISTENT,
        relationshipFilter: { resourceType: "document", optionalResourceId: "pre" },
      }),
    );
    expect(read.map((r) => relText(r.relationship))).toEqual(["document:pre#viewer@user:pat"]);
  });

  it("refuses a relationship the schema does not allow, INVALID_ARGUMENT, writing nothing", async () => {
    await expectSpiceError(
      test().spice.writeRelationships(
        v1.WriteRelationshipsRequest.create({
          updates: [touch(rel("document:x#owner@group:eng"))],
        }),
      ),
      status.INVALID_ARGUMENT,
    );
  });
});

describe("read and delete by filter", () => {
  it("reads page by page with a limit and cursors, then deletes with limits", async () => {
    const { spice } = test();
    const ids = ["1", "2", "3", "4", "5"];
    await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: ids.map((id) => touch(rel(`document:rd#viewer@user:r${id}`))),
      }),
    );
    const filter = v1.RelationshipFilter.create({
      resourceType: "document",
      optionalResourceId: "rd",
    });
    const seen: string[] = [];
    let cursor: v1.Cursor | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await spice.readRelationships(
        v1.ReadRelationshipsRequest.create({
          consistency: FULLY_CONSISTENT,
          relationshipFilter: filter,
          optionalLimit: 2,
          ...(cursor === undefined ? {} : { optionalCursor: cursor }),
        }),
      );
      seen.push(...rows.map((r) => relText(r.relationship)));
      if (rows.length < 2) break;
      cursor = rows.at(-1)?.afterResultCursor;
    }
    expect(seen.sort()).toEqual(ids.map((id) => `document:rd#viewer@user:r${id}`));

    await expectSpiceError(
      spice.deleteRelationships(
        v1.DeleteRelationshipsRequest.create({ relationshipFilter: filter, optionalLimit: 2 }),
      ),
      status.INVALID_ARGUMENT,
      "ERROR_REASON_TOO_MANY_RELATIONSHIPS_FOR_TRANSACTIONAL_DELETE",
    );
    const partial = await spice.deleteRelationships(
      v1.DeleteRelationshipsRequest.create({
        relationshipFilter: filter,
        optionalLimit: 2,
        optionalAllowPartialDeletions: true,
      }),
    );
    expect(partial.deletionProgress).toBe(v1.DeleteRelationshipsResponse_DeletionProgress.PARTIAL);
    expect(partial.relationshipsDeletedCount).toBe("2");
    const rest = await spice.deleteRelationships(
      v1.DeleteRelationshipsRequest.create({ relationshipFilter: filter }),
    );
    expect(rest.deletionProgress).toBe(v1.DeleteRelationshipsResponse_DeletionProgress.COMPLETE);
    expect(rest.relationshipsDeletedCount).toBe("3");
    const left = await spice.readRelationships(
      v1.ReadRelationshipsRequest.create({
        consistency: consistentAt(rest.deletedAt),
        relationshipFilter: filter,
      }),
    );
    expect(left).toEqual([]);
  });
});

describe("delete preconditions and id prefixes", () => {
  const viewers = (id: string) =>
    v1.RelationshipFilter.create({ resourceType: "document", optionalResourceId: id });
  const precondition = (operation: v1.Precondition_Operation, filter: v1.RelationshipFilter) =>
    v1.Precondition.create({ operation, filter });
  const readIds = async (filter: v1.RelationshipFilter, at: v1.ZedToken | undefined) =>
    (
      await test().spice.readRelationships(
        v1.ReadRelationshipsRequest.create({
          consistency: consistentAt(at),
          relationshipFilter: filter,
        }),
      )
    ).map((r) => relText(r.relationship));

  it("deletes once its preconditions hold; a failed one deletes nothing, FAILED_PRECONDITION", async () => {
    const { spice } = test();
    const { writtenAt } = await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: [
          touch(rel("document:dp1#viewer@user:a")),
          touch(rel("document:dp1#viewer@user:b")),
          touch(rel("document:lock#owner@user:olga")),
        ],
      }),
    );
    const failed = await expectSpiceError(
      spice.deleteRelationships(
        v1.DeleteRelationshipsRequest.create({
          relationshipFilter: viewers("dp1"),
          optionalPreconditions: [
            precondition(v1.Precondition_Operation.MUST_MATCH, viewers("dp1")),
            precondition(v1.Precondition_Operation.MUST_NOT_MATCH, viewers("lock")),
          ],
        }),
      ),
      status.FAILED_PRECONDITION,
      "ERROR_REASON_WRITE_OR_DELETE_PRECONDITION_FAILURE",
    );
    expect(failed.details).toContain("document:lock#owner@user:olga");
    expect(await readIds(viewers("dp1"), writtenAt)).toHaveLength(2);

    const missing = v1.RelationshipFilter.create({
      resourceType: "document",
      optionalResourceId: "none",
    });
    const deleted = await spice.deleteRelationships(
      v1.DeleteRelationshipsRequest.create({
        relationshipFilter: viewers("dp1"),
        optionalPreconditions: [
          precondition(v1.Precondition_Operation.MUST_MATCH, viewers("lock")),
          precondition(v1.Precondition_Operation.MUST_NOT_MATCH, missing),
        ],
      }),
    );
    expect(deleted.relationshipsDeletedCount).toBe("2");
    expect(await readIds(viewers("dp1"), deleted.deletedAt)).toEqual([]);
  });

  it("checks preconditions with partial deletions too", async () => {
    const { spice } = test();
    await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: ["1", "2", "3"].map((n) => touch(rel(`document:dp2#viewer@user:u${n}`))),
      }),
    );
    const request = (operation: v1.Precondition_Operation) =>
      v1.DeleteRelationshipsRequest.create({
        relationshipFilter: viewers("dp2"),
        optionalLimit: 2,
        optionalAllowPartialDeletions: true,
        optionalPreconditions: [precondition(operation, viewers("dp2"))],
      });
    await expectSpiceError(
      spice.deleteRelationships(request(v1.Precondition_Operation.MUST_NOT_MATCH)),
      status.FAILED_PRECONDITION,
      "ERROR_REASON_WRITE_OR_DELETE_PRECONDITION_FAILURE",
    );
    const partial = await spice.deleteRelationships(request(v1.Precondition_Operation.MUST_MATCH));
    expect(partial.deletionProgress).toBe(v1.DeleteRelationshipsResponse_DeletionProgress.PARTIAL);
    expect(await readIds(viewers("dp2"), partial.deletedAt)).toEqual([
      "document:dp2#viewer@user:u3",
    ]);
  });

  it("reads, exports and deletes by resource id prefix, `_` matching itself only", async () => {
    const { spice } = test();
    const { writtenAt } = await spice.writeRelationships(
      v1.WriteRelationshipsRequest.create({
        updates: ["tenant_1-a", "tenant_1-b", "tenantX1-c", "tenant_2-a"].map((id) =>
          touch(rel(`document:${id}#viewer@user:p`)),
        ),
      }),
    );
    const prefixed = (prefix: string) =>
      v1.RelationshipFilter.create({ resourceType: "document", optionalResourceIdPrefix: prefix });
    expect(await readIds(prefixed("tenant_1"), writtenAt)).toEqual([
      "document:tenant_1-a#viewer@user:p",
      "document:tenant_1-b#viewer@user:p",
    ]);
    const exported = await spice.exportBulkRelationships(
      v1.ExportBulkRelationshipsRequest.create({
        consistency: consistentAt(writtenAt),
        optionalRelationshipFilter: prefixed("tenant_2"),
      }),
    );
    expect(exported.flatMap((batch) => batch.relationships.map(relText))).toEqual([
      "document:tenant_2-a#viewer@user:p",
    ]);
    const mustMatch = precondition(v1.Precondition_Operation.MUST_MATCH, prefixed("tenantX"));
    const deleted = await spice.deleteRelationships(
      v1.DeleteRelationshipsRequest.create({
        relationshipFilter: prefixed("tenant_"),
        optionalPreconditions: [mustMatch],
      }),
    );
    expect(deleted.relationshipsDeletedCount).toBe("3");
    expect(await readIds(prefixed("tenant"), deleted.deletedAt)).toEqual([
      "document:tenantX1-c#viewer@user:p",
    ]);
  });

  it("refuses a resource id with a prefix, and a prefix that no id could start with, naming the field", async () => {
    const { spice } = test();
    const both = await expectSpiceError(
      spice.readRelationships(
        v1.ReadRelationshipsRequest.create({
          relationshipFilter: {
            resourceType: "document",
            optionalResourceId: "a",
            optionalResourceIdPrefix: "a",
          },
        }),
      ),
      status.INVALID_ARGUMENT,
    );
    expect(both.details).toContain("relationship_filter.optional_resource_id_prefix");
    const bad = await expectSpiceError(
      spice.deleteRelationships(
        v1.DeleteRelationshipsRequest.create({
          relationshipFilter: { resourceType: "document", optionalResourceIdPrefix: "a%" },
        }),
      ),
      status.INVALID_ARGUMENT,
    );
    expect(bad.details).toContain("filter.resource_id_prefix");
  });

  it("refuses a read, a delete or a precondition with no filter or an empty one, naming the field", async () => {
    const { spice } = test();
    const empty = v1.RelationshipFilter.create({});
    const refusals = [
      [
        () => spice.readRelationships(v1.ReadRelationshipsRequest.create({})),
        "relationship_filter",
      ],
      [
        () =>
          spice.readRelationships(
            v1.ReadRelationshipsRequest.create({ relationshipFilter: empty }),
          ),
        "relationship_filter",
      ],
      [
        () =>
          spice.deleteRelationships(
            v1.DeleteRelationshipsRequest.create({ relationshipFilter: empty }),
          ),
        "relationship_filter",
      ],
      [
        () =>
          spice.writeRelationships(
            v1.WriteRelationshipsRequest.create({
              updates: [touch(rel("document:empty#viewer@user:pat"))],
              optionalPreconditions: [
                v1.Precondition.create({
                  operation: v1.Precondition_Operation.MUST_NOT_MATCH,
                  filter: empty,
                }),
              ],
            }),
          ),
        "optional_preconditions[0].filter",
      ],
    ] as const;
    for (const [call, field] of refusals) {
      const refused = await expectSpiceError(call(), status.INVALID_ARGUMENT);
      expect(refused.details).toMatch(
        new RegExp(`^${field.replace(/[[\]]/g, "\\$&")} (is required|must set at least one field)`),
      );
    }
    const read = await spice.readRelationships(
      v1.ReadRelationshipsRequest.create({
        consistency: FULLY_CONSISTENT,
        relationshipFilter: { resourceType: "document", optionalResourceId: "empty" },
      }),
    );
    expect(read).toEqual([]);
  });
});

describe("cursors", () => {
  it("refuses a cursor Latch did not make, INVALID_ARGUMENT with INVALID_CURSOR", async () => {
    const { spice } = test();
    const bad = v1.Cursor.create({ token: "not-a-cursor" });
    await expectSpiceError(
      spice.lookupResources(
        v1.LookupResourcesRequest.create({
          resourceObjectType: "document",
          permission: "view",
          subject: subj("user:alice"),
          optionalCursor: bad,
        }),
      ),
      status.INVALID_ARGUMENT,
      "ERROR_REASON_INVALID_CURSOR",
    );
    await expectSpiceError(
      spice.readRelationships(
        v1.ReadRelationshipsRequest.create({
          relationshipFilter: { resourceType: "document" },
          optionalCursor: bad,
        }),
      ),
      status.INVALID_ARGUMENT,
      "ERROR_REASON_INVALID_CURSOR",
    );
  });
});
