// The batching reader: reads merged into one query each get exactly what they would have read alone.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createBatchingReader } from "../../src/engine/batching-reader.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { QueryOptions, RelationshipFilter, SnapshotReader } from "../../src/store/store.js";
import type { Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";
import { named, rel } from "../store/store-test-helpers.js";
import { roundTripReader } from "./round-trip-reader.js";

const TYPES = ["document", "folder"];
const IDS = ["a", "b", "c", "d"];
const RELATIONS = ["viewer", "parent", "editor"];

const subject: fc.Arbitrary<SubjectRef> = fc.oneof(
  fc.record({ type: fc.constant("user"), id: fc.constantFrom("alice", "bob", "*") }),
  fc.record({
    type: fc.constant("group"),
    id: fc.constantFrom("eng", "ops"),
    relation: fc.constant("member"),
  }),
  fc.record({ type: fc.constantFrom(...TYPES), id: fc.constantFrom(...IDS) }),
);

const relationship: fc.Arbitrary<Relationship> = fc.record({
  resource: fc.record({ type: fc.constantFrom(...TYPES), id: fc.constantFrom(...IDS) }),
  relation: fc.constantFrom(...RELATIONS),
  subject,
});

/** A forward read, as the engine issues them: ids (repeats allowed, maybe none) of one type and relation. */
const forwardFilter: fc.Arbitrary<RelationshipFilter> = fc.record({
  resourceType: fc.constantFrom(...TYPES, "nothing"),
  resourceIds: fc.array(fc.constantFrom(...IDS, "missing"), { maxLength: 4 }),
  relation: fc.constantFrom(...RELATIONS),
});

/** A read of named sets, as suspension legs issue them: some whole, some by their subjects. */
const namedFilter: fc.Arbitrary<RelationshipFilter> = fc.record({
  objectRelations: fc.array(
    fc.record(
      {
        type: fc.constantFrom(...TYPES),
        id: fc.constantFrom(...IDS, "missing"),
        relation: fc.constantFrom(...RELATIONS),
        subjects: fc.array(subject, { maxLength: 3 }),
      },
      { requiredKeys: ["type", "id", "relation"] },
    ),
    { maxLength: 4 },
  ),
});

/** Reads the batching must pass through untouched: other fields set, or fewer. */
const otherFilter: fc.Arbitrary<RelationshipFilter> = fc.oneof(
  fc.record({ resourceType: fc.constantFrom(...TYPES), relation: fc.constantFrom(...RELATIONS) }),
  fc.record({
    resourceType: fc.constantFrom(...TYPES),
    resourceIds: fc.array(fc.constantFrom(...IDS), { maxLength: 3 }),
    relation: fc.constantFrom(...RELATIONS),
    subjectType: fc.constantFrom("user", "group"),
  }),
  fc.record({ subjectType: fc.constant("user"), subjectIds: fc.constant(["alice"]) }),
  fc.record({
    objectRelations: fc.constant([{ type: "document", id: "a", relation: "viewer" }]),
    subjectType: fc.constant("user"),
  }),
  fc.record({
    objectRelations: fc.constant([{ type: "document", id: "a", relation: "viewer" }]),
    resourceType: fc.constant("document"),
  }),
);

interface Read {
  readonly filter: RelationshipFilter;
  readonly options?: QueryOptions;
}

const read: fc.Arbitrary<Read> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ filter: forwardFilter }) },
  { weight: 3, arbitrary: fc.record({ filter: namedFilter }) },
  { weight: 1, arbitrary: fc.record({ filter: otherFilter }) },
  {
    weight: 1,
    arbitrary: fc.record({
      filter: forwardFilter,
      options: fc.oneof(
        fc.record({ limit: fc.nat(3) }),
        fc.record({ after: fc.constantFrom("document:b#", "folder:a#viewer@user:alice") }),
      ),
    }),
  },
);

/**
 * A wave of reads, issued together after `hops` microtask hops, or after a timer: reads of one
 * tick merge whatever their hops, and a timer starts a new batch.
 */
const wave = fc.record({
  start: fc.oneof(fc.nat(4), fc.constant("timer" as const)),
  reads: fc.array(read, { minLength: 1, maxLength: 8 }),
});

async function startAfter(start: number | "timer"): Promise<void> {
  if (start === "timer") return new Promise((resolve) => setTimeout(resolve, 0));
  for (let hop = 0; hop < start; hop++) await Promise.resolve();
}

async function readerOver(relationships: readonly Relationship[]): Promise<SnapshotReader> {
  const store = createMemoryStore();
  const { revision } = await store.write(
    relationships.map((r) => ({ operation: "touch" as const, relationship: r })),
  );
  return store.snapshot(revision, new Date());
}

const keys = (rows: readonly Relationship[]) => rows.map(relationshipKey);

