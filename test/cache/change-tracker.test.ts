// The change tracker: which sets changed after a revision, as the change stream tells, bounded.

import { afterEach, describe, expect, it } from "vitest";
import { ChangeTracker } from "../../src/cache/change-tracker.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { rel, remove, rev, touch } from "../store/store-test-helpers.js";

const open: { store: Store; tracker: ChangeTracker }[] = [];
afterEach(async () => {
  for (const { store, tracker } of open.splice(0)) {
    tracker.close();
    await store.close();
  }
});

function track(maxTrackedSets?: number) {
  const store = createMemoryStore();
  const tracker = new ChangeTracker(
    store,
    rev(0),
    maxTrackedSets === undefined ? {} : { maxTrackedSets },
  );
  open.push({ store, tracker });
  return { store, tracker };
}

describe("ChangeTracker", () => {
  it("applies each revision and knows which sets changed after a revision", async () => {
    const { store, tracker } = track();
    await store.write([touch("document:a#viewer@user:alice")]);
    await store.write([touch("document:b#viewer@user:bob")]);
    expect(await tracker.waitFor(2, 1000)).toBe(true);
    expect(tracker.appliedRevision).toBe(rev(2));
    expect(tracker.unchangedSince(["document:a#viewer"], 1)).toBe(true);
    expect(tracker.unchangedSince(["document:a#viewer", "document:b#viewer"], 1)).toBe(false);
    expect(tracker.unchangedSince(["document:b#owner"], 0)).toBe(true);
    await store.write([remove("document:a#viewer@user:alice")]);
    await tracker.waitFor(3, 1000);
    expect(tracker.unchangedSince(["document:a#viewer"], 2)).toBe(false);
  });

  it("knows the changes of suspensions by relationship too, and of other relations by set only", async () => {
    const { store, tracker } = track();
    const note =
      '[latch/suspension_note:{"reason":"r","suspended_by":"s","suspended_at":"2025-01-01T00:00:00Z"}]';
    await store.write([touch(`latch/suspension:all#suspended@agent:bot${note}`)]);
    await store.write([touch("document:a#viewer@user:alice")]);
    expect(await tracker.waitFor(2, 1000)).toBe(true);
    const bot = "latch/suspension:all#suspended@agent:bot";
    expect(tracker.unchangedSince([bot], 0)).toBe(false);
    expect(tracker.unchangedSince(["latch/suspension:all#suspended"], 0)).toBe(false);
    expect(tracker.unchangedSince(["latch/suspension:all#suspended@agent:*"], 0)).toBe(true);
    expect(tracker.unchangedSince(["latch/suspension:all#suspended@agent:bot2"], 0)).toBe(true);
    expect(tracker.unchangedSince(["document:a#viewer@user:alice"], 0)).toBe(true);
    expect(tracker.unchangedSince(["document:a#viewer"], 0)).toBe(false);
  });

  /** expireOne writes document:a#viewer@user:alice to expire in 50 ms and waits for the expiry. */
  async function expireOne(store: Store, tracker: ChangeTracker): Promise<Date> {
    const expiresAt = new Date(Date.now() + 50);
    await store.write([
      { operation: "touch", relationship: { ...rel("document:a#viewer@user:alice"), expiresAt } },
    ]);
    expect(await tracker.waitFor(2, 2000)).toBe(true);
    return expiresAt;
  }

  it("counts an expiry as a change of its set", async () => {
    const { store, tracker } = track();
    await expireOne(store, tracker);
    expect(tracker.unchangedSince(["document:a#viewer"], 1)).toBe(false);
  });

  it("does not count an expiry against a result evaluated as of a time after it", async () => {
    const { store, tracker } = track();
    const expiresAt = await expireOne(store, tracker);
    const set = ["document:a#viewer"];
    expect(tracker.unchangedSince(set, 1, expiresAt.getTime())).toBe(true);
    expect(tracker.unchangedSince(set, 1, expiresAt.getTime() - 1)).toBe(false);
    // A write after it counts, whatever the time.
    await store.write([touch("document:a#viewer@user:bob")]);
    expect(await tracker.waitFor(3, 2000)).toBe(true);
    expect(tracker.unchangedSince(set, 1, expiresAt.getTime() + 60_000)).toBe(false);
    expect(tracker.unchangedSince(set, 3, expiresAt.getTime())).toBe(true);
  });

  it("waits for a revision, or gives up after the timeout", async () => {
    const { store, tracker } = track();
    const waiting = tracker.waitFor(1, 2000);
    await store.write([touch("document:a#viewer@user:alice")]);
    expect(await waiting).toBe(true);
    expect(await tracker.waitFor(5, 50)).toBe(false);
  });

  it("vouches for nothing computed before the changes it forgot", async () => {
    const { store, tracker } = track(2);
    for (const id of ["a", "b", "c"])
      await store.write([touch(`document:${id}#viewer@user:alice`)]);
    await tracker.waitFor(3, 1000);
    // document:a#viewer's change (revision 1) was forgotten: results from before it are unknown.
    expect(tracker.unchangedSince(["document:z#viewer"], 0)).toBe(false);
    expect(tracker.unchangedSince(["document:z#viewer"], 1)).toBe(true);
    expect(tracker.unchangedSince(["document:c#viewer"], 2)).toBe(false);
  });
});
