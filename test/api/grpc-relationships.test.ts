// RelationshipService over gRPC, through an independent client: writes, bad input, reads, watch, import, export.

import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { waitFor } from "../support/wait-for.js";
import {
  clientStream,
  expectStatus,
  type JsonMessage,
  overriding,
  relationship,
  serverStream,
  struct,
  unary,
  update,
  useTestServer,
} from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";

/** ImportSeen is one import the server ran: how many relationships it read, and how it ended. */
interface ImportSeen {
  read: number;
  outcome?: Promise<"committed" | "failed">;
}
const imports: ImportSeen[] = [];

/** importsSeen is the memory store, with each import it runs recorded in imports. */
function importsSeen(): Store {
  const store = createMemoryStore();
  return overriding(store, {
    importRelationships(relationships, options) {
      const seen: ImportSeen = { read: 0 };
      async function* counted() {
        for await (const relationship of relationships) {
          seen.read++;
          yield relationship;
        }
      }
      const result = store.importRelationships(counted(), options);
      seen.outcome = result.then(
        () => "committed",
        () => "failed",
      );
      imports.push(seen);
      return result;
    },
  });
}

const test = useTestServer([], importsSeen);

beforeAll(async () => {
  await unary(test().clients.schema, "WriteSchema", { schema: TEST_SCHEMA });
});

const write = (updates: JsonMessage[], preconditions: JsonMessage[] = []) =>
  unary(test().clients.relationships, "WriteRelationships", { updates, preconditions });

const readAll = async (filter: JsonMessage): Promise<string[]> => {
  const rows = await serverStream(test().clients.relationships, "ReadRelationships", { filter });
  return rows.map(({ relationship: r }) => {
    const sub = r.subject.relation === "" ? "" : `#${r.subject.relation}`;
    return `${r.resource.type}:${r.resource.id}#${r.relation}@${r.subject.object.type}:${r.subject.object.id}${sub}`;
  });
};

describe("WriteRelationships", () => {
  it("creates, touches and deletes, returning the token of its revision", async () => {
    const created = await write([
      update("CREATE", relationship("document:w1", "viewer", "user:ann")),
    ]);
    expect(created.writtenAt).toMatch(/^lt1_/);
    await expectStatus(
      write([update("CREATE", relationship("document:w1", "viewer", "user:ann"))]),
      status.ALREADY_EXISTS,
      "document:w1#viewer@user:ann",
    );
    await write([
      update("TOUCH", relationship("document:w1", "viewer", "user:ann")),
      update("DELETE", relationship("document:w1", "viewer", "user:nobody")),
    ]);
    expect(await readAll({ resourceType: "document", resourceIds: ["w1"] })).toEqual([
      "document:w1#viewer@user:ann",
    ]);
  });

  it("checks preconditions atomically: FAILED_PRECONDITION, nothing written", async () => {
    await expectStatus(
      write(
        [update("TOUCH", relationship("document:w2", "viewer", "user:ann"))],
        [
          {
            operation: "OPERATION_MUST_MATCH",
            filter: { resourceType: "document", resourceIds: ["absent"] },
          },
        ],
      ),
      status.FAILED_PRECONDITION,
    );
    expect(await readAll({ resourceType: "document", resourceIds: ["w2"] })).toEqual([]);
  });

  it("refuses bad input with the field and the rule, writing nothing of the call", async () => {
    const good = update("TOUCH", relationship("document:w3", "viewer", "user:ann"));
    const cases: [JsonMessage, string[]][] = [
      [
        update("TOUCH", relationship(`document:${"x".repeat(1025)}`, "viewer", "user:ann")),
        ["updates[1].relationship.resource.id", "1024"],
      ],
      [
        update("TOUCH", relationship("document:a$b", "viewer", "user:ann")),
        ["updates[1].relationship.resource.id", "'$'"],
      ],
      [
        update("TOUCH", relationship("folder:f", "viewer", "user:ann")),
        ["updates[1].relationship", "no definition 'folder'"],
      ],
      [
        update("TOUCH", relationship("document:w3", "reader", "user:ann")),
        ["updates[1].relationship", "no relation or permission 'reader'"],
      ],
      [
        update("TOUCH", relationship("document:w3", "view", "user:ann")),
        ["updates[1].relationship", "permission"],
      ],
      [
        update("TOUCH", relationship("document:w3", "owner", "group:eng#member")),
        ["updates[1].relationship", "does not allow"],
      ],
      [
        update(
          "TOUCH",
          relationship("document:w3", "viewer", "user:bo", {
            caveat: { name: "in_region", context: struct({ allowed: "eu" }) },
          }),
        ),
        ["updates[1].relationship.caveat.context.allowed"],
      ],
      [
        update(
          "TOUCH",
          relationship("document:w3", "viewer", "user:bo", {
            expiresAt: { seconds: "1000", nanos: 0 },
          }),
        ),
        ["expired"],
      ],
      [
        {
          operation: "OPERATION_UNSPECIFIED",
          relationship: relationship("document:w3", "viewer", "user:bo"),
        },
        ["updates[1].operation"],
      ],
    ];
    for (const [bad, contains] of cases) {
      await expectStatus(write([good, bad]), status.INVALID_ARGUMENT, ...contains);
    }
    expect(await readAll({ resourceType: "document", resourceIds: ["w3"] })).toEqual([]);
  });

  it("refuses more than 1,000 updates with RESOURCE_EXHAUSTED", async () => {
    const updates = Array.from({ length: 1001 }, (_, i) =>
      update("TOUCH", relationship(`document:bulk${i}`, "viewer", "user:ann")),
    );
    await expectStatus(write(updates), status.RESOURCE_EXHAUSTED, "1000");
  });
});

