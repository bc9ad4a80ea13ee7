// Deadlines: a call past its deadline ends with DEADLINE_EXCEEDED and its work stops.

import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { waitFor } from "../support/wait-for.js";
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
/** The snapshot reads started, and those not finished yet. */
let reads = 0;
let inFlight = 0;

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
        inFlight++;
        try {
          await new Promise((resolve) => setTimeout(resolve, READ_DELAY_MS));
          return await reader.query(filter, options);
        } finally {
          inFlight--;
        }
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
    await expectStatus(
      unary(
        clients.permissions,
        "Check",
        { resource: ref("document", "far"), permission: "view", subject: subject("user", "deep") },
        { deadlineMs: 200 },
      ),
      status.DEADLINE_EXCEEDED,
    );
    // The call ended long before its walk could have: the walk reads at least once a level.
    expect(reads).toBeLessThan(DEPTH);
    // The client cancels the call at its deadline. A call on the same connection after it is
    // answered once the server has read the cancel before it, which aborts the walk's reads.
    await unary(clients.health, "Check", { service: "" });
    const atCancel = reads;
    await waitFor("the reads in flight to finish", () => inFlight === 0, 10_000);
    // Reads in flight when the call was cancelled may finish; no new one starts.
    expect(reads).toBe(atCancel);
  });

  it("end a Watch at its deadline", async () => {
    await expectStatus(
      serverStream(test().clients.relationships, "Watch", {}, { deadlineMs: 300 }),
      status.DEADLINE_EXCEEDED,
    );
  });
});
