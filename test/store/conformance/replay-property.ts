// Conformance property: after random writes, the snapshot at every revision equals a naive replay.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type {
  ObjectRelation,
  RelationshipFilter,
  RelationshipUpdate,
  SnapshotReader,
  Store,
  StoreError,
} from "../../../src/store/store.js";
import type { Relationship } from "../../../src/tuple/relationship.js";
import { relationshipKey } from "../../../src/tuple/relationship-key.js";
import { keys, type MakeStore, rev } from "../store-test-helpers.js";

/** Expiries fall an hour from now, a second apart, so that reads can pick a `now` between them. */
const BASE_MS = Date.now() + 3_600_000;
const NOWS = [new Date(), new Date(BASE_MS + 2_500)];

// Names whose order in a key differs from their order alone: "doc1:" sorts before "doc:", and
// "viewer2@" before "viewer@", while "a#" sorts before "a-b#".
const TYPES = ["doc", "doc1", "doc/abc"];
const IDS = ["a", "a-b", "ab", "b"];
const RELATIONS = ["viewer", "viewer2", "own"];
const CURSORS = [
  "",
  "doc",
  "doc/",
  "doc1:",
  "doc:a",
  "doc:a#viewer",
  "doc:a#viewer2@",
  "doc:ab#own@user:x",
  "e",
];

const resource = fc.record({ type: fc.constantFrom(...TYPES), id: fc.constantFrom(...IDS) });
const subject = fc.oneof(
  fc.record({ type: fc.constant("user"), id: fc.constantFrom("x", "y", "*") }),
  fc.record({ type: fc.constant("group"), id: fc.constantFrom("g", "h") }),
  fc.record({
    type: fc.constant("group"),
    id: fc.constantFrom("g", "h"),
    relation: fc.constant("member"),
  }),
);
const relationship: fc.Arbitrary<Relationship> = fc.record(
  {
    resource,
    relation: fc.constantFrom(...RELATIONS),
    subject,
    caveat: fc.record({ name: fc.constant("in_region"), context: fc.record({ n: fc.integer() }) }),
    expiresAt: fc.integer({ min: 0, max: 4 }).map((k) => new Date(BASE_MS + k * 1000)),
  },
  { requiredKeys: ["resource", "relation", "subject"] },
);
const update: fc.Arbitrary<RelationshipUpdate> = fc.record({
  operation: fc.constantFrom("create", "touch", "delete"),
  relationship,
});
/** A named set, whole or with some of its subjects (those of `subject`, and others). */
const objectRelation: fc.Arbitrary<ObjectRelation> = fc.record(
  {
    type: fc.constantFrom(...TYPES),
    id: fc.constantFrom(...IDS),
    relation: fc.constantFrom(...RELATIONS),
    subjects: fc.array(subject, { maxLength: 3 }),
  },
  { requiredKeys: ["type", "id", "relation"] },
);
const filter: fc.Arbitrary<RelationshipFilter> = fc.record(
  {
    objectRelations: fc.array(objectRelation, { maxLength: 3 }),
    resourceType: fc.constantFrom(...TYPES),
    exceptResourceTypePrefix: fc.constantFrom("doc", "doc1", "doc/", "e"),
    resourceIds: fc.array(fc.constantFrom(...IDS, "z"), { maxLength: 3 }),
    relation: fc.constantFrom(...RELATIONS),
    subjectType: fc.constantFrom("user", "group"),
    subjectIds: fc.array(fc.constantFrom("x", "*", "g", "h"), { maxLength: 3 }),
    subjectRelation: fc.constantFrom(null, "member"),
  },
  { requiredKeys: [] },
);

type Operation =
  | { readonly kind: "write"; readonly updates: readonly RelationshipUpdate[] }
  | {
      readonly kind: "delete-matching";
      readonly filter: RelationshipFilter;
      readonly limit?: number;
    };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .uniqueArray(update, { maxLength: 6, selector: (u) => relationshipKey(u.relationship) })
      .map((updates) => ({ kind: "write" as const, updates })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ filter, limit: fc.nat(4) }, { requiredKeys: ["filter"] })
      .map((args) => ({ kind: "delete-matching" as const, ...args })),
  },
);

/** State is the model: the live relationships by key. */
type State = ReadonlyMap<string, Relationship>;

