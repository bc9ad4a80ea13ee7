// SpiceDB's Watch, bulk import and export, mixed use with latch.v1, and keys, through @authzed/authzed-node.

import { v1 } from "@authzed/authzed-node";
import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../../src/api/api-keys.js";
import { relationship, unary, update } from "../../api/api-harness.js";
import { TEST_SCHEMA } from "../../api/api-schema.js";
import { waitFor } from "../../support/wait-for.js";
import {
  consistentAt,
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

const ADMIN = "admin-key-0123456789";
const CHECKER = "checker-key-0123456789";
const test = useSpiceTestServer(
  [
    { name: "admin", sha256: hashApiKey(ADMIN), scopes: ["admin"] },
    { name: "checker", sha256: hashApiKey(CHECKER), scopes: ["check"] },
  ],
  ADMIN,
);

beforeAll(async () => {
  await test().spice.writeSchema(v1.WriteSchemaRequest.create({ schema: TEST_SCHEMA }));
});

/**
 * clientStream writes each request to a client-streaming call of the callback client, as
 * @authzed/authzed-node's users do, and resolves with its one response.
 */
function clientStream<Request, Response>(
  start: (callback: (error: Error | null, response?: Response) => void) => {
    write(request: Request): unknown;
    end(): unknown;
  },
  requests: readonly Request[],
): Promise<Response | undefined> {
  return new Promise((resolve, reject) => {
    const stream = start((error, response) => (error === null ? resolve(response) : reject(error)));
    for (const request of requests) stream.write(request);
    stream.end();
  });
}

const write = (...updates: v1.RelationshipUpdate[]) =>
  test().spice.writeRelationships(v1.WriteRelationshipsRequest.create({ updates }));

describe("Watch", () => {
  it("streams the changes after a ZedToken, each revision with its token", async () => {
    const { spiceStreams } = test();
    const start = await write(touch(rel("document:w0#viewer@user:start")));
    const stream = spiceStreams.watch(
      v1.WatchRequest.create({
        optionalObjectTypes: ["document"],
        optionalStartCursor: start.writtenAt,
      }),
    );
    const seen: { op: v1.RelationshipUpdate_Operation; rel: string; through?: string }[] = [];
    stream.on("data", (response: v1.WatchResponse) => {
      for (const u of response.updates) {
        seen.push({
          op: u.operation,
          rel: relText(u.relationship),
          through: response.changesThrough?.token,
        });
      }
    });
    stream.on("error", () => {});
    await write(touch(rel("document:w1#viewer@user:ann")), touch(rel("group:g#member@user:ann")));
    const last = await write(remove(rel("document:w1#viewer@user:ann")));
    await waitFor("both changes", () => seen.length >= 2, 10_000);
    stream.cancel();
    expect(seen.map(({ op, rel }) => [op, rel])).toEqual([
      [v1.RelationshipUpdate_Operation.TOUCH, "document:w1#viewer@user:ann"],
      [v1.RelationshipUpdate_Operation.DELETE, "document:w1#viewer@user:ann"],
    ]);
    expect(seen[1]?.through).toBe(last.writtenAt?.token);
  });

  it("sends the changes matching any of its relationship filters", async () => {
    const { spiceStreams } = test();
    const start = await write(touch(rel("document:wf0#viewer@user:start")));
    const stream = spiceStreams.watch(
      v1.WatchRequest.create({
        optionalStartCursor: start.writtenAt,
        optionalRelationshipFilters: [
          { resourceType: "document", optionalResourceIdPrefix: "wf_" },
          {
            resourceType: "group",
            optionalSubjectFilter: { subjectType: "user", optionalSubjectId: "fay" },
          },
        ],
      }),
    );
    const seen: string[] = [];
    stream.on("data", (response: v1.WatchResponse) => {
      seen.push(...response.updates.map((u) => relText(u.relationship)));
    });
    stream.on("error", () => {});
    await write(
      touch(rel("document:wf_1#viewer@user:ann")),
      touch(rel("document:wfx#viewer@user:ann")),
      touch(rel("group:gf#member@user:ann")),
    );
    await write(touch(rel("group:gf#member@user:fay")));
    await waitFor("both matching changes", () => seen.length >= 2, 10_000);
    stream.cancel();
    expect(seen).toEqual(["document:wf_1#viewer@user:ann", "group:gf#member@user:fay"]);
  });

  it("with checkpoints, advances a filtered watcher past revisions it filters out", async () => {
    const { spiceStreams } = test();
    const start = await write(touch(rel("document:wc0#viewer@user:start")));
    const stream = spiceStreams.watch(
      v1.WatchRequest.create({
        optionalStartCursor: start.writtenAt,
        optionalObjectTypes: ["group"],
        optionalUpdateKinds: [v1.WatchKind.INCLUDE_CHECKPOINTS],
      }),
    );
    const responses: v1.WatchResponse[] = [];
    stream.on("data", (response: v1.WatchResponse) => responses.push(response));
    stream.on("error", () => {});
    const skipped = await write(touch(rel("document:wc1#viewer@user:ann")));
    const kept = await write(touch(rel("group:gc#member@user:ann")));
    await waitFor("both revisions", () => responses.length >= 2, 10_000);
    stream.cancel();
    expect(
      responses.map((r) => ({
        checkpoint: r.isCheckpoint,
        updates: r.updates.map((u) => relText(u.relationship)),
        through: r.changesThrough?.token,
      })),
    ).toEqual([
      { checkpoint: true, updates: [], through: skipped.writtenAt?.token },
      { checkpoint: false, updates: ["group:gc#member@user:ann"], through: kept.writtenAt?.token },
    ]);
  });

  it("refuses schema updates UNIMPLEMENTED, naming the field, and an invalid filter INVALID_ARGUMENT", async () => {
    const watchError = (request: v1.WatchRequest) => {
      const stream = test().spiceStreams.watch(request);
      return new Promise<{ code: number; details: string }>((resolve) =>
        stream.on("error", resolve),
      );
    };
    const schema = await watchError(
      v1.WatchRequest.create({
        optionalUpdateKinds: [
          v1.WatchKind.INCLUDE_CHECKPOINTS,
          v1.WatchKind.INCLUDE_SCHEMA_UPDATES,
        ],
      }),
    );
    expect(schema.code).toBe(status.UNIMPLEMENTED);
    expect(schema.details).toContain("optional_update_kinds[1]");
    const filter = await watchError(
      v1.WatchRequest.create({
        optionalRelationshipFilters: [{ resourceType: "document", optionalRelation: "nope" }],
      }),
    );
    expect(filter.code).toBe(status.INVALID_ARGUMENT);
    expect(filter.details).toContain("filters[0].relation");
  });
});

describe("bulk import and export", () => {
  const imported = Array.from({ length: 25 }, (_, i) => rel(`document:imp${i}#viewer@user:iris`));

  it("imports through ImportBulkRelationships and exports them back", async () => {
    const { spice } = test();
    const answer = await clientStream<
      v1.ImportBulkRelationshipsRequest,
      v1.ImportBulkRelationshipsResponse
    >(
      (done) => test().spiceStreams.importBulkRelationships(done),
      [
        v1.ImportBulkRelationshipsRequest.create({ relationships: imported.slice(0, 10) }),
        v1.ImportBulkRelationshipsRequest.create({ relationships: imported.slice(10) }),
      ],
    );
    expect(answer?.numLoaded).toBe("25");
    const batches = await spice.exportBulkRelationships(
      v1.ExportBulkRelationshipsRequest.create({
        consistency: FULLY_CONSISTENT,
        optionalRelationshipFilter: {
          resourceType: "document",
          optionalRelation: "viewer",
          optionalSubjectFilter: { subjectType: "user", optionalSubjectId: "iris" },
        },
      }),
    );
    const exported = batches.flatMap((b) => b.relationships.map(relText));
    expect(exported.sort()).toEqual(imported.map(relText).sort());
    expect(batches.at(-1)?.afterResultCursor?.token).not.toBe("");
  });

  it("imports and exports through ExperimentalService, as older clients do", async () => {
    const { spice } = test();
    const more = [rel("document:exp1#viewer@user:jo"), rel("document:exp2#viewer@user:jo")];
    const answer = await clientStream<
      v1.BulkImportRelationshipsRequest,
      v1.BulkImportRelationshipsResponse
    >(
      (done) => test().spiceStreams.bulkImportRelationships(done),
      [v1.BulkImportRelationshipsRequest.create({ relationships: more })],
    );
    expect(answer?.numLoaded).toBe("2");
    const batches = await spice.bulkExportRelationships(
      v1.BulkExportRelationshipsRequest.create({
        consistency: FULLY_CONSISTENT,
        optionalRelationshipFilter: {
          resourceType: "document",
          optionalSubjectFilter: { subjectType: "user", optionalSubjectId: "jo" },
        },
      }),
    );
    expect(batches.flatMap((b) => b.relationships.map(relText)).sort()).toEqual(more.map(relText));
  });

  it("imports nothing when one relationship is invalid", async () => {
    const { spice } = test();
    await expectSpiceError(
      clientStream(
        (done) => test().spiceStreams.importBulkRelationships(done),
        [
          v1.ImportBulkRelationshipsRequest.create({
            relationships: [
              rel("document:bad1#viewer@user:kim"),
              rel("document:bad2#nope@user:kim"),
            ],
          }),
        ],
      ),
      // An unknown relation, as SpiceDB's writes answer it.
      status.FAILED_PRECONDITION,
      "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION",
    );
    const read = await spice.readRelationships(
      v1.ReadRelationshipsRequest.create({
        consistency: FULLY_CONSISTENT,
        relationshipFilter: { resourceType: "document", optionalResourceId: "bad1" },
      }),
    );
    expect(read).toEqual([]);
  });
});

describe("mixed use with latch.v1", () => {
  it("sees through SpiceDB's API at Latch's token what latch.v1 wrote, and the reverse", async () => {
    const { spice, clients } = test();
    const options = { token: ADMIN };
    const latchWrite = await unary(
      clients.relationships,
      "WriteRelationships",
      { updates: [update("TOUCH", relationship("document:mix1", "viewer", "user:max"))] },
      options,
    );
    const seen = await spice.checkPermission(
      v1.CheckPermissionRequest.create({
        resource: obj("document:mix1"),
        permission: "view",
        subject: subj("user:max"),
        consistency: consistentAt({ token: latchWrite.writtenAt }),
      }),
    );
    expect(seen.permissionship).toBe(v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION);

    const spiceWrite = await write(touch(rel("document:mix2#viewer@user:max")));
    const check = await unary(
      clients.permissions,
      "Check",
      {
        resource: { type: "document", id: "mix2" },
        permission: "view",
        subject: { object: { type: "user", id: "max" } },
        consistency: { atLeastAsFresh: spiceWrite.writtenAt?.token },
      },
      options,
    );
    expect(check.result).toBe("CHECK_RESULT_ALLOWED");
  });
});

describe("keys", () => {
  it("applies a key's scopes to SpiceDB's methods as to Latch's", async () => {
    const checker = test().clientWith(CHECKER);
    const answer = await checker.checkPermission(
      v1.CheckPermissionRequest.create({
        resource: obj("document:mix1"),
        permission: "view",
        subject: subj("user:max"),
        consistency: FULLY_CONSISTENT,
      }),
    );
    expect(answer.permissionship).toBe(v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION);
    const refused = await expectSpiceError(
      checker.writeRelationships(
        v1.WriteRelationshipsRequest.create({ updates: [touch(rel("document:k#viewer@user:k"))] }),
      ),
      status.PERMISSION_DENIED,
    );
    expect(refused.details).toContain("'write'");
    await expectSpiceError(
      test().clientWith("not-a-key").readSchema(v1.ReadSchemaRequest.create()),
      status.UNAUTHENTICATED,
    );
  });
});

describe("health and what is not served", () => {
  it("answers health for SpiceDB's services, and UNIMPLEMENTED for methods not served", async () => {
    const { clients, spice } = test();
    for (const service of [
      "authzed.api.v1.PermissionsService",
      "authzed.api.v1.SchemaService",
      "authzed.api.v1.WatchService",
      "authzed.api.v1.ExperimentalService",
    ]) {
      expect(await unary(clients.health, "Check", { service })).toEqual({ status: "SERVING" });
    }
    await expectSpiceError(
      spice.experimentalCountRelationships(
        v1.ExperimentalCountRelationshipsRequest.create({ name: "documents" }),
      ),
      status.UNIMPLEMENTED,
    );
  });
});
