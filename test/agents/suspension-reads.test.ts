// Suspension legs read only their member's suspensions, and a Suspend or Resume invalidates exactly the
// cached legs that rest on it: its subject's, or for a wildcard every object's of its type.

import { afterEach, describe, expect, it } from "vitest";
import { loadServedSchema } from "../../src/agents/builtin-schema.js";
import { suspensionKey, suspensionRelationship } from "../../src/agents/suspension.js";
import { SUSPENSION_DEFINITION } from "../../src/agents/suspension-names.js";
import { ChangeTracker } from "../../src/cache/change-tracker.js";
import { MemoryResultCache } from "../../src/cache/memory-result-cache.js";
import { createCachingDispatcher } from "../../src/dispatch/caching-dispatcher.js";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createSingleflightDispatcher } from "../../src/dispatch/singleflight-dispatcher.js";
import { type CheckRequest, createCheckEngine } from "../../src/engine/check-engine.js";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { RelationshipUpdate, SnapshotReader, Store } from "../../src/store/store.js";
import type { SubjectRef } from "../../src/tuple/relationship.js";
import { roundTripReader } from "../engine/round-trip-reader.js";
import { touch } from "../store/store-test-helpers.js";
import { AGENT_SCHEMA } from "./agent-schema.js";

function servedSchema(): CompiledSchema {
  const loaded = loadServedSchema(AGENT_SCHEMA);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return loaded.schema;
}

const user = (id: string): SubjectRef => ({ type: "user", id });
const agent = (id: string): SubjectRef => ({ type: "agent", id });

/** view asks whether alice may view document:plan, through the agents given. */
const view = (...actors: SubjectRef[]): CheckRequest => ({
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: user("alice"),
  ...(actors.length > 0 ? { actors } : {}),
});

/** GRANTS let alice, and her agents a1 and a2, view document:plan. */
const GRANTS = [
  "document:plan#viewer@user:alice",
  "document:plan#viewer@agent:a1",
  "document:plan#viewer@agent:a2",
  "agent:a1#owner@user:alice",
  "agent:a2#owner@user:alice",
].map(touch);

const suspend = (subject: SubjectRef): RelationshipUpdate => ({
  operation: "touch",
  relationship: suspensionRelationship({
    subject,
    reason: "test",
    suspendedBy: "test",
    suspendedAt: new Date(),
  }),
});
const resume = (subject: SubjectRef): RelationshipUpdate => ({
  operation: "delete",
  relationship: suspensionKey(subject),
});

const stores: Store[] = [];
const trackers: ChangeTracker[] = [];
afterEach(async () => {
  for (const tracker of trackers.splice(0)) tracker.close();
  for (const store of stores.splice(0)) await store.close();
});

function openStore(): Store {
  const store = createMemoryStore({ maxUpdatesPerWrite: 10_000 });
  stores.push(store);
  return store;
}

/** counting wraps reader to add, to count.rows, the suspensions its queries return. */
function counting(reader: SnapshotReader, count: { rows: number }): SnapshotReader {
  return {
    ...reader,
    async query(filter, options) {
      const rows = await reader.query(filter, options);
      count.rows += rows.filter((row) => row.resource.type === SUSPENSION_DEFINITION).length;
      return rows;
    },
  };
}