describe("ReadRelationships and DeleteRelationships", () => {
  it("pages by cursor and deletes by filter, refusing an empty filter", async () => {
    const { clients } = test();
    await write(
      ["r1", "r2", "r3"].map((id) =>
        update("TOUCH", relationship(`document:${id}`, "owner", "user:pat")),
      ),
    );
    const filter = {
      resourceType: "document",
      relation: "owner",
      subjectType: "user",
      subjectIds: ["pat"],
    };
    const [first] = await serverStream(clients.relationships, "ReadRelationships", {
      filter,
      limit: 1,
    });
    const rest = await serverStream(clients.relationships, "ReadRelationships", {
      filter,
      cursor: first?.afterCursor,
      consistency: { atExactSnapshot: first?.readAt },
    });
    expect(rest.map((r) => r.relationship.resource.id)).toEqual(["r2", "r3"]);
    await expectStatus(
      unary(clients.relationships, "DeleteRelationships", { filter, limit: 2 }),
      status.RESOURCE_EXHAUSTED,
    );
    const deleted = await unary(clients.relationships, "DeleteRelationships", { filter });
    expect(deleted.deletedCount).toBe("3");
    await expectStatus(
      unary(clients.relationships, "DeleteRelationships", { filter: {} }),
      status.INVALID_ARGUMENT,
      "filter must set at least one field",
    );
  });
});

describe("DeleteRelationships with preconditions, partially, by id prefix", () => {
  it("checks its preconditions in the delete, deletes the first matches up to its limit", async () => {
    const { clients } = test();
    await write(
      ["p_1", "p_2", "p_3", "px4"].map((id) =>
        update("TOUCH", relationship(`document:${id}`, "owner", "user:pia")),
      ),
    );
    const prefixed = { resourceType: "document", resourceIdPrefix: "p_" };
    expect(await readAll(prefixed)).toEqual([
      "document:p_1#owner@user:pia",
      "document:p_2#owner@user:pia",
      "document:p_3#owner@user:pia",
    ]);
    const request = (operation: string) => ({
      filter: prefixed,
      limit: 2,
      allowPartial: true,
      preconditions: [{ operation, filter: { resourceType: "document", resourceIds: ["px4"] } }],
    });
    await expectStatus(
      unary(clients.relationships, "DeleteRelationships", request("OPERATION_MUST_NOT_MATCH")),
      status.FAILED_PRECONDITION,
      "document:px4#owner@user:pia",
    );
    const first = await unary(
      clients.relationships,
      "DeleteRelationships",
      request("OPERATION_MUST_MATCH"),
    );
    expect(first.deletedCount).toBe("2");
    expect(await readAll(prefixed)).toEqual(["document:p_3#owner@user:pia"]);
    await expectStatus(
      unary(clients.relationships, "DeleteRelationships", {
        filter: { ...prefixed, resourceIds: ["p_3"] },
      }),
      status.INVALID_ARGUMENT,
      "filter.resource_id_prefix cannot be combined with filter.resource_ids",
    );
  });
});

