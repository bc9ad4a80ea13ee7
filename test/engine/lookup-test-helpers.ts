// Test helpers for the lookups: a schema and relationships loaded into a memory store, read at a snapshot.

import { afterEach } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { type CheckEngine, createCheckEngine } from "../../src/engine/check-engine.js";
import { createLookupEngine, type LookupEngine } from "../../src/engine/lookup-engine.js";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { SnapshotReader, Store } from "../../src/store/store.js";
import { parseRelationship } from "../../src/tuple/parse-relationship.js";
import type { Relationship } from "../../src/tuple/relationship.js";

/** Fixture is a loaded dataset: its schema, store, engines and a reader at the head. */
export interface Fixture {
  readonly schema: CompiledSchema;
  readonly store: Store;
  readonly checks: CheckEngine;
  readonly lookups: LookupEngine;
  /** A reader at the head revision, at `now` (default: the real time). */
  reader(now?: Date): Promise<SnapshotReader>;
}

const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});

/** compile loads schema text, failing the test on an error. */
export function compile(text: string): CompiledSchema {
  const loaded = loadSchema(text);
  if (!loaded.ok) throw new Error(`bad schema in test: ${loaded.diagnostics[0]?.message}`);
  return loaded.schema;
}

/** rel parses a relationship in SpiceDB's text syntax, failing the test on a typo. */
export function rel(text: string): Relationship {
  const parsed = parseRelationship(text);
  if (!parsed.ok) throw new Error(`bad relationship in test: ${parsed.error.message}`);
  return parsed.value;
}

/** load writes relationships (text or values) into a new memory store under a compiled schema. */
export async function load(
  schema: CompiledSchema,
  relationships: readonly (string | Relationship)[],
): Promise<Fixture> {
  const store = createMemoryStore();
  open.push(store);
  const rels = relationships.map((r) => (typeof r === "string" ? rel(r) : r));
  for (let start = 0; start < rels.length; start += 1000) {
    await store.write(
      rels.slice(start, start + 1000).map((relationship) => ({ operation: "touch", relationship })),
    );
  }
  const checks = createCheckEngine({ schema, dispatcher: createLocalDispatcher() });
  return {
    schema,
    store,
    checks,
    lookups: createLookupEngine({ schema, checkEngine: checks }),
    reader: async (now = new Date()) => store.snapshot(await store.headRevision(), now),
  };
}

/** collect drains an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
