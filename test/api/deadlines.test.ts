// Deadlines: a call past its deadline ends with DEADLINE_EXCEEDED and its work stops.

import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import {
  expectStatus,
  overriding,
  ref,
  relationship,
  serverStream,
  subject,
  unary,
  update,
  useTestServer,
} from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";

/** Each store read takes READ_DELAY_MS, so a walk through DEPTH nested groups takes seconds. */
const READ_DELAY_MS = 25;
const DEPTH = 40;
let reads = 0;

/** slowStore is the memory store with every snapshot read delayed and counted. */
function slowStore(): Store {
  const store = createMemoryStore();
  const snapshot: Store["snapshot"] = (revision, now) => {
    const reader = store.snapshot(revision, now);
    return {
      revision,
      now,
      query: async (filter, options) => {
        reads++;
        await new Promise((resolve) => setTimeout(resolve, READ_DELAY_MS));
        return reader.query(filter, options);
      },
    };
  };
  return overriding(store, { snapshot });
}

const test = useTestServer([], slowStore);

beforeAll(async () => {
  const { clients } = test();
  await unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA });
  const chain = Array.from({ length: DEPTH }, (_, i) =>
    update("TOUCH", relationship(`group:g${i}`, "member", `group:g${i + 1}#member`)),
  );
  await unary(clients.relationships, "WriteRelationships", {
    updates: [
      ...chain,
      update("TOUCH", relationship(`group:g${DEPTH}`, "member", "user:deep")),
      update("TOUCH", relationship("document:far", "viewer", "group:g0#member")),
    ],
  });
});

describe("deadlines", () => {
  it("end a Check with DEADLINE_EXCEEDED and stop its reads", async () => {
    const { clients } = test();
    reads = 0;
    const started = Date.now();
    await expectStatus(
      unary(
        clients.permissions,
        "Check",
        { resource: ref("document", "far"), permission: "view", subject: subject("user", "deep") },
        { deadlineMs: 200 },
      ),
      status.DEADLINE_EXCEEDED,
    );
    expect(Date.now() - started).toBeLessThan(DEPTH * READ_DELAY_MS);
    const atDeadline = reads;
    await new Promise((resolve) => setTimeout(resolve, 10 * READ_DELAY_MS));
    // Reads in flight when the deadline passed may finish; no new level of the walk starts.
    expect(reads - atDeadline).toBeLessThanOrEqual(2);
  });

  it("end a Watch at its deadline", async () => {
    await expectStatus(
      serverStream(test().clients.relationships, "Watch", {}, { deadlineMs: 300 }),
      status.DEADLINE_EXCEEDED,
    );
  });
});