describe("batching reader", () => {
  it("gives every read exactly the rows it would read alone, in key order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(relationship, { selector: relationshipKey, maxLength: 40 }),
        fc.array(wave, { minLength: 1, maxLength: 4 }),
        async (relationships, waves) => {
          const direct = await readerOver(relationships);
          const batched = createBatchingReader(roundTripReader(direct));
          const answers = await Promise.all(
            waves.map(async ({ start, reads }) => {
              await startAfter(start);
              return Promise.all(reads.map((r) => batched.query(r.filter, r.options)));
            }),
          );
          for (const [w, { reads }] of waves.entries()) {
            for (const [r, { filter, options }] of reads.entries()) {
              const expected = await direct.query(filter, options);
              expect(keys(answers[w]![r]!), JSON.stringify({ filter, options })).toEqual(
                keys(expected),
              );
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("sends the forward reads of one tick as one query, of any types and relations", async () => {
    const direct = await readerOver([]);
    const store = roundTripReader(direct);
    const batched = createBatchingReader(store);
    await Promise.all([
      batched.query({ resourceType: "document", resourceIds: ["a"], relation: "viewer" }),
      batched.query({ resourceType: "document", resourceIds: ["a"], relation: "parent" }),
      Promise.resolve().then(() =>
        batched.query({ resourceType: "folder", resourceIds: ["f", "g"], relation: "viewer" }),
      ),
    ]);
    expect(store.queries).toBe(1);
    await Promise.all([
      batched.query({ resourceType: "group", resourceIds: ["eng"], relation: "member" }),
      batched.query({ resourceType: "group", resourceIds: ["ops"], relation: "member" }),
      batched.query({ resourceType: "group", relation: "member" }),
      batched.query(
        { resourceType: "group", resourceIds: ["eng"], relation: "member" },
        { limit: 1 },
      ),
    ]);
    expect(store.queries).toBe(4);
  });

  it("merges reads of sets by their subjects with the forward reads, and asks only those subjects", async () => {
    const direct = await readerOver(
      [
        "document:a#viewer@user:alice",
        "document:a#viewer@user:bob",
        "document:a#viewer@user:*",
        "folder:f#viewer@user:bob",
      ].map(rel),
    );
    const asked: RelationshipFilter[] = [];
    const store = roundTripReader({
      ...direct,
      query: (filter, options) => {
        asked.push(filter);
        return direct.query(filter, options);
      },
    });
    const batched = createBatchingReader(store);
    const bySubjects = (...subjects: string[]) =>
      batched.query({ objectRelations: [named("document:a#viewer", ...subjects)] });
    const [alice, bob, folder] = await Promise.all([
      bySubjects("user:alice", "user:*"),
      bySubjects("user:bob"),
      batched.query({ resourceType: "folder", resourceIds: ["f"], relation: "viewer" }),
    ]);
    expect(store.queries).toBe(1);
    expect(keys(alice)).toEqual(["document:a#viewer@user:*", "document:a#viewer@user:alice"]);
    expect(keys(bob)).toEqual(["document:a#viewer@user:bob"]);
    expect(keys(folder)).toEqual(["folder:f#viewer@user:bob"]);
    expect(asked).toEqual([
      {
        objectRelations: [
          named("document:a#viewer", "user:alice", "user:*", "user:bob"),
          named("folder:f#viewer"),
        ],
      },
    ]);
  });

  it("reads straight through while merging does not pay, and learns when it does", async () => {
    const store = roundTripReader(await readerOver([]));
    const cost = { worthBatching: false };
    const reader = createBatchingReader(store, cost);
    const level = () =>
      Promise.all([
        reader.query({ resourceType: "document", resourceIds: ["a"], relation: "viewer" }),
        reader.query({ resourceType: "document", resourceIds: ["a"], relation: "parent" }),
      ]);
    await level();
    expect(store.queries).toBe(2);
    // The first read took a round trip: from now on this reader, and the next, merge.
    expect(cost.worthBatching).toBe(true);
    await level();
    expect(store.queries).toBe(3);
    await Promise.all([
      createBatchingReader(store, cost).query({
        resourceType: "folder",
        resourceIds: ["f"],
        relation: "viewer",
      }),
      createBatchingReader(store, cost).query({
        resourceType: "folder",
        resourceIds: ["g"],
        relation: "viewer",
      }),
    ]);
    expect(store.queries).toBe(5);
  });

  it("fails every read of a batch with the store's error, whether rejected or thrown", async () => {
    const failure = new Error("connection lost");
    const rejecting = createBatchingReader({
      ...roundTripReader(await readerOver([])),
      query: () => new Promise((_, reject) => setTimeout(() => reject(failure), 1)),
    });
    const throwing = createBatchingReader({
      ...(await readerOver([])),
      query: () => {
        throw failure;
      },
    });
    for (const reader of [rejecting, throwing]) {
      const reads = [
        reader.query({ resourceType: "document", resourceIds: ["a"], relation: "viewer" }),
        reader.query({ resourceType: "folder", resourceIds: ["b"], relation: "parent" }),
      ];
      for (const result of await Promise.allSettled(reads)) {
        expect(result).toEqual({ status: "rejected", reason: failure });
      }
    }
  });
});
