// Cached answers keep the depth their walk took: one is never served to a walk with less depth left.

import { afterEach, describe, expect, it } from "vitest";
import { ChangeTracker } from "../../src/cache/change-tracker.js";
import { MemoryResultCache } from "../../src/cache/memory-result-cache.js";
import { createCombinedDispatcher } from "../../src/dispatch/combined-dispatcher.js";
import type { Dispatcher } from "../../src/dispatch/dispatcher.js";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { type CheckRequest, createCheckEngine } from "../../src/engine/check-engine.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { rel } from "../store/store-test-helpers.js";

const loaded = loadSchema(`
definition user {}

definition folder {
  relation parent: folder
  relation viewer: user
  permission view = viewer + parent->view
}
`);
if (!loaded.ok) throw new Error("the folder schema does not load");
const schema = loaded.schema;

/**
 * Folders f0 → f1 → … → f9 (each the parent of the one before), alice a viewer of f9 alone:
 * `folder:fK#view` takes 2 + (9 − K) levels (each folder's view, then f9's viewer), so f5 takes 6
 * and f0 takes 11.
 */
const FOLDERS = 10;
/** The depth limit of the tests: enough for f5, too little for f0. */
const SMALL_LIMIT = 6;

const open: { store: Store; tracker: ChangeTracker }[] = [];
afterEach(async () => {
  for (const { store, tracker } of open.splice(0)) {
    tracker.close();
    await store.close();
  }
});

/** cachedChain writes the folders and returns the snapshot and a cached chain over them. */
async function cachedChain() {
  const store = createMemoryStore();
  const tracker = new ChangeTracker(store, await store.headRevision());
  open.push({ store, tracker });
  const relationships = [`folder:f${FOLDERS - 1}#viewer@user:alice`];
  for (let i = 0; i + 1 < FOLDERS; i++) relationships.push(`folder:f${i}#parent@folder:f${i + 1}`);
  const { revision } = await store.write(
    relationships.map((text) => ({ operation: "touch" as const, relationship: rel(text) })),
  );
  expect(await tracker.waitFor(revision, 1000)).toBe(true);
  const dispatcher = createCombinedDispatcher({
    results: new MemoryResultCache(),
    tracker,
    keyPrefix: "test|",
  });
  return { reader: () => store.snapshot(tracker.appliedRevision, new Date()), dispatcher };
}

function engine(dispatcher: Dispatcher, maxDepth: number) {
  return createCheckEngine({ schema, dispatcher, maxDepth });
}

function view(folder: string): CheckRequest {
  return {
    resource: { type: "folder", id: folder },
    permission: "view",
    subject: { type: "user", id: "alice" },
  };
}

const MAX_DEPTH = { name: "EngineError", code: "max-depth" };

describe("a cached answer and the depth limit", () => {
  it("is not served to a walk with less depth left than the answer took", async () => {
    const { reader, dispatcher } = await cachedChain();
    // Computed afresh, f0 is beyond the limit.
    const uncached = engine(createLocalDispatcher(), SMALL_LIMIT);
    await expect(uncached.check(reader(), view("f0"))).rejects.toMatchObject(MAX_DEPTH);

    const checks = engine(dispatcher, SMALL_LIMIT);
    expect((await checks.check(reader(), view("f5"))).result).toBe("allowed");
    expect(checks.answerAtOnce(view("f5"), Date.now())).toMatchObject({
      result: "allowed",
      servedFromCache: true,
    });
    // f0's walk reaches f5 with one level left: the answer kept for f5 took six.
    await expect(checks.check(reader(), view("f0"))).rejects.toMatchObject(MAX_DEPTH);
    // Asked at the top of a walk with a lower limit, f5's answer is not there either.
    expect(engine(dispatcher, SMALL_LIMIT - 1).answerAtOnce(view("f5"), Date.now())).toBe(
      undefined,
    );
  });

  it("keeps no answer for a walk that failed on it, and serves one only where depth allows", async () => {
    const { reader, dispatcher } = await cachedChain();
    const shallow = engine(dispatcher, SMALL_LIMIT);
    const deep = engine(dispatcher, 50);
    await expect(shallow.check(reader(), view("f0"))).rejects.toMatchObject(MAX_DEPTH);
    expect(deep.answerAtOnce(view("f0"), Date.now())).toBeUndefined();

    expect(await deep.check(reader(), view("f0"))).toMatchObject({
      result: "allowed",
      servedFromCache: false,
    });
    expect(deep.answerAtOnce(view("f0"), Date.now())?.result).toBe("allowed");
    await expect(shallow.check(reader(), view("f0"))).rejects.toMatchObject(MAX_DEPTH);
  });
});
