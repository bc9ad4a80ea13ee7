// Test helpers for the store conformance suite: a store per test, relationships from text, streams.

import { afterEach, beforeEach, expect, onTestFinished } from "vitest";
import { type Revision, revision } from "../../src/revision/revision.js";
import type {
  ChangeEvent,
  ObjectRelation,
  RelationshipFilter,
  RelationshipUpdate,
  Store,
  StoreErrorCode,
  UpdateOperation,
  WatchedChange,
} from "../../src/store/store.js";
import { StoreError } from "../../src/store/store.js";
import type { StoreOptions } from "../../src/store/store-options.js";
import { parseRelationship } from "../../src/tuple/parse-relationship.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";
import { type TimeWindow, widening } from "../support/time-window.js";

/** MakeStore opens a new, empty store with options. */
export type MakeStore = (options?: StoreOptions) => Promise<Store>;

/**
 * useStore opens a fresh store (with options) before each test of the enclosing describe and
 * closes it after.
 */
export function useStore(makeStore: MakeStore, options?: StoreOptions): () => Store {
  let store: Store | undefined;
  beforeEach(async () => {
    store = await makeStore(options);
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  return () => {
    if (store === undefined) throw new Error("no store outside a test");
    return store;
  };
}

/** rel parses a relationship in SpiceDB's text syntax, failing the test on a typo. */
export function rel(text: string): Relationship {
  const parsed = parseRelationship(text);
  if (!parsed.ok) throw new Error(`bad relationship in test: ${parsed.error.message}`);
  return parsed.value;
}

/**
 * named names the set `type:id#relation` of text for a filter's objectRelations, with the subjects
 * given (`user:alice`, `user:*`, `group:eng#member`), or whole without any.
 */
export function named(text: string, ...subjects: string[]): ObjectRelation {
  const { resource, relation } = rel(`${text}@any:any`);
  const set = { ...resource, relation };
  if (subjects.length === 0) return set;
  return { ...set, subjects: subjects.map((subject) => rel(`${text}@${subject}`).subject) };
}

/** touch makes a touch update from text. */
export function touch(text: string): RelationshipUpdate {
  return { operation: "touch", relationship: rel(text) };
}

/** create makes a create update from text. */
export function create(text: string): RelationshipUpdate {
  return { operation: "create", relationship: rel(text) };
}

/** remove makes a delete update from text. */
export function remove(text: string): RelationshipUpdate {
  return { operation: "delete", relationship: rel(text) };
}

/** keys are the relationship keys of rels, in their order. */
export function keys(rels: readonly Relationship[]): string[] {
  return rels.map(relationshipKey);
}

/** read queries the head revision at the current time. */
export async function read(
  store: Store,
  filter: RelationshipFilter = {},
  now = new Date(),
): Promise<Relationship[]> {
  return store.snapshot(await store.headRevision(), now).query(filter);
}

/** readKeys is {@link read} as relationship keys. */
export async function readKeys(store: Store, filter: RelationshipFilter = {}): Promise<string[]> {
  return keys(await read(store, filter));
}

/** rev shortens revision(n) in expectations. */
export function rev(n: number): Revision {
  return revision(n);
}

/** expectStoreError awaits a rejection with a StoreError of code whose message contains each part. */
export async function expectStoreError(
  promise: Promise<unknown>,
  code: StoreErrorCode,
  ...parts: string[]
): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StoreError);
  const storeError = error as StoreError;
  expect(storeError.code).toBe(code);
  for (const part of parts) expect(storeError.message).toContain(part);
  return storeError;
}

/** take reads the first count events of a stream and stops it. */
export async function take(
  stream: AsyncIterable<WatchedChange>,
  count: number,
): Promise<WatchedChange[]> {
  const events: WatchedChange[] = [];
  if (count === 0) return events;
  for await (const event of stream) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}

/** describeEvent writes an event as `revision kind key`, for compact expectations. */
export function describeEvent(event: ChangeEvent): string {
  return `${event.revision} ${event.kind} ${relationshipKey(event.relationship)}`;
}

/**
 * EXPIRY_WINDOWS_MS are how far ahead a test's relationships expire, in turn (see `widening`):
 * narrow to keep the test quick, wider each time a loaded machine did not finish the writes that
 * must come before the expiry.
 */
export const EXPIRY_WINDOWS_MS = [100, 1_000, 10_000] as const;

/**
 * inExpiryWindows runs scenario, which writes relationships expiring at its window's end, in the
 * windows of EXPIRY_WINDOWS_MS until one is not missed: on first, the test's store, then each time
 * on a fresh store with options, after closing the one before (the stores of a suite may share a
 * database, so only one is open at a time). The last is closed when the test ends.
 */
export async function inExpiryWindows(
  first: Store,
  makeStore: MakeStore,
  scenario: (store: Store, window: TimeWindow) => Promise<void>,
  options?: StoreOptions,
): Promise<void> {
  let current: Store | undefined;
  await widening(EXPIRY_WINDOWS_MS, async (window) => {
    if (current === undefined) {
      current = first;
    } else {
      await current.close();
      const fresh = await makeStore(options);
      current = fresh;
      onTestFinished(() => fresh.close());
    }
    await scenario(current, window);
  });
}

/** expiring makes an update (a touch unless operation says) of text that expires at expiresAt. */
export function expiring(
  text: string,
  expiresAt: Date,
  operation: UpdateOperation = "touch",
): RelationshipUpdate {
  return { operation, relationship: { ...rel(text), expiresAt } };
}