describe("a suspension leg", () => {
  it.each([
    ["read by read", false],
    ["merged with the other legs' reads", true],
  ])(
    "reads only its member's suspension and its type's wildcard's, however many there are (%s)",
    async (_, roundTrips) => {
      const store = openStore();
      const others = Array.from({ length: 2_000 }, (_, i) => suspend(agent(`other${i}`)));
      await store.write([...GRANTS, ...others, suspend(user("bob"))]);
      const engine = createCheckEngine({
        schema: servedSchema(),
        dispatcher: createLocalDispatcher(),
      });
      const suspensions = { rows: 0 };
      const readAtHead = async () => {
        suspensions.rows = 0;
        const snapshot = store.snapshot(await store.headRevision(), new Date());
        return counting(roundTrips ? roundTripReader(snapshot) : snapshot, suspensions);
      };

      expect((await engine.check(await readAtHead(), view(agent("a1")))).result).toBe("allowed");
      expect(suspensions.rows).toBe(0);

      await store.write([suspend(agent("a1")), suspend({ type: "user", id: "*" })]);
      const denied = await engine.check(await readAtHead(), view(agent("a1")));
      expect(denied).toMatchObject({
        result: "denied",
        reason: "suspended",
        deniedBy: user("alice"),
      });
      // alice's leg finds user:*, a1's finds agent:a1: none of the 2,000 other agents', nor bob's.
      expect(suspensions.rows).toBe(2);
    },
  );
});

describe("cached suspension legs", () => {
  it("fall with a Suspend or Resume of their member, or of their member's type's wildcard, and only then", async () => {
    const store = openStore();
    await store.write(GRANTS);
    const tracker = new ChangeTracker(store, await store.headRevision());
    trackers.push(tracker);
    const engine = createCheckEngine({
      schema: servedSchema(),
      dispatcher: createCachingDispatcher({
        cache: new MemoryResultCache(),
        tracker,
        next: createSingleflightDispatcher(createLocalDispatcher()),
        keyPrefix: "test|",
      }),
    });
    const check = async (request: CheckRequest) =>
      engine.check(store.snapshot(await store.headRevision(), new Date()), request);
    /** write writes updates and waits until the tracker has applied them. */
    const write = async (...updates: RelationshipUpdate[]) => {
      const { revision } = await store.write(updates);
      expect(await tracker.waitFor(revision, 5_000)).toBe(true);
    };
    /** cached lists, of the requests, those the cache answers at once, with their results. */
    const cached = (...requests: CheckRequest[]) =>
      requests.map((request) => engine.answerAtOnce(request, Date.now())?.result);

    const [alone, byA1, byA2] = [view(), view(agent("a1")), view(agent("a2"))];
    for (const request of [alone, byA1, byA2])
      expect((await check(request)).result).toBe("allowed");
    expect(cached(alone, byA1, byA2)).toEqual(["allowed", "allowed", "allowed"]);

    // A suspension of a1 (and of another agent) leaves alice's and a2's cached legs standing.
    await write(suspend(agent("a1")), suspend(agent("a3")));
    expect(cached(alone, byA1, byA2)).toEqual(["allowed", undefined, "allowed"]);
    expect(await check(byA1)).toMatchObject({
      result: "denied",
      reason: "suspended",
      deniedBy: agent("a1"),
    });
    expect(cached(byA1)).toEqual(["denied"]);

    // A suspension of every agent reaches a2's legs (and a1's), not alice's alone.
    await write(suspend({ type: "agent", id: "*" }));
    expect(cached(alone, byA1, byA2)).toEqual(["allowed", undefined, undefined]);
    expect(await check(byA2)).toMatchObject({ result: "denied", deniedBy: agent("a2") });

    // Lifting it reaches them again; a1 stays suspended by itself.
    await write(resume({ type: "agent", id: "*" }));
    expect(cached(alone, byA1, byA2)).toEqual(["allowed", undefined, undefined]);
    expect((await check(byA2)).result).toBe("allowed");
    expect((await check(byA1)).result).toBe("denied");
    await write(resume(agent("a3")));
    expect(cached(byA1, byA2)).toEqual(["denied", "allowed"]);
    await write(resume(agent("a1")));
    expect((await check(byA1)).result).toBe("allowed");

    // Suspending alice reaches every check she is in.
    await write(suspend(user("alice")));
    expect(cached(alone, byA1, byA2)).toEqual([undefined, undefined, undefined]);
    expect((await check(alone)).result).toBe("denied");
  });
});