describe("Watch", () => {
  it("sends the changes matching any filter, and a checkpoint for a revision they all leave out", async () => {
    const { clients } = test();
    const call = clients.relationships as unknown as Record<
      string,
      (r: JsonMessage) => AsyncIterable<JsonMessage> & { cancel(): void }
    >;
    const start = await write([update("TOUCH", relationship("group:wf", "member", "user:bo"))]);
    const stream = call.watch!({
      since: start.writtenAt,
      filters: [
        { resourceType: "group", subjectType: "user", subjectIds: ["flo"] },
        { resourceType: "document", resourceIdPrefix: "wf_" },
      ],
      checkpoints: true,
    });
    const received: JsonMessage[] = [];
    const reading = (async () => {
      for await (const response of stream) {
        received.push(response);
        if (received.length === 3) break;
      }
    })();
    const skipped = await write([update("TOUCH", relationship("group:wf", "member", "user:ann"))]);
    await write([
      update("TOUCH", relationship("group:wf", "member", "user:flo")),
      update("TOUCH", relationship("document:wfx", "owner", "user:flo")),
    ]);
    const last = await write([update("TOUCH", relationship("document:wf_1", "owner", "user:ann"))]);
    await reading;
    stream.cancel();
    const ids = (r: JsonMessage) =>
      r.changes.map(
        (c: JsonMessage) => `${c.relationship.resource.id}@${c.relationship.subject.object.id}`,
      );
    expect(received.map(ids)).toEqual([[], ["wf@flo"], ["wf_1@ann"]]);
    expect(received[0]?.changesThrough).toBe(skipped.writtenAt);
    expect(received[2]?.changesThrough).toBe(last.writtenAt);
  });

  it("streams each revision's changes with the token that resumes after it", async () => {
    const { clients } = test();
    const call = clients.relationships as unknown as Record<
      string,
      (r: JsonMessage) => AsyncIterable<JsonMessage> & { cancel(): void }
    >;
    // From a write's token, not from whatever the head is once the stream starts: then the writes
    // below come after its start however late it starts.
    const start = await write([update("TOUCH", relationship("group:w", "member", "user:bo"))]);
    const stream = call.watch!({ resourceTypes: ["group"], since: start.writtenAt });
    const received: JsonMessage[] = [];
    const reading = (async () => {
      for await (const response of stream) {
        received.push(response);
        if (received.length === 2) break;
      }
    })();
    await write([
      update("TOUCH", relationship("group:w", "member", "user:ann")),
      update("TOUCH", relationship("document:w9", "owner", "user:ann")),
    ]);
    const second = await write([update("DELETE", relationship("group:w", "member", "user:ann"))]);
    await reading;
    stream.cancel();
    expect(received.map((r) => r.changes.map((c: JsonMessage) => c.operation))).toEqual([
      ["OPERATION_TOUCH"],
      ["OPERATION_DELETE"],
    ]);
    expect(received[1]?.changesThrough).toBe(second.writtenAt);
    const resumed = call.watch!({ since: received[0]?.changesThrough });
    const [next] = await (async () => {
      for await (const response of resumed) return [response];
      return [];
    })();
    resumed.cancel();
    // The first revision held a document change too, which the filter hid: resuming after it
    // starts at the second revision.
    expect(next?.changes.map((c: JsonMessage) => c.operation)).toEqual(["OPERATION_DELETE"]);
    expect(next?.changesThrough).toBe(second.writtenAt);
  });
});

describe("ImportRelationships and ExportRelationships", () => {
  it("writes nothing of an import the client cancels", async () => {
    const { clients } = test();
    const call = (
      clients.relationships as unknown as Record<string, (cb: () => void) => JsonMessage>
    ).importRelationships!(() => {});
    const seenBefore = imports.length;
    call.write({ relationships: [relationship("document:cancelled", "viewer", "user:ivy")] });
    // Cancelled once the server has read the relationship, and judged once it has ended the import.
    await waitFor(
      "the server to read the relationship",
      () => imports[seenBefore]?.read === 1,
      10_000,
    );
    call.cancel();
    expect(await imports[seenBefore]?.outcome).toBe("failed");
    expect(await readAll({ resourceType: "document", resourceIds: ["cancelled"] })).toEqual([]);
  });

  it("imports a stream of batches at one revision and exports it back", async () => {
    const { clients } = test();
    const batch = (from: number) => ({
      relationships: Array.from({ length: 3 }, (_, i) =>
        relationship(`document:imp${from + i}`, "viewer", "user:ivy"),
      ),
    });
    const imported = await clientStream(clients.relationships, "ImportRelationships", [
      batch(0),
      batch(3),
    ]);
    expect(imported.importedCount).toBe("6");
    const exported = await serverStream(clients.relationships, "ExportRelationships", {
      filter: { resourceType: "document", subjectIds: ["ivy"] },
      consistency: { atExactSnapshot: imported.writtenAt },
    });
    const ids = exported.flatMap((b) => b.relationships.map((r: JsonMessage) => r.resource.id));
    expect(ids).toEqual(["imp0", "imp1", "imp2", "imp3", "imp4", "imp5"]);
    await expectStatus(
      clientStream(clients.relationships, "ImportRelationships", [
        { relationships: [relationship("document:imp9", "nope", "user:ivy")] },
      ]),
      status.INVALID_ARGUMENT,
      "relationships[0]",
    );
  });
});
