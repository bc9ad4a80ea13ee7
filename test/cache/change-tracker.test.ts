// The change tracker: which sets changed after a revision, as the change stream tells, bounded.

import { afterEach, describe, expect, it } from "vitest";
import { ChangeTracker } from "../../src/cache/change-tracker.js";
import type { Revision } from "../../src/revision/revision.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store, WatchedChange, WatchOptions } from "../../src/store/store.js";
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

/**
 * trackStalled is a tracker whose own stream (the first the store gives) stopped without an error,
 * as one whose notifications are lost: it applies nothing; any later stream is the store's.
 */
function trackStalled() {
  const store = createMemoryStore();
  let watches = 0;
  const stalling: Store = new Proxy(store, {
    get(target, property) {
      if (property === "watch") {
        return (after: Revision, options?: WatchOptions) =>
          watches++ === 0 ? silent(options?.signal) : target.watch(after, options);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const tracker = new ChangeTracker(stalling, rev(0));
  open.push({ store, tracker });
  return { store, tracker };
}

/** silent is a change stream that yields nothing until signal aborts. */
async function* silent(signal: AbortSignal | undefined): AsyncGenerator<WatchedChange> {
  await new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve()));
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

  it("is stale while a committed change goes unapplied for the maximum lag, and not once applied", async () => {
    const { store, tracker } = trackStalled();
    await store.write([touch("document:a#viewer@user:alice")]);
    expect(await tracker.observeHead(rev(1), 1_000)).toBeUndefined();
    expect(await tracker.observeHead(rev(1), 10_999)).toBeUndefined();
    await store.write([touch("document:b#viewer@user:bob")]);
    // The lag is counted from when revision 1 was first seen unapplied, not from the newest head.
    expect(await tracker.observeHead(rev(2), 11_000)).toEqual({
      revision: rev(1),
      applied: rev(0),
      forMs: 10_000,
    });
    expect(tracker.stale).toBe(true);
    // At the head again (as after a restart at the head): fresh.
    expect(await tracker.observeHead(rev(0), 12_000)).toBeUndefined();
    expect(tracker.stale).toBe(false);
  });

  it("is not stale behind revisions without relationship changes, such as a schema write", async () => {
    const { store, tracker } = track();
    await store.write([touch("document:a#viewer@user:alice")]);
    await tracker.waitFor(1, 60_000);
    await store.writeSchema("definition user {}", async () => {});
    const { revision: head } = await store.head();
    expect(head).toBeGreaterThan(1);
    // The stream never reports the schema's revision, however long; nothing is unapplied.
    expect(await tracker.observeHead(head, 1_000)).toBeUndefined();
    expect(await tracker.observeHead(head, 100_000)).toBeUndefined();
    expect(tracker.stale).toBe(false);
  });

  it("is not stale while it keeps applying, however busy the store", async () => {
    const { store, tracker } = track();
    for (let n = 1; n <= 5; n++) {
      await store.write([touch(`document:d${n}#viewer@user:alice`)]);
      // Seen at the head, then a lag later applied: each revision caught up with in time.
      expect(await tracker.observeHead(rev(n), n * 10_000)).toBeUndefined();
      await tracker.waitFor(n, 60_000);
    }
    expect(await tracker.observeHead(rev(5), 100_000)).toBeUndefined();
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