function matches(rel: Relationship, f: RelationshipFilter): boolean {
  const named = (set: ObjectRelation) =>
    set.type === rel.resource.type &&
    set.id === rel.resource.id &&
    set.relation === rel.relation &&
    (set.subjects === undefined ||
      set.subjects.some(
        ({ type, id, relation }) =>
          type === rel.subject.type && id === rel.subject.id && relation === rel.subject.relation,
      ));
  return (
    (f.objectRelations === undefined || f.objectRelations.some(named)) &&
    (f.resourceType === undefined || rel.resource.type === f.resourceType) &&
    (f.exceptResourceTypePrefix === undefined ||
      !rel.resource.type.startsWith(f.exceptResourceTypePrefix)) &&
    (f.resourceIds === undefined || f.resourceIds.includes(rel.resource.id)) &&
    (f.relation === undefined || rel.relation === f.relation) &&
    (f.subjectType === undefined || rel.subject.type === f.subjectType) &&
    (f.subjectIds === undefined || f.subjectIds.includes(rel.subject.id)) &&
    (f.subjectRelation === undefined || (rel.subject.relation ?? null) === f.subjectRelation)
  );
}

function visible(state: State, f: RelationshipFilter, now: Date): string[] {
  return [...state.values()]
    .filter((r) => matches(r, f) && (r.expiresAt === undefined || r.expiresAt > now))
    .map(relationshipKey)
    .sort();
}

/**
 * apply runs op on store and model; returns the next state, or undefined when the store must
 * refuse or the operation changes nothing (neither commits a revision).
 */
async function apply(store: Store, state: State, op: Operation): Promise<State | undefined> {
  const next = new Map(state);
  if (op.kind === "write") {
    let deleted = 0;
    for (const { operation, relationship } of op.updates) {
      const key = relationshipKey(relationship);
      if (operation === "create" && state.has(key)) {
        await expectRefusal(store.write(op.updates), "already-exists");
        return undefined;
      }
      if (operation === "delete") deleted += next.delete(key) ? 1 : 0;
      else next.set(key, relationship);
    }
    const result = await store.write(op.updates);
    expect(result.deleted).toBe(deleted);
    return op.updates.some((u) => u.operation !== "delete") || deleted > 0 ? next : undefined;
  }
  const matched = [...state.values()].filter((r) => matches(r, op.filter));
  if (op.limit !== undefined && matched.length > op.limit) {
    await expectRefusal(store.deleteMatching(op.filter, op.limit), "too-many-updates");
    return undefined;
  }
  for (const r of matched) next.delete(relationshipKey(r));
  expect((await store.deleteMatching(op.filter, op.limit)).deleted).toBe(matched.length);
  return matched.length > 0 ? next : undefined;
}

async function expectRefusal(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: StoreError) => reason,
  );
  expect(error?.code).toBe(code);
}

/** checkSnapshot compares every way of reading a snapshot with the model's state. */
async function checkSnapshot(
  reader: SnapshotReader,
  state: State,
  filters: readonly RelationshipFilter[],
  pageSize: number,
  cursor: string,
): Promise<void> {
  const all = await reader.query({});
  expect(keys(all)).toEqual(visible(state, {}, reader.now));
  expect(all).toEqual(keys(all).map((key) => state.get(key)));
  for (const f of [{}, ...filters]) {
    const expected = visible(state, f, reader.now);
    expect(keys(await reader.query(f))).toEqual(expected);
    const paged: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = keys(await reader.query(f, { limit: pageSize, after }));
      paged.push(...page);
      if (page.length < pageSize) break;
      after = page[page.length - 1];
    }
    expect(paged).toEqual(expected);
    const rest = keys(await reader.query(f, { after: cursor }));
    expect(rest).toEqual(expected.filter((key) => key > cursor));
  }
}

/** describeReplayProperty checks every snapshot of random histories (numRuns of them) against a naive model. */
export function describeReplayProperty(makeStore: MakeStore, numRuns = 100): void {
  describe("replay property", () => {
    it("the snapshot at every revision is the naive replay of the writes up to it", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(operation, { maxLength: 12 }),
          fc.array(filter, { maxLength: 3 }),
          fc.integer({ min: 1, max: 5 }),
          fc.constantFrom(...CURSORS),
          async (operations, filters, pageSize, cursor) => {
            const store = await makeStore();
            try {
              const states: State[] = [new Map()];
              for (const op of operations) {
                const next = await apply(store, states[states.length - 1]!, op);
                if (next !== undefined) states.push(next);
              }
              expect(await store.headRevision()).toBe(states.length - 1);
              for (const [r, state] of states.entries()) {
                for (const now of NOWS) {
                  const reader = store.snapshot(rev(r), now);
                  await checkSnapshot(reader, state, filters, pageSize, cursor);
                }
              }
            } finally {
              await store.close();
            }
          },
        ),
        { numRuns },
      );
    });
  });
}
